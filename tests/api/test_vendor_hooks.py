import hashlib
import hmac
import json
import time

import pytest
from rest_framework.test import APIClient

from apps.coordination.models import Booking, Event, VendorResponse
from apps.vendors.models import Confirmation
from tests.factories import make_vendor
from tests.factories.bookings import request_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    return request_booking(vendor=make_vendor(confirmation=Confirmation.MANUAL, webhook_secret="s3cret"), capacity=3)


def _post(vendor_id, body: dict, *, secret="s3cret", timestamp=None, signature=None):
    raw = json.dumps(body).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature or hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return APIClient().post(f"/api/v1/vendor-hooks/{vendor_id}/", raw, content_type="application/json",
                            headers={"X-Traveloure-Timestamp": ts, "X-Traveloure-Signature": sig})


def test_signed_accept_and_replay_is_harmless(booking):
    body = {"event_id": "evt-1", "booking": booking.pk, "action": "accept", "reference": "VND-77"}
    first = _post(booking.vendor_id, body)
    assert first.status_code == 200, first.json()
    assert first.json() == {"booking": booking.pk, "status": "confirmed", "reference": "VND-77", "replayed": False}
    replay = _post(booking.vendor_id, body)
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    assert VendorResponse.objects.filter(booking=booking, channel="webhook").count() == 1
    assert Event.objects.filter(state_id=booking.state_id, type="booking.confirmed").count() == 1


def test_bad_signature_unknown_vendor_and_stale_timestamp_refused(booking):
    body = {"event_id": "evt-2", "booking": booking.pk, "action": "decline", "reason": "full"}
    wrong = _post(booking.vendor_id, body, secret="guess")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "webhook.bad_signature")
    assert _post(booking.vendor_id, body, signature="sha256=00").status_code == 403
    assert _post(10**9, body).status_code == 403
    stale = _post(booking.vendor_id, body, timestamp=int(time.time()) - 600)
    assert (stale.status_code, stale.json()["code"]) == (403, "webhook.stale")
    assert Booking.objects.get(pk=booking.pk).status == "pending" and not VendorResponse.objects.exists()


def test_vendor_cannot_answer_another_vendors_booking(booking):
    other = make_vendor(webhook_secret="other")
    response = _post(other.pk, {"event_id": "e", "booking": booking.pk, "action": "accept"}, secret="other")
    assert response.status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "pending"


def test_decline_through_hook_and_invalid_body(booking):
    assert _post(booking.vendor_id, {"event_id": "e3", "booking": booking.pk}).status_code == 400
    response = _post(booking.vendor_id, {"event_id": "e4", "booking": booking.pk, "action": "decline",
                                         "reason": "Closed"})
    assert response.json()["status"] == "declined"
    assert Booking.objects.get(pk=booking.pk).slot.capacity_available == 3
