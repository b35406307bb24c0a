"""Chat over REST: ``requests/<id>/messages/`` (GET history newest first, paginated; POST
a message), ``requests/<id>/threads/`` (threads with unread counts) and
``requests/<id>/threads/<thread>/read/`` (mark read). Scoped like the request itself:
out of scope is 404."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.coordination.access import requests_visible_to
from apps.coordination.services.chat import MAX_MESSAGE_LENGTH, message_post, thread_mark_read
from apps.coordination.presenters import message_json
from apps.coordination.snapshot import message_list_for_user, thread_entries, thread_list_for_user
from apps.core.ids import parse_int

from .serializers import IdField


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, allow_blank=True, trim_whitespace=False)
    booking = IdField(required=False, allow_null=True, default=None,
                                       help_text="Post to the thread about this booking (vendors must)")


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    thread = serializers.IntegerField()
    author = serializers.IntegerField()
    author_name = serializers.CharField()
    body = serializers.CharField()
    at = serializers.DateTimeField()


class ThreadOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    booking = serializers.IntegerField(allow_null=True)
    messages = serializers.IntegerField()
    unread = serializers.IntegerField()
    last = MessageOutputSerializer(allow_null=True)


class ReadInputSerializer(serializers.Serializer):
    up_to = IdField(required=False, allow_null=True, default=None)


class ReadOutputSerializer(serializers.Serializer):
    thread = serializers.IntegerField()
    last_read = serializers.IntegerField()


def _visible_request(user, request_id: int):
    request = requests_visible_to(user).filter(pk=request_id).first()
    if request is None:
        raise Http404
    return request


class RequestMessagesView(GenericAPIView):
    serializer_class = MessageOutputSerializer

    @extend_schema(parameters=[OpenApiParameter("thread", int, description="Only this thread")],
                   responses=MessageOutputSerializer(many=True))
    def get(self, request, request_id: int):
        _visible_request(request.user, request_id)
        messages = message_list_for_user(request.user, request_id,
                                         thread_id=parse_int(request.query_params.get("thread")))
        page = self.paginate_queryset(messages)
        return self.get_paginated_response([message_json(m) for m in page])

    @extend_schema(request=MessageInputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request, request_id: int):
        experience = _visible_request(request.user, request_id)
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = message_post(state_id=experience.coordination.pk, actor=request.user,
                               body=data.validated_data["body"], booking_id=data.validated_data["booking"])
        return Response(message_json(message), status=status.HTTP_201_CREATED)


class RequestThreadsView(GenericAPIView):
    serializer_class = ThreadOutputSerializer
    pagination_class = None

    @extend_schema(responses=ThreadOutputSerializer(many=True))
    def get(self, request, request_id: int):
        experience = _visible_request(request.user, request_id)
        return Response(thread_entries(thread_list_for_user(request.user, experience.coordination)))


class ThreadReadView(GenericAPIView):
    serializer_class = ReadOutputSerializer

    @extend_schema(request=ReadInputSerializer, responses=ReadOutputSerializer)
    def post(self, request, request_id: int, thread_id: int):
        experience = _visible_request(request.user, request_id)
        thread = thread_list_for_user(request.user, experience.coordination).filter(pk=thread_id).first()
        if thread is None:
            raise Http404
        data = ReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marker = thread_mark_read(thread=thread, user=request.user, up_to=data.validated_data["up_to"])
        return Response({"thread": thread.pk, "last_read": marker.last_read_message_id})
