"""Vendor portal pages: the dashboard's live fragments (``?part=``) and the slot list's
pagination and filters, always scoped to the signed-in vendor."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.services.bookings import booking_confirm, booking_request
from apps.vendors.models import Confirmation, Slot
from tests.factories import make_booking_state, make_offering, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db
HOME, SLOTS = reverse("vendor:home"), reverse("vendor:slots")
TOKYO = ZoneInfo("Asia/Tokyo")


def request_booking(vendor, *, start=None):
    """A traveler asks for one seat of a new slot of ``vendor`` (pending for a manual vendor)."""
    slot = make_slot(make_offering(vendor), capacity=4, start=start)
    state = make_booking_state()
    return booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=slot.pk, quantity=1)


@pytest.fixture
def vendor():
    return make_vendor(confirmation=Confirmation.MANUAL)


def slot_rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="slot-(\d+)"', html)]


def test_dashboard_listens_on_the_vendor_feed(client, vendor):
    client.force_login(vendor.user)
    html = client.get(HOME).content.decode()
    assert 'data-live-socket="/ws/me/"' in html
    for part in ("stats", "pending", "upcoming"):
        assert f'data-live-refresh="{HOME}?part={part}"' in html
    events = re.search(r'data-live-refresh="[^"]*part=pending" data-live-events="([^"]+)"', html).group(1).split()
    assert {"booking.requested", "booking.expired", "booking.confirmed"} <= set(events)


def test_pending_fragment_is_just_the_own_list(client, vendor, django_assert_max_num_queries):
    mine = [request_booking(vendor) for _ in range(2)]
    theirs = request_booking(make_vendor(confirmation=Confirmation.MANUAL))
    client.force_login(vendor.user)
    with django_assert_max_num_queries(10):
        response = client.get(HOME, {"part": "pending"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "<nav" not in html
    assert html.lstrip().startswith('<section class="card" aria-labelledby="pending-h">')
    assert [f"booking-{b.pk}" for b in mine] == re.findall(r'id="(booking-\d+)"', html)
    assert theirs.offering.title not in html
    assert html.count('name="nonce"') == 2 and "data-countdown" in html


def test_each_pending_answer_offers_the_own_free_slots(client, vendor):
    mine = [request_booking(vendor) for _ in range(2)]
    theirs = request_booking(make_vendor(confirmation=Confirmation.MANUAL))
    Slot.objects.filter(pk=mine[0].slot_id).update(capacity_available=0)
    client.force_login(vendor.user)
    html = client.get(HOME, {"part": "pending"}).content.decode()
    for booking in mine:
        select = re.search(rf'<select name="slot" id="b{booking.pk}_slot">(.*?)</select>', html).group(1)
        assert re.findall(r'<option value="(\d*)">', select) == ["", str(mine[1].slot_id)]
    assert theirs.offering.title not in html


def test_upcoming_fragment_follows_a_confirmation(client, vendor):
    booking = request_booking(vendor)
    other = request_booking(make_vendor(confirmation=Confirmation.MANUAL))
    booking_confirm(booking_id=other.pk, actor=other.vendor.user)
    client.force_login(vendor.user)
    before = client.get(HOME, {"part": "upcoming"}).content.decode()
    assert "<html" not in before and "No upcoming bookings." in before
    booking_confirm(booking_id=booking.pk, actor=vendor.user)
    after = client.get(HOME, {"part": "upcoming"}).content.decode()
    assert f'id="upcoming-{booking.pk}"' in after and f'id="upcoming-{other.pk}"' not in after
    assert 'id="pending-h"' not in after
    stats = client.get(HOME, {"part": "stats"}).content.decode()
    assert re.findall(r'<div class="stat">(\d+)</div>', stats) == ["0", "0", "1"]


def test_unknown_part_and_vendorless_login_are_404(client, vendor):
    client.force_login(vendor.user)
    assert client.get(HOME, {"part": "everything"}).status_code == 404
    client.force_login(make_user(Role.VENDOR))
    assert client.get(HOME).status_code == 200
    assert client.get(HOME, {"part": "pending"}).status_code == 404


def test_slots_are_paginated(client, vendor):
    offering = make_offering(vendor)
    first = timezone.now() + dt.timedelta(days=1)
    slots = Slot.objects.bulk_create([
        Slot(offering=offering, start=first + dt.timedelta(hours=n), end=first + dt.timedelta(hours=n, minutes=30),
             capacity_total=5, capacity_available=5, price=offering.base_price, currency=offering.currency)
        for n in range(60)])
    foreign = make_slot(make_offering(make_vendor()), start=first + dt.timedelta(minutes=5))
    client.force_login(vendor.user)
    page1 = client.get(SLOTS).content.decode()
    assert slot_rows(page1) == [s.pk for s in slots[:50]] and 'rel="next"' in page1 and "60 slots" in page1
    page2 = client.get(SLOTS, {"page": 2}).content.decode()
    assert slot_rows(page2) == [s.pk for s in slots[50:]] and 'rel="prev"' in page2
    assert foreign.pk not in slot_rows(page1) + slot_rows(page2)


def test_slots_filter_by_offering_and_local_dates(client, vendor):
    tour, dinner = make_offering(vendor, title="Tour"), make_offering(vendor, title="Dinner")
    day = timezone.now().astimezone(TOKYO).date() + dt.timedelta(days=5)
    late = make_slot(tour, start=dt.datetime.combine(day, dt.time(23, 30), TOKYO))
    early = make_slot(tour, start=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), TOKYO))  # UTC: `day`
    meal = make_slot(dinner, start=dt.datetime.combine(day, dt.time(19), TOKYO))
    client.force_login(vendor.user)

    assert slot_rows(client.get(SLOTS, {"offering": tour.pk}).content.decode()) == [late.pk, early.pk]
    on_day = client.get(SLOTS, {"date_from": day.isoformat(), "date_to": day.isoformat()}).content.decode()
    assert slot_rows(on_day) == [meal.pk, late.pk]
    both = client.get(SLOTS, {"offering": tour.pk, "date_from": (day + dt.timedelta(days=1)).isoformat()})
    assert slot_rows(both.content.decode()) == [early.pk]

    foreign = make_offering(make_vendor())
    refused = client.get(SLOTS, {"offering": foreign.pk, "date_from": "2030-02-02", "date_to": "2030-02-01"})
    html = refused.content.decode()
    assert "Select a valid choice" in html and "Pick a day on or after the first one." in html
    assert sorted(slot_rows(html)) == sorted([late.pk, early.pk, meal.pk])  # bad filters filter nothing


def test_pagination_links_keep_the_filters(client, vendor):
    offering = make_offering(vendor)
    start = timezone.now() + dt.timedelta(days=2)
    for n in range(51):
        make_slot(offering, start=start + dt.timedelta(hours=n))
    client.force_login(vendor.user)
    html = client.get(SLOTS, {"offering": offering.pk}).content.decode()
    assert f'href="?offering={offering.pk}&amp;page=2"' in html


def test_capacity_change_returns_to_the_same_page(client, vendor):
    slot = make_slot(make_offering(vendor))
    client.force_login(vendor.user)
    back = f"{SLOTS}?offering={slot.offering_id}&page=1"
    response = client.post(reverse("vendor:slot-capacity", args=[slot.pk]), {"capacity_total": 12, "next": back})
    assert response.status_code == 302 and response.url == f"{back}#slot-{slot.pk}"
    assert Slot.objects.get(pk=slot.pk).capacity_total == 12
    away = client.post(reverse("vendor:slot-capacity", args=[slot.pk]),
                       {"capacity_total": 11, "next": "https://evil.example/vendor/slots/"})
    assert away.url == f"{SLOTS}#slot-{slot.pk}"
