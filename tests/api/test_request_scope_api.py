"""``GET /api/v1/requests/…`` follows the live feed's rule for vendors: a vendor with a live
booking reads only its slice of the request (no budget, preferences or notes, nothing of
the flow), and once its bookings there all ended the request is gone (404)."""
import pytest
from rest_framework.test import APIClient

from apps.coordination.access import VENDOR_REQUEST_FIELDS
from apps.coordination.services.bookings import booking_cancel, booking_request
from apps.requests.models import ExperienceRequest
from apps.vendors.models import Confirmation
from tests.factories import make_booking_state, make_expert, make_offering, make_slot, make_vendor

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def booked():
    state = make_booking_state(expert=make_expert())
    ExperienceRequest.objects.filter(pk=state.request_id).update(notes="Anniversary trip: surprise dinner")
    vendor = make_vendor(confirmation=Confirmation.MANUAL)
    booking = booking_request(state_id=state.pk, actor=state.request.traveler,
                              slot_id=make_slot(make_offering(vendor)).pk, quantity=2)
    return state, vendor, booking


def test_vendor_reads_only_its_slice_while_the_booking_is_live(booked):
    state, vendor, _booking = booked
    client, url = _client(vendor.user), f"/api/v1/requests/{state.request_id}/"
    detail = client.get(url).json()
    assert set(detail) == set(VENDOR_REQUEST_FIELDS)
    assert detail["traveler"] == state.request.traveler.display_name()
    assert detail["travelers"] == {"adults": 2, "children": 0}
    assert [r["id"] for r in client.get("/api/v1/requests/").json()["results"]] == [state.request_id]
    for part in ("itinerary/", "recommendations/", "consultations/", "matches/", "events/"):
        assert client.get(url + part).status_code == 404, part
    # The traveler still reads the whole request.
    whole = _client(state.request.traveler).get(url).json()
    assert whole["budget"]["max"] == "5000.00" and whole["notes"].startswith("Anniversary")


def test_vendor_loses_the_request_when_its_booking_is_cancelled(booked):
    state, vendor, booking = booked
    booking_cancel(booking_id=booking.pk, actor=state.request.traveler)
    client = _client(vendor.user)
    assert client.get(f"/api/v1/requests/{state.request_id}/").status_code == 404
    assert client.get("/api/v1/requests/").json()["results"] == []
    # Its own booking stays in its list: the vendor's history.
    assert [b["id"] for b in client.get("/api/v1/bookings/").json()["results"]] == [booking.pk]
