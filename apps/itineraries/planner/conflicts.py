"""Pinned visits (expert pins, items kept by a re-plan) and the conflicts they raise.

A pin asks for a candidate on a day at a minute. When the candidate cannot happen then
(no vendor slot, closed, rain on an outdoor visit) the best alternative is proposed:
the nearest usable time on the same day, else the nearest day; the change is recorded
as ``{"item", "resolution", "reason"}``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .build import DAY, Node, clip, dry
from .candidates import Candidate
from .hours import Window


@dataclass(frozen=True)
class Pin:
    """``key`` names a candidate; ``why`` tells the traveler where the pin comes from."""

    key: str
    title: str
    day: dt.date
    minute: int
    why: str
    fixed: Candidate | None = None  # set for a confirmed booking: kept as it is, no check
    movable: bool = True  # False: kept only if still valid at that time, else planned freely


@dataclass(frozen=True)
class Wish:
    """Something a person asked the plan to contain: at a local day and time (``pinned``)
    or just preferred. ``by`` is who asked ("expert" or "traveler"): the reason says so."""

    title: str
    offering_id: int | None = None
    pinned: bool = False
    day: dt.date | None = None
    start_time: dt.time | None = None
    by: str = "expert"


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _usable(cand: Candidate, day: dt.date, rain: Sequence[Window]) -> list[Window]:
    ranges = list(cand.windows.get(day, ()))
    return ranges if cand.indoor else dry(ranges, rain, cand.duration)


def _why_not(cand: Candidate, day: dt.date, minute: int, rain: Sequence[Window]) -> str:
    if not clip(cand.windows.get(day, ()), minute, minute):
        if cand.slots:
            return _("no vendor slot at %(time)s") % {"time": hhmm(minute)}
        return _("closed at %(time)s") % {"time": hhmm(minute)}
    r0, r1 = next((r0, r1) for r0, r1 in rain if r0 < minute + cand.duration and minute < r1)
    if r0 <= minute:
        return _("better weather: rain until %(time)s") % {"time": hhmm(r1)}
    return _("better weather: rain %(start)s–%(end)s") % {"start": hhmm(r0), "end": hhmm(r1)}


def _nearest(ranges: Sequence[Window], minute: int) -> int:
    return min((min(max(minute, a), b) for a, b in ranges), key=lambda m: (abs(m - minute), m))


def resolve(pin: Pin, cand: Candidate | None, days: Sequence[dt.date], rain: Mapping[dt.date, list]
            ) -> tuple[Node | None, dict | None]:
    """A forced node for the pin (moved if needed) and the conflict record, if any."""
    if (cand is None and pin.fixed is None) or pin.day not in days:
        return None, {"item": pin.title, "resolution": _("dropped"),
                      "reason": _("no longer available during the trip")}
    index = days.index
    if pin.fixed is not None:
        return Node(pin.fixed, ((index(pin.day) * DAY + pin.minute,) * 2,), forced=True, why_fixed=pin.why), None
    here = clip(_usable(cand, pin.day, rain.get(pin.day, ())), pin.minute, pin.minute)
    if here:
        return Node(cand, ((index(pin.day) * DAY + pin.minute,) * 2,), forced=True, why_fixed=pin.why), None
    if not pin.movable:
        return None, None
    reason = _why_not(cand, pin.day, pin.minute, rain.get(pin.day, ()))
    options = []
    for day in days:
        ranges = _usable(cand, day, rain.get(day, ()))
        if ranges:
            minute = _nearest(ranges, pin.minute)
            options.append((abs((day - pin.day).days), abs(minute - pin.minute), day, minute))
    if not options:
        return None, {"item": pin.title, "resolution": _("dropped"), "reason": reason}
    _d, _m, day, minute = min(options)
    if day == pin.day:
        resolution = _("moved to %(time)s") % {"time": hhmm(minute)}
    else:
        resolution = _("moved to %(day)s %(time)s") % {"day": date_format(day, "D j M"), "time": hhmm(minute)}
    node = Node(cand, ((index(day) * DAY + minute,) * 2,), forced=True,
                why_fixed=f"{pin.why} ({resolution}: {reason})")
    return node, {"item": pin.title, "resolution": resolution, "reason": reason}
