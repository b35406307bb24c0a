from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.coordination.selectors import event_list_for_user, request_list_for_user
from apps.coordination.services.intake import request_submit
from apps.core.errors import DomainError

from .permissions import HasRole
from .serializers import INTAKE_FIELD_PATHS, EventOutputSerializer, IntakeInputSerializer, RequestOutputSerializer


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Experience requests, scoped to the caller. ``POST`` is the intake (travelers)."""

    serializer_class = RequestOutputSerializer

    def get_queryset(self):
        return request_list_for_user(self.request.user).order_by("-created_at")

    @extend_schema(request=IntakeInputSerializer, responses={201: RequestOutputSerializer})
    def create(self, request):
        if not HasRole(Role.TRAVELER).has_permission(request, self):
            raise DomainError("Only travelers submit requests.", code="permission_denied", status=403)
        data = IntakeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            state = request_submit(traveler=request.user, data=data.to_intake())
        except DomainError as exc:
            exc.fields = {INTAKE_FIELD_PATHS.get(k, k): v for k, v in exc.fields.items()}
            raise
        return Response(RequestOutputSerializer(self.get_queryset().get(pk=state.request_id)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        events = event_list_for_user(request.user, int(pk))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(EventOutputSerializer(page, many=True).data)
