"""Writes of the itineraries app. Called by the coordination engine inside its
transaction: nothing here opens its own side effects."""
from __future__ import annotations

from django.db.models import Max

from .models import Day, Item, Itinerary, ItineraryState
from .planner.plan import Plan


def itinerary_create_from_plan(*, request, plan: Plan, author_role: str) -> Itinerary:
    """Store ``plan`` as the request's next itinerary version (state draft).

    Precondition: the caller holds the request's coordination lock (the engine command),
    so version numbers cannot race. Writes one Itinerary (with the plan's ``data_notes``),
    its Days and Items (times in UTC); no events, no after-commit work. Returns the new itinerary.
    """
    latest = Itinerary.objects.filter(request=request).aggregate(v=Max("version"))["v"] or 0
    itinerary = Itinerary.objects.create(
        request=request, version=latest + 1, state=ItineraryState.DRAFT, author_role=author_role,
        time_zone=plan.time_zone, currency=plan.currency, total=plan.total, left_out=plan.left_out,
        conflicts=plan.conflicts, data_notes=plan.data_notes,
    )
    days = Day.objects.bulk_create(
        [Day(itinerary=itinerary, date=d.date, weather=d.weather, notes=d.notes) for d in plan.days])
    Item.objects.bulk_create([
        Item(day=day, position=position, kind=item.kind, title=item.title, start=item.start, end=item.end,
             offering_id=item.offering_id, slot_id=item.slot_id, place_id=item.place_id, place_name=item.place_name,
             lat=item.lat, lon=item.lon, price=item.price, currency=plan.currency if item.price is not None else "",
             travel_from_previous_min=item.travel_from_previous_min, reasoning=item.reasoning, tips=item.tips,
             pinned=item.pinned)
        for day, plan_day in zip(days, plan.days) for position, item in enumerate(plan_day.items)
    ])
    return itinerary


def itinerary_save_state(*, itinerary: Itinerary) -> None:
    """Save the state coordination just moved ``itinerary`` to through its table
    (``apps.coordination.phases.ITINERARIES``); called inside the engine command, which
    records the event."""
    itinerary.save(update_fields=["state", "updated_at"])
