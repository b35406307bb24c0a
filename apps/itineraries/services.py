"""Writes of the itineraries app. Called by the coordination engine inside its
transaction: nothing here opens its own side effects."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Max

from .models import Day, Item, ItemKind, Itinerary, ItineraryState
from .planner.plan import Plan, PlanItem


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
        [Day(itinerary=itinerary, date=d.date, weather=d.weather, notes=d.notes, route=d.route) for d in plan.days])
    Item.objects.bulk_create([
        Item(day=day, position=position, kind=item.kind, title=item.title, start=item.start, end=item.end,
             offering_id=item.offering_id, slot_id=item.slot_id, place_id=item.place_id, place_name=item.place_name,
             lat=item.lat, lon=item.lon, price=item.price, currency=plan.currency if item.price is not None else "",
             travel_from_previous_min=item.travel_from_previous_min, reasoning=item.reasoning, tips=item.tips,
             pinned=item.pinned, offer=item.offer)
        for day, plan_day in zip(days, plan.days) for position, item in enumerate(plan_day.items)
    ])
    return itinerary


def itinerary_save_state(*, itinerary: Itinerary) -> None:
    """Save the state coordination just moved ``itinerary`` to through its table
    (``apps.coordination.phases.ITINERARIES``); called inside the engine command, which
    records the event."""
    itinerary.save(update_fields=["state", "updated_at"])


# --- the expert's draft: edited in place until it is sent (then immutable like every version) ---

def _day_for(itinerary: Itinerary, when) -> Day:
    """The draft's day of ``when`` (aware, destination time zone)."""
    day, _created = Day.objects.get_or_create(itinerary=itinerary, date=when.date())
    return day


def _after_edit(itinerary: Itinerary, *, out: Item | None = None, added_title: str = "", reason: str = "") -> None:
    """Keep the draft's total and its list of what was left out in step with its items: the
    item taken ``out`` becomes an alternative (with ``reason``), the one added is no longer one."""
    left_out = [entry for entry in itinerary.left_out if entry.get("title") != added_title]
    if out is not None and out.kind != ItemKind.STAY:
        left_out.insert(0, {"title": out.title, "reason": reason})
    itinerary.left_out = left_out
    itinerary.total = sum((price for price in Item.objects.filter(day__itinerary=itinerary)
                           .values_list("price", flat=True) if price is not None), Decimal(0))
    itinerary.save(update_fields=["left_out", "total", "updated_at"])


def draft_item_put(*, itinerary: Itinerary, entry: PlanItem, item: Item | None = None, reason: str = "") -> Item:
    """Write ``entry`` into the draft ``itinerary``: as a new item, or over ``item`` (a move
    keeps the item's own content, a replacement brings another's; the replaced one is then
    listed as an alternative with ``reason``). Precondition: the engine command holds the lock."""
    replaced = Item(title=item.title, kind=item.kind) if item is not None and item.title != entry.title else None
    item = item or Item()
    for name in ("kind", "title", "start", "end", "offering_id", "slot_id", "place_id", "place_name", "lat", "lon",
                 "price", "travel_from_previous_min", "reasoning", "tips", "pinned"):
        setattr(item, name, getattr(entry, name))
    item.day = _day_for(itinerary, entry.start)
    item.currency = itinerary.currency if entry.price is not None else ""
    item.save()
    _after_edit(itinerary, out=replaced, added_title=entry.title, reason=reason)
    return item


def draft_item_remove(*, item: Item, reason: str) -> None:
    """Take ``item`` out of its draft; it is listed as an alternative with ``reason``."""
    itinerary = item.day.itinerary
    item.delete()
    _after_edit(itinerary, out=item, reason=reason)


def draft_relink(*, itinerary: Itinerary, minutes: Callable[[tuple, tuple], int]) -> None:
    """Set every draft item's travel from the previous stop of its day (the hotel first),
    as the planner does, after an edit moved, added or removed a stop. ``minutes(a, b)``
    gives the travel time between two (lat, lon) points; a stop without a place (a meal
    "of your choice") has no travel and leaves the previous stop as it was; without a
    hotel, a day's first stop keeps the travel the planner gave it."""
    items = list(Item.objects.filter(day__itinerary=itinerary).order_by("day__date", "start", "position"))
    hotel = next(((item.lat, item.lon) for item in items if item.kind == ItemKind.STAY and item.lat is not None), None)
    changed, previous, date = [], None, None
    for item in (item for item in items if item.kind != ItemKind.STAY):
        if item.day_id != date:
            previous, date = hotel, item.day_id
        here = (item.lat, item.lon) if item.lat is not None and item.lon is not None else None
        if previous is None and here:  # the day's first stop with no hotel: the planner's start stays
            previous = here
            continue
        travel = minutes(previous, here) if here else 0
        previous = here or previous
        if item.travel_from_previous_min != travel:
            item.travel_from_previous_min = travel
            changed.append(item)
    Item.objects.bulk_update(changed, ["travel_from_previous_min"])


def draft_item_annotate(*, item: Item, pinned: bool | None = None, tips: list[str] | None = None) -> Item:
    """Pin or unpin a draft item (a pinned item stays where it is when the planner runs
    again), or set its tips (the expert's notes to the traveler)."""
    if pinned is not None:
        item.pinned = pinned
    if tips is not None:
        item.tips = tips
    item.save(update_fields=["pinned", "tips"])
    return item
