"""``/api/v1/vendor-hooks/<vendor_id>/``: a vendor system answers booking requests.

Authentication is the signature, not a session: ``X-Traveloure-Signature`` is the hex
HMAC-SHA256 of ``timestamp + "." + raw body`` with the vendor's ``webhook_secret``, and
``X-Traveloure-Timestamp`` (Unix seconds) must be within five minutes. Body:
``{"event_id": "...", "booking": id, "action": "accept|decline|propose", "reference",
"reason", "slot", "price", "note"}``. ``event_id`` is the dedupe key: replays are harmless.
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

from apps.coordination.models import VendorResponse
from apps.coordination.services.bookings import vendor_respond
from apps.core.errors import Forbidden
from apps.core.ids import parse_int
from apps.vendors.models import Vendor

from .bookings import BookingRespondInput
from .parsers import parse_json
from .serializers import IdField
from .throttles import VendorHookThrottle

MAX_SKEW_SECONDS = 300


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


class VendorHookView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VendorHookThrottle]

    @extend_schema(request=HookInput, responses={200: dict})
    def post(self, request, vendor_id: int):
        raw = request.body
        timestamp = request.headers.get("X-Traveloure-Timestamp", "")
        signature = request.headers.get("X-Traveloure-Signature", "")
        vendor = Vendor.objects.filter(pk=vendor_id, is_active=True).select_related("user").first()
        # Unknown vendor and bad signature answer alike: nothing is revealed.
        if vendor is None or not vendor.webhook_secret or not signature_valid(vendor.webhook_secret, timestamp, raw,
                                                                              signature):
            raise Forbidden(_("Bad signature."), code="webhook.bad_signature")
        sent_at = parse_int(timestamp)
        if sent_at is None or abs(time.time() - sent_at) > MAX_SKEW_SECONDS:
            raise Forbidden(_("The timestamp is too old or in the future."), code="webhook.stale")
        data = HookInput(data=parse_json(raw))
        data.is_valid(raise_exception=True)
        booking, replayed = vendor_respond(
            booking_id=data.validated_data["booking"], vendor=vendor, channel=VendorResponse.Channel.WEBHOOK,
            action=data.validated_data["action"], dedupe_key=f"webhook:{data.validated_data['event_id']}",
            payload=data.to_payload())
        return Response({"booking": booking.pk, "status": booking.status, "reference": booking.reference,
                         "replayed": replayed})
