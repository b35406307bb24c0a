import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import Booking, VendorResponse
from apps.coordination.services.bookings import booking_confirm
from apps.vendors.models import Confirmation, Slot
from tests.factories import make_offering, make_slot, make_user, make_vendor
from tests.factories.bookings import request_booking

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _booking(vendor, *, start=None, quantity=1):
    return request_booking(vendor=vendor, start=start, quantity=quantity)


@pytest.fixture
def vendor():
    return make_vendor(confirmation=Confirmation.MANUAL)


@pytest.mark.parametrize("name", ["vendor:home", "vendor:slots"])
def test_gate_anonymous_redirected_other_roles_refused(name):
    from django.urls import reverse

    url = reverse(name)
    assert Client().get(url).status_code == 302
    for role in (Role.TRAVELER, Role.EXPERT, Role.STAFF):
        assert _client(make_user(role)).get(url).status_code == 403


@pytest.mark.parametrize("path", ["/vendor/bookings/{id}/respond/", "/vendor/bookings/{id}/arrived/"])
def test_other_vendors_booking_is_not_found(vendor, path):
    booking = _booking(vendor)
    response = _client(make_vendor().user).post(path.format(id=booking.pk), {"action": "accept", "nonce": "n"})
    assert response.status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "pending"


def test_dashboard_shows_only_own_bookings_with_deadline(vendor, django_assert_max_num_queries):
    mine = [_booking(vendor) for _ in range(3)]
    theirs = _booking(make_vendor(confirmation=Confirmation.MANUAL))
    client = _client(vendor.user)
    with django_assert_max_num_queries(12):
        page = client.get("/vendor/").content.decode()
    for booking in mine:
        assert f'id="booking-{booking.pk}"' in page
    assert f'id="booking-{theirs.pk}"' not in page and theirs.offering.title not in page
    assert "data-countdown" in page and "Answer within" in page
    assert theirs.state.request.traveler.username not in page


def test_accept_from_portal_double_submit_is_one_answer(vendor):
    booking = _booking(vendor)
    client = _client(vendor.user)
    form = {"action": "accept", "nonce": "abc123", "reference": "INN-4"}
    client.post(f"/vendor/bookings/{booking.pk}/respond/", form)
    response = client.post(f"/vendor/bookings/{booking.pk}/respond/", form, follow=True)
    booking.refresh_from_db()
    assert (booking.status, booking.reference) == ("confirmed", "INN-4")
    assert VendorResponse.objects.filter(booking=booking, channel="portal").count() == 1
    assert response.status_code == 200


def test_decline_without_reason_shows_error_and_keeps_booking(vendor):
    booking = _booking(vendor)
    response = _client(vendor.user).post(f"/vendor/bookings/{booking.pk}/respond/",
                                         {"action": "decline", "nonce": "n1"}, follow=True)
    assert "Say why the request is declined" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "pending"


def test_propose_from_portal(vendor):
    booking = _booking(vendor)
    other = make_slot(booking.offering, start=booking.slot.start + dt.timedelta(hours=4), capacity=2)
    _client(vendor.user).post(f"/vendor/bookings/{booking.pk}/respond/",
                              {"action": "propose", "nonce": "n2", "slot": other.pk, "note": "later?"})
    assert Booking.objects.get(pk=booking.pk).proposal["slot"] == other.pk


def test_check_in_today(vendor):
    booking = _booking(vendor, start=timezone.now() + dt.timedelta(minutes=45))
    booking_confirm(booking_id=booking.pk, actor=vendor.user)
    client = _client(vendor.user)
    assert "Check in" in client.get("/vendor/").content.decode()
    client.post(f"/vendor/bookings/{booking.pk}/arrived/")
    assert Booking.objects.get(pk=booking.pk).arrived_at is not None


def test_bulk_slots_in_vendor_time_zone(vendor):
    offering = make_offering(vendor, duration_min=90)
    first = timezone.localdate() + dt.timedelta(days=3)
    response = _client(vendor.user).post("/vendor/slots/bulk/", {
        "offering": offering.pk, "first_date": first.isoformat(), "last_date": (first + dt.timedelta(days=2)).isoformat(),
        "times": "09:00, 14:00", "capacity": 12})
    assert response.status_code == 302
    slots = list(Slot.objects.filter(offering=offering).order_by("start"))
    assert len(slots) == 6 and all(s.capacity_total == s.capacity_available == 12 for s in slots)
    local = [s.start.astimezone(ZoneInfo("Asia/Tokyo")) for s in slots]
    assert [t.strftime("%H:%M") for t in local[:2]] == ["09:00", "14:00"] and local[0].date() == first
    assert slots[0].end - slots[0].start == dt.timedelta(minutes=90)
    # Re-running creates nothing twice; another vendor's offering is refused.
    _client(vendor.user).post("/vendor/slots/bulk/", {
        "offering": offering.pk, "first_date": first.isoformat(), "last_date": first.isoformat(),
        "times": "09:00", "capacity": 12})
    assert Slot.objects.filter(offering=offering).count() == 6
    foreign = make_offering(make_vendor())
    bad = _client(vendor.user).post("/vendor/slots/bulk/", {
        "offering": foreign.pk, "first_date": first.isoformat(), "last_date": first.isoformat(),
        "times": "9h", "capacity": 1})
    assert bad.status_code == 400 and not Slot.objects.filter(offering=foreign).exists()


def test_capacity_change_respects_held_seats(vendor):
    booking = _booking(vendor, quantity=3)
    client = _client(vendor.user)
    page = client.get("/vendor/slots/").content.decode()
    assert re.search(rf'id="slot-{booking.slot_id}"', page)
    response = client.post(f"/vendor/slots/{booking.slot_id}/capacity/", {"capacity_total": 2}, follow=True)
    assert "already held" in response.content.decode()
    client.post(f"/vendor/slots/{booking.slot_id}/capacity/", {"capacity_total": 10})
    slot = Slot.objects.get(pk=booking.slot_id)
    assert (slot.capacity_total, slot.capacity_available) == (10, 7)
    other = make_slot(make_offering(make_vendor()))
    assert client.post(f"/vendor/slots/{other.pk}/capacity/", {"capacity_total": 1}).status_code == 404


def test_arrivals_list_matches_the_check_in_window(vendor):
    from apps.coordination.selectors import vendor_booking_board

    soon = _booking(vendor, start=timezone.now() + dt.timedelta(hours=1))
    tomorrow = _booking(vendor, start=timezone.now() + dt.timedelta(hours=20))
    for booking in (soon, tomorrow):
        booking_confirm(booking_id=booking.pk, actor=vendor.user)
    board = vendor_booking_board(vendor.user)
    assert [b.pk for b in board["arrivals"]] == [soon.pk]
    assert {b.pk for b in board["upcoming"]} == {soon.pk, tomorrow.pk}
