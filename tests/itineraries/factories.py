"""A finished 7-day Tokyo itinerary for the export tests: real rows, confirmed bookings.

Test setup only: the plan and its bookings are written with the ORM, the way the planner
and the booking flow would leave them; the coordination state points at the itinerary.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.models import Booking, CoordinationState
from apps.coordination.phases import BookingStatus
from apps.itineraries.models import Day, Item, Itinerary, ItineraryState
from tests.factories import make_expert, make_offering, make_request, make_slot, make_vendor
from tests.factories.bookings import make_booking

_refs = itertools.count(1)

# (title, kind, place, lat, lon, local start, minutes) — five real Tokyo stops per day, cycled.
STOPS = [
    ("Senso-ji Temple at opening", "activity", "Senso-ji", 35.7148, 139.7967, (8, 30), 90),
    ("Tsukiji Outer Market tasting walk", "activity", "Tsukiji Outer Market", 35.6655, 139.7707, (10, 30), 120),
    ("Vegetarian ramen lunch", "meal", "T's TanTan Tokyo Station", 35.6812, 139.7671, (13, 0), 60),
    ("Tokyo National Museum", "activity", "Tokyo National Museum", 35.7188, 139.7765, (14, 30), 150),
    ("Izakaya dinner in Omoide Yokocho", "meal", "Omoide Yokocho", 35.6933, 139.6995, (19, 0), 90),
    ("Meiji Jingu forest walk", "activity", "Meiji Jingu", 35.6764, 139.6993, (9, 0), 90),
    ("teamLab Planets", "activity", "teamLab Planets", 35.6492, 139.7898, (11, 0), 120),
    ("Shojin ryori lunch", "meal", "Daigo", 35.6586, 139.7454, (13, 30), 90),
    ("Imperial Palace East Gardens", "activity", "Imperial Palace East Gardens", 35.6852, 139.7528, (15, 30), 90),
    ("Shibuya Sky at sunset", "activity", "Shibuya Scramble Square", 35.6585, 139.7022, (17, 30), 90),
]
TIERS = [{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}]


def make_itinerary(*, state=None, traveler=None, days: int = 7, version: int = 1, confirmed_days=(0, 1, 3, 5),
                   with_expert: bool = True) -> Itinerary:
    """A ``days``-day approved itinerary (4 items on even days, 5 on odd ones) made current.

    On each day of ``confirmed_days`` the second item is a vendor offering with a confirmed
    booking (reference ``TRV-…``, price in JPY); other priced items are in USD.
    """
    state = state or make_request(traveler)
    request = state.request
    if with_expert and state.expert_id is None:
        state.expert = make_expert(booking_preference="handle_all", channel="chat", response_time_hours=4)
        CoordinationState.objects.filter(pk=state.pk).update(expert=state.expert)
    tz = ZoneInfo(request.time_zone)
    itinerary = Itinerary.objects.create(request=request, version=version, state=ItineraryState.APPROVED,
                                         author_role="expert", time_zone=request.time_zone, currency="USD")
    tour = make_vendor(name="Tokyo Food Walks", vendor_type="tour", address="4-16-2 Tsukiji, Chuo City, Tokyo",
                       phone="+81 3-1234-5678", email="hello@foodwalks.example", cancellation_tiers=TIERS)
    for d in range(days):
        date = request.start_date + dt.timedelta(days=d)
        day = Day.objects.create(itinerary=itinerary, date=date, weather={"summary": "Sunny", "temp_min": 9,
                                                                          "temp_max": 17})
        for position in range(4 + d % 2):
            title, kind, place, lat, lon, (hh, mm), minutes = STOPS[(d * 2 + position) % len(STOPS)]
            start = dt.datetime.combine(date, dt.time(hh, mm), tz)
            item = Item.objects.create(
                day=day, position=position, kind=kind, title=title, start=start,
                end=start + dt.timedelta(minutes=minutes), place_name=place, lat=lat, lon=lon,
                price=Decimal("25.00") if kind == "meal" else None, currency="USD" if kind == "meal" else "",
                travel_from_previous_min=0 if position == 0 else 10 + 5 * position,
                tips=[f"Tip for {title}"], requirements=["Comfortable shoes", "IC card (Suica)"] if position == 1 else [],
                reasoning="Matches food and culture interests.",
            )
            if position == 1 and d in confirmed_days:
                _book(state, item, tour)
    CoordinationState.objects.filter(pk=state.pk).update(current_itinerary=itinerary)
    itinerary.refresh_from_db()
    return itinerary


def _book(state, item: Item, vendor) -> Booking:
    """Link ``item`` to an offering of ``vendor`` with a confirmed booking for two."""
    offering = make_offering(vendor, title=item.title, base_price=Decimal("8000"), currency="JPY", lat=item.lat,
                             lon=item.lon, duration_min=int((item.end - item.start).total_seconds() // 60))
    slot = make_slot(offering, start=item.start, capacity=10, capacity_available=8)
    Item.objects.filter(pk=item.pk).update(offering=offering, slot=slot, price=Decimal("16000"), currency="JPY")
    return make_booking(state, slot=slot, item=item, quantity=2, status=BookingStatus.CONFIRMED,
                        reference=f"TRV-{vendor.code}-{next(_refs):04d}", price=Decimal("16000.00"),
                        confirmed_at=item.start - dt.timedelta(days=20))


@pytest.fixture
def media_root(settings, tmp_path):
    """Rendered files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
