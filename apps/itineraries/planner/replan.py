"""Re-planning: a new plan from an existing itinerary after a change.

Items with a confirmed booking stay exactly where they are; every other item stays in
place when it is still valid (still open, free, dry); the rest of the time is planned
again. The caller stores the plan as the next version.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from apps.itineraries.models import Item, ItemKind

from .candidates import Candidate
from .conflicts import Pin, hhmm
from .plan import Plan
from .service import plan_for_request
from .stay import Stay

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Change:
    """What happened: declined bookings' offerings, items the traveler rejected, new weather."""

    declined_offering_ids: Collection[int] = ()
    rejected_item_ids: Collection[int] = ()
    weather: Mapping = field(default_factory=dict)  # date → DayWeather dict, overrides the stored one


def item_key(item: Item) -> str:
    if item.offering_id:
        return f"offering:{item.offering_id}"
    return f"place:{item.place_id}" if item.place_id else ""


def _fixed(item: Item, key: str, day: dt.date, minute: int) -> Candidate:
    return Candidate(key=key, title=item.title, kind=item.kind, lat=item.lat or 0.0, lon=item.lon or 0.0,
                     duration=int((item.end - item.start).total_seconds() // 60), windows={day: ((minute, minute),)},
                     price=item.price, indoor=True, offering_id=item.offering_id, place_id=item.place_id,
                     slots={(day, minute): item.slot_id} if item.slot_id else {})


def _booked_stay(item: Item | None, tz) -> Stay | None:
    """The stay of a confirmed booking, kept as it is (hotel, nights, times, price, offer):
    re-planning never swaps a booked hotel for another."""
    if item is None or not any(b.status == CONFIRMED for b in item.bookings.all()):
        return None
    start, end = item.start.astimezone(tz), item.end.astimezone(tz)
    nights = max((end.date() - start.date()).days, 1)
    return Stay(item.title, item.lat or 0.0, item.lon or 0.0, item.offering_id, (item.price or Decimal(0)) / nights, nights,
                _("kept: booking confirmed"), start.hour * 60 + start.minute, end.hour * 60 + end.minute,
                offer=item.offer)


def _where(plan_items) -> dict[str, tuple[str, str]]:
    return {i.key: (i.title, i.start.isoformat()) for i in plan_items if i.key and i.kind != ItemKind.STAY}


def replan(itinerary, *, change: Change, wishes=(), seed: int = 0, time_limit: float = 1.0,
           max_iterations: int | None = None, now: dt.datetime | None = None) -> tuple[Plan, dict]:
    """Plan again around what still holds; returns the plan and ``{"added", "removed",
    "moved"}`` (lists of ``{"title", ...}``) relative to ``itinerary``. Read-only."""
    request = itinerary.request
    tz = ZoneInfo(itinerary.time_zone)
    items = list(Item.objects.filter(day__itinerary=itinerary).exclude(kind=ItemKind.STAY)
                 .select_related("day").prefetch_related("bookings"))
    pins, excluded_keys, before = [], set(), {}
    for item in items:
        key = item_key(item)
        if not key:
            continue
        local = item.start.astimezone(tz)
        minute = local.hour * 60 + local.minute
        before[key] = (item.title, local.isoformat())
        confirmed = any(b.status == CONFIRMED for b in item.bookings.all())
        if confirmed:
            pins.append(Pin(key, item.title, local.date(), minute, _("kept: booking confirmed"),
                            fixed=_fixed(item, key, local.date(), minute)))
        elif item.pk in change.rejected_item_ids or item.offering_id in change.declined_offering_ids:
            excluded_keys.add(key)
        else:
            pins.append(Pin(key, item.title, local.date(), minute,
                            _("kept from version %(v)d at %(time)s") % {"v": itinerary.version, "time": hhmm(minute)},
                            movable=False))
    stay = Item.objects.filter(day__itinerary=itinerary, kind=ItemKind.STAY).prefetch_related("bookings").first()
    weather = {d.date: d.weather for d in itinerary.days.all()}
    weather.update({(dt.date.fromisoformat(k) if isinstance(k, str) else k): v for k, v in change.weather.items()})
    plan = plan_for_request(request, wishes=wishes, exclude_offering_ids=change.declined_offering_ids,
                            exclude_keys=excluded_keys, keep=pins, weather=weather, seed=seed, time_limit=time_limit,
                            max_iterations=max_iterations, now=now, kept_stay=_booked_stay(stay, tz))
    after = _where(plan.items)
    diff = {
        "added": [{"title": after[k][0], "start": after[k][1]} for k in after if k not in before],
        "removed": [{"title": before[k][0], "start": before[k][1]} for k in before if k not in after],
        "moved": [{"title": after[k][0], "from": before[k][1], "to": after[k][1]}
                  for k in after if k in before and before[k][1] != after[k][1]],
    }
    return plan, diff
