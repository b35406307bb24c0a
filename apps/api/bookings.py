"""``/api/v1/bookings/``: bookings scoped by role; creation honours ``Idempotency-Key``."""
from __future__ import annotations

import hashlib
import json
import uuid

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.coordination.access import bookings_visible_to, has_role
from apps.coordination.models import Booking, VendorResponse
from apps.coordination.phases import BookingStatus
from apps.coordination.presenters import REST, booking_json
from apps.coordination.services.bookings import (
    booking_cancel,
    booking_proposal_accept,
    booking_request,
    slot_offer,
    vendor_respond,
)
from apps.core.errors import DomainError, Forbidden
from apps.vendors.selectors import vendor_of_user

from .errors import exception_handler
from .models import IdempotencyKey
from .serializers import ID_PATTERN, IdField, column_range


class BookingCreateInput(serializers.Serializer):
    request = IdField()
    slot = IdField()
    quantity = serializers.IntegerField(default=1, **{**column_range(Booking, "quantity"), "min_value": 1})
    item = IdField(required=False, allow_null=True, default=None)


class BookingRespondInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=VendorResponse.Action.values)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    slot = IdField(required=False, allow_null=True, default=None)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def to_payload(self) -> dict:
        """JSON-safe payload for :func:`vendor_respond`."""
        data = dict(self.validated_data)
        data["price"] = f"{data['price']}" if data["price"] is not None else None
        data.pop("action")
        return data


class BookingCancelInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class BookingOutput(serializers.ModelSerializer):
    """The ``REST`` shape of :func:`booking_json`: the fields are declared for the schema,
    the body is the presenter's. The slot's times and the deadline are in the vendor's
    (the place's) time zone."""

    request = serializers.IntegerField(source="state.request_id", read_only=True)
    offering = serializers.DictField(read_only=True)
    slot = serializers.DictField(read_only=True, allow_null=True)
    price = serializers.DictField(read_only=True)
    refund = serializers.DictField(read_only=True, allow_null=True)
    installments = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "request", "status", "handled_by", "vendor", "offering", "slot", "quantity", "price",
                  "discount", "reference", "deadline", "confirmed_at", "refund", "decline_reason", "proposal",
                  "needs_manual_confirmation", "arrived_at", "installments", "created_at"]
        read_only_fields = fields

    def to_representation(self, instance) -> dict:
        data = booking_json(instance, shape=REST)
        return {name: data[name] for name in self.Meta.fields}


def _fingerprint(request) -> str:
    body = json.dumps({"method": request.method, "path": request.path, "body": request.data}, sort_keys=True,
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def idempotent(request, handler, *, prepare=lambda: None) -> Response:
    """Run ``handler(prepare())`` at most once per ``(user, Idempotency-Key)``.

    ``prepare`` runs first, outside any transaction: the slow look-ups (a vendor's
    inventory) so that no lock waits on the network; what it raises is raised in the
    handler's place. The key row is then inserted in the handler's transaction: a concurrent
    retry waits on the unique index and then replays the stored answer (status and body,
    domain errors included). The same key with another body → 422 ``idempotency.key_reused``.
    """
    key = request.headers.get("Idempotency-Key")
    if not key:
        return handler(prepare())
    if len(key) > 255:
        raise DomainError(_("The Idempotency-Key is too long (255 characters at most)."), code="idempotency.invalid")
    fingerprint = _fingerprint(request)
    try:
        prepared, failure = prepare(), None
    except Exception as exc:  # answered below like the handler's own error, unless a replay
        prepared, failure = None, exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            row = IdempotencyKey.objects.get(user=request.user, key=key)
            if row.fingerprint != fingerprint:
                raise DomainError(_("This Idempotency-Key was already used with a different request."),
                                  code="idempotency.key_reused", status=422) from None
            return Response(row.body, status=row.status_code, headers={"Idempotent-Replayed": "true"})
        try:
            if failure is not None:
                raise failure
            response = handler(prepared)
        except DomainError as exc:
            response = exception_handler(exc, {})
        row.status_code, row.body = response.status_code, response.data
        row.save(update_fields=["status_code", "body"])
    return response


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bookings the caller may see: own (traveler), clients' (expert), own vendor's (vendor), all (staff)."""

    serializer_class = BookingOutput
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        qs = (bookings_visible_to(self.request.user)
              .select_related("state__request", "offering", "vendor", "slot").prefetch_related("installments")
              .order_by("-created_at"))
        wanted = self.request.query_params.get("status")
        if not wanted:
            return qs
        if wanted not in BookingStatus.values:
            raise serializers.ValidationError({"status": _("Not a booking status; one of: %(statuses)s.")
                                                         % {"statuses": ", ".join(BookingStatus.values)}})
        return qs.filter(status=wanted)

    def _answer(self, booking_id: int) -> Response:
        return Response(BookingOutput(self.get_queryset().get(pk=booking_id)).data)

    @extend_schema(request=BookingCreateInput, responses={201: BookingOutput},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)])
    def create(self, request):
        """Hold seats and start the vendor's confirmation (traveler, expert or staff)."""

        def prepare():
            data = BookingCreateInput(data=request.data)
            data.is_valid(raise_exception=True)
            return data.validated_data, slot_offer(data.validated_data["slot"])

        def handler(prepared):
            data, offer = prepared
            # The service locks the request's state by the request id and checks who may
            # book (404 ``booking.request_not_found`` for a request the caller does not see).
            booking = booking_request(request_id=data["request"], actor=request.user, slot_id=data["slot"],
                                      quantity=data["quantity"], item_id=data["item"], offer=offer)
            # The service hands back the booking with its state, vendor, offering and slot
            # loaded: answer from it rather than reading it again (the hot path).
            return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler, prepare=prepare)

    @extend_schema(request=BookingRespondInput, responses=BookingOutput,
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)])
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The vendor accepts, declines or proposes; ``Idempotency-Key`` dedupes retries."""
        if not has_role(request.user, Role.VENDOR):
            raise Forbidden(_("Only the vendor answers a booking request."), code="booking.vendor_only")
        booking = get_object_or_404(self.get_queryset(), pk=pk)
        data = BookingRespondInput(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key") or uuid.uuid4().hex
        vendor_respond(booking_id=booking.pk, vendor=vendor_of_user(request.user), channel=VendorResponse.Channel.API,
                       action=data.validated_data["action"], dedupe_key=f"api:{key}", payload=data.to_payload())
        return self._answer(booking.pk)

    @extend_schema(request=BookingCancelInput, responses=BookingOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The traveler, expert or staff cancels; the refund follows the vendor's policy."""
        booking = get_object_or_404(self.get_queryset(), pk=pk)
        data = BookingCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking_cancel(booking_id=booking.pk, actor=request.user, reason=data.validated_data["reason"])
        return self._answer(booking.pk)

    @extend_schema(request=None, responses=BookingOutput)
    @action(detail=True, methods=["post"], url_path="accept-proposal")
    def accept_proposal(self, request, pk=None):
        """The traveler or expert accepts the vendor's counter-proposal."""
        booking = get_object_or_404(self.get_queryset(), pk=pk)
        booking_proposal_accept(booking_id=booking.pk, actor=request.user)
        return self._answer(booking.pk)
