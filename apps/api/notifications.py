"""In-app notification centre and notification settings over REST:
``notifications/`` (GET, newest first, with ``unread``), ``notifications/<id>/read/``,
``notifications/read-all/``, ``notifications/preferences/`` (GET/POST),
``notifications/push/`` (GET VAPID public key, POST a browser subscription) and
``requests/<id>/sync-status/`` (who was notified of each event, for those who see the
whole request)."""
from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.coordination.access import events_visible_to
from apps.coordination.models import Notification
from apps.coordination.selectors import (event_sync_status, notification_channels_enabled,
                                        notification_list_for_user, notification_unread_count, push_enabled)
from apps.coordination.services.notifications import notification_mark_read, preference_set, push_subscribe


class NotificationOutputSerializer(serializers.ModelSerializer):
    event = serializers.IntegerField(source="event_id", allow_null=True)
    request = serializers.IntegerField(source="event.state.request_id", default=None)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "event", "request", "created_at", "read_at"]


class CountOutputSerializer(serializers.Serializer):
    changed = serializers.IntegerField()
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=[Notification.Channel.EMAIL, Notification.Channel.PUSH])
    enabled = serializers.BooleanField()


class PushSubscriptionInputSerializer(serializers.Serializer):
    endpoint = serializers.URLField(max_length=500)
    keys = inline_serializer("PushKeys", {"p256dh": serializers.CharField(max_length=200),
                                          "auth": serializers.CharField(max_length=100)})


class NotificationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NotificationOutputSerializer(many=True)
    unread = serializers.IntegerField(help_text="Unread notifications in all pages")


class NotificationListView(GenericAPIView):
    serializer_class = NotificationOutputSerializer

    @extend_schema(responses=NotificationPageSerializer)
    def get(self, request):
        page = self.paginate_queryset(notification_list_for_user(request.user).select_related("event__state"))
        response = self.get_paginated_response(NotificationOutputSerializer(page, many=True).data)
        response.data["unread"] = notification_unread_count(request.user)
        return response


class NotificationReadView(GenericAPIView):
    serializer_class = CountOutputSerializer

    @extend_schema(request=None, responses=CountOutputSerializer)
    def post(self, request, notification_id: int | None = None):
        changed = notification_mark_read(user=request.user, notification_id=notification_id)
        return Response({"changed": changed, "unread": notification_unread_count(request.user)})


class PreferenceView(GenericAPIView):
    serializer_class = PreferenceSerializer
    pagination_class = None

    def _current(self, user) -> list[dict]:
        enabled = notification_channels_enabled(user)
        return [{"channel": channel, "enabled": channel in enabled}
                for channel in (Notification.Channel.EMAIL, Notification.Channel.PUSH)]

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request):
        return Response(self._current(request.user))

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer(many=True))
    def post(self, request):
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference_set(user=request.user, **data.validated_data)
        return Response(self._current(request.user))


class PushSubscriptionView(GenericAPIView):
    serializer_class = PushSubscriptionInputSerializer

    @extend_schema(responses=inline_serializer("PushKey", {"enabled": serializers.BooleanField(),
                                                            "public_key": serializers.CharField()}))
    def get(self, request):
        return Response({"enabled": push_enabled(), "public_key": settings.VAPID_PUBLIC_KEY})

    @extend_schema(request=PushSubscriptionInputSerializer, responses={201: None})
    def post(self, request):
        data = PushSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        push_subscribe(user=request.user, endpoint=data.validated_data["endpoint"],
                               p256dh=data.validated_data["keys"]["p256dh"], auth=data.validated_data["keys"]["auth"])
        return Response(status=status.HTTP_201_CREATED)


class SyncStatusView(GenericAPIView):
    """Per event of the request: which stakeholders were notified on which channel."""

    @extend_schema(responses=inline_serializer("EventSyncStatus", many=True, fields={
        "version": serializers.IntegerField(), "type": serializers.CharField(),
        "notified": serializers.ListField(child=serializers.DictField())}))
    def get(self, request, request_id: int):
        events = events_visible_to(request.user, request_id)
        if not events.exists():
            raise Http404
        page = self.paginate_queryset(events)
        status_by_event = event_sync_status(events.filter(pk__in=[e.pk for e in page]))
        return self.get_paginated_response([{"version": e.version, "type": e.type,
                                             "notified": status_by_event.get(e.pk, [])} for e in page])
