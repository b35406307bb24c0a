"""Trips for the trip guard's tests and bench: a browse-path Tokyo request in planning with
a current itinerary written with the ORM (a hotel stay over every night, a museum, a
dinner) that the guard finds nothing wrong with; tests then break one thing at a time.

Test set-up only: rows are placed without the engine, the way the planner and the
booking flow leave them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.coordination.models import Booking, CoordinationState
from apps.coordination.phases import BookingStatus
from apps.itineraries.models import Day, Item, Itinerary, ItineraryState, Place
from apps.requests.legs import legs_validate

from . import intake, make_offering, make_place, make_request, make_slot, make_vendor
from .bookings import make_booking

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass
class Trip:
    state: CoordinationState
    itinerary: Itinerary
    days: list[Day]
    stay: Item
    museum: Item
    dinner: Item

    @property
    def start(self) -> dt.date:
        return self.state.request.start_date

    def at(self, day: int, hh: int, mm: int = 0) -> dt.datetime:
        """Local Tokyo time on day ``day`` (0 = the first) of the trip."""
        return dt.datetime.combine(self.start + dt.timedelta(days=day), dt.time(hh, mm), TOKYO)

    def item(self, day: int, hh: int, mm: int = 0, *, minutes: int = 60, title: str = "Walk", kind: str = "activity",
             lat: float = 35.68, lon: float = 139.76, **fields) -> Item:
        start = self.at(day, hh, mm)
        return Item.objects.create(day=self.days[day], kind=kind, title=title, start=start,
                                   end=start + dt.timedelta(minutes=minutes), place_name=title, lat=lat, lon=lon,
                                   **fields)

    def booking(self, day: int, hh: int, mm: int = 0, *, minutes: int = 60, vendor=None,
                status: str = BookingStatus.CONFIRMED, lat: float = 35.68, lon: float = 139.76, opening_hours: str = "",
                **fields) -> Booking:
        """A vendor visit of the plan with its booking (status ``status``)."""
        vendor = vendor or make_vendor(lat=lat, lon=lon)
        offering = make_offering(vendor, duration_min=minutes, lat=lat, lon=lon, opening_hours=opening_hours)
        slot = make_slot(offering, start=self.at(day, hh, mm))
        item = self.item(day, hh, mm, minutes=minutes, title=offering.title, lat=lat, lon=lon, offering=offering,
                         slot=slot)
        return make_booking(self.state, slot=slot, item=item, status=status, **fields)

    def set_legs(self, **legs) -> None:
        """Store legs as the intake would (validated), without an event."""
        request = self.state.request
        stored, errors = legs_validate(legs.get("arrival"), legs.get("departure"), start=request.start_date,
                                       end=request.end_date)
        assert not errors, errors
        request.arrival, request.departure = stored["arrival"], stored["departure"]
        request.save(update_fields=["arrival", "departure"])

    def fresh(self) -> CoordinationState:
        return CoordinationState.objects.select_related("request", "expert").get(pk=self.state.pk)


def make_trip(*, days: int = 4, traveler=None, state=None) -> Trip:
    """A ``days``-day Tokyo trip in planning (browse path) whose plan the guard finds sound:
    a hotel from 15:00 on day 0 to 11:00 on the last day, the museum (open 09–17) at 10:00
    and a dinner at 19:30 on day 1."""
    state = state or make_request(traveler, path="browse", **_dates(days))
    request = state.request
    itinerary = Itinerary.objects.create(request=request, version=1, state=ItineraryState.PROPOSED,
                                         author_role="traveler", time_zone=request.time_zone, currency="USD",
                                         total=Decimal("900"))
    day_rows = [Day.objects.create(itinerary=itinerary, date=request.start_date + dt.timedelta(days=d))
                for d in range(days)]
    CoordinationState.objects.filter(pk=state.pk).update(current_itinerary=itinerary)
    trip = Trip(state=state, itinerary=itinerary, days=day_rows, stay=None, museum=None, dinner=None)
    trip.stay = Item.objects.create(day=day_rows[0], kind="stay", title="Hotel Gracery Shinjuku",
                                    start=trip.at(0, 15), end=trip.at(days - 1, 11), place_name="Hotel Gracery",
                                    lat=35.6945, lon=139.7017, price=Decimal("600"), currency="USD")
    museum = Place.objects.filter(city="Tokyo", name="Tokyo National Museum").first() or make_place(
        name="Tokyo National Museum", lat=35.7188, lon=139.7765)
    trip.museum = trip.item(1, 10, title=museum.name, lat=museum.lat, lon=museum.lon, place=museum)
    trip.dinner = trip.item(1, 19, 30, minutes=90, title="Izakaya dinner", kind="meal", lat=35.6933, lon=139.6995,
                            price=Decimal("40"), currency="USD")
    trip.state = trip.fresh()
    return trip


def _dates(days: int) -> dict:
    start = intake().start_date
    return {"start_date": start, "end_date": start + dt.timedelta(days=days - 1)}
