"""``/api/v1/vendor-hooks/<vendor_id>/``: a vendor system answers booking requests.

Authentication is the signature, not a session: ``X-Traveloure-Signature`` is the hex
HMAC-SHA256 of ``timestamp + "." + raw body`` with the vendor's ``webhook_secret``, and
``X-Traveloure-Timestamp`` (Unix seconds) must be within five minutes. Body:
``{"event_id": "...", "booking": id, "action": "accept|decline|propose", "reference",
"reason", "slot", "price", "note"}``. ``event_id`` is the dedupe key: replays are harmless.

``/api/v1/octo-hooks/<vendor_id>/``: a vendor on its own OCTO system says something changed
there, signed the same way. Body: ``{"event": "availability_update"}`` (its slots are synced
again) or ``{"event": "booking_update", "booking": {"uuid": "..."}}`` (that booking is
reconciled). The work is queued, never done in the request: the answer is 202.
"""
import hashlib
import hmac
import time

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.coordination.models import SupplierReservation, VendorResponse
from apps.coordination.services.bookings import SUPPLIER_TASK, vendor_respond
from apps.core.commit import enqueue
from apps.core.errors import Forbidden
from apps.core.ids import parse_int
from apps.vendors.models import Vendor

from .bookings import BookingRespondInput
from .parsers import parse_json
from .serializers import IdField
from .throttles import VendorHookThrottle

MAX_SKEW_SECONDS = 300
SYNC_TASK = "apps.vendors.supplier.vendor_sync"


class HookInput(BookingRespondInput):
    event_id = serializers.CharField(max_length=100)
    booking = IdField()

    def to_payload(self) -> dict:
        data = super().to_payload()
        data.pop("event_id")
        data.pop("booking")
        return data


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def signed_vendor(request, vendor_id: int) -> Vendor:
    """The active vendor whose ``webhook_secret`` signed this request within the allowed skew.
    Errors: 403 ``webhook.bad_signature`` (also for an unknown vendor: nothing is revealed),
    ``webhook.stale``."""
    timestamp = request.headers.get("X-Traveloure-Timestamp", "")
    signature = request.headers.get("X-Traveloure-Signature", "")
    vendor = Vendor.objects.filter(pk=vendor_id, is_active=True).select_related("user").first()
    if vendor is None or not vendor.webhook_secret or not signature_valid(vendor.webhook_secret, timestamp,
                                                                          request.body, signature):
        raise Forbidden(_("Bad signature."), code="webhook.bad_signature")
    sent_at = parse_int(timestamp)
    if sent_at is None or abs(time.time() - sent_at) > MAX_SKEW_SECONDS:
        raise Forbidden(_("The timestamp is too old or in the future."), code="webhook.stale")
    return vendor


class VendorHookView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VendorHookThrottle]

    @extend_schema(request=HookInput, responses={200: dict})
    def post(self, request, vendor_id: int):
        vendor = signed_vendor(request, vendor_id)
        data = HookInput(data=parse_json(request.body))
        data.is_valid(raise_exception=True)
        booking, replayed = vendor_respond(
            booking_id=data.validated_data["booking"], vendor=vendor, channel=VendorResponse.Channel.WEBHOOK,
            action=data.validated_data["action"], dedupe_key=f"webhook:{data.validated_data['event_id']}",
            payload=data.to_payload())
        return Response({"booking": booking.pk, "status": booking.status, "reference": booking.reference,
                         "replayed": replayed})


class OctoHookBooking(serializers.Serializer):
    uuid = serializers.CharField(max_length=36)


class OctoHookInput(serializers.Serializer):
    event = serializers.ChoiceField(choices=["availability_update", "booking_update"])
    booking = OctoHookBooking(required=False)


class OctoHookView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VendorHookThrottle]

    @extend_schema(request=OctoHookInput, responses={202: dict})
    def post(self, request, vendor_id: int):
        vendor = signed_vendor(request, vendor_id)
        data = OctoHookInput(data=parse_json(request.body))
        data.is_valid(raise_exception=True)
        queued = None
        if data.validated_data["event"] == "availability_update":
            enqueue(SYNC_TASK, vendor.pk)
            queued = "sync"
        elif "booking" in data.validated_data:
            booking_id = (SupplierReservation.objects.filter(uuid=data.validated_data["booking"]["uuid"],
                                                             booking__vendor=vendor)
                          .values_list("booking_id", flat=True).first())
            if booking_id is not None:
                enqueue(SUPPLIER_TASK, booking_id)
                queued = "reconcile"
        return Response({"queued": queued}, status=202)
