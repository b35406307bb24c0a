"""Calendar files (``icalendar``): one booking per VEVENT, its kind told by its summary
and categories, a flight's airports by their codes ("LIS → NRT")."""
from __future__ import annotations

import datetime as dt
import re

import icalendar
from icalendar.error import BrokenCalendarProperty
from django.utils.translation import gettext as _

from .found import Found, Reading, Unreadable
from .places import Context, airport
from .text import DEFAULT_CHECKIN, DEFAULT_CHECKOUT, fields

_KINDS = (("flight", re.compile(r"\bflight\b|✈", re.I)), ("train", re.compile(r"\btrain\b|\brail|shinkansen", re.I)),
          ("stay", re.compile(r"\bhotel\b|\bstay\b|check-in|accommodation|\bryokan\b|\bhostel\b", re.I)),
          ("restaurant", re.compile(r"restaurant|dinner|lunch|\btable\b", re.I)),
          ("car", re.compile(r"car rental|rental car|\bpick-up\b", re.I)))
_ROUTE = re.compile(r"\b([A-Z]{3})\s*(?:→|->|–|-|to)\s*([A-Z]{3})\b")


def _kind(text: str) -> str:
    return next((kind for kind, pattern in _KINDS if pattern.search(text)), "event")


def _value(event, name: str):
    """The date or date-time of ``name``; None when missing or broken (icalendar keeps a
    value it could not parse as a "broken" property that raises on access)."""
    try:
        return event.get(name).dt
    except (AttributeError, ValueError, BrokenCalendarProperty):
        return None


def _moment(value, default: dt.time, notes: list[str], what: str) -> dt.datetime | None:
    """A DTSTART/DTEND value as a datetime: an all-day date gets ``default``, said in a note."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        notes.append(_("%(what)s is a whole day in the calendar: %(time)s assumed.")
                     % {"what": what, "time": default.strftime("%H:%M")})
        return dt.datetime.combine(value, default)
    return None


def read_ics(data: bytes, ctx: Context, reading: Reading) -> None:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError:
        raise Unreadable(_("This calendar file is malformed."), code="import.malformed") from None
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY") or "").strip()
        description = str(event.get("DESCRIPTION") or "")
        categories = event.get("CATEGORIES")
        category_text = " ".join(str(c) for cat in (categories if isinstance(categories, list) else [categories])
                                 if cat is not None for c in getattr(cat, "cats", [cat]))
        kind = _kind(f"{category_text} {summary}")
        location = str(event.get("LOCATION") or "").strip()
        notes: list[str] = []
        origin = None
        route = _ROUTE.search(summary)
        if kind == "flight" and route and airport(route.group(1)) and airport(route.group(2)):
            origin, place = airport(route.group(1)), airport(route.group(2))
        else:
            described = fields(description)
            place = ctx.place(location or summary, city=described.get("city", ""))
        defaults = (DEFAULT_CHECKIN, DEFAULT_CHECKOUT) if kind == "stay" else (dt.time(0), dt.time(0))
        start = _moment(_value(event, "DTSTART"), defaults[0], notes, _("The start"))
        end = _moment(_value(event, "DTEND"), defaults[1], notes, _("The end"))
        if start is None or not place.name:
            reading.unreadable.append(_("The calendar event “%(title)s” has no start or no place.")
                                      % {"title": summary or "?"})
            continue
        start = ctx.localize(start, origin or place, notes)
        end = ctx.localize(end, place, notes) if end is not None else None
        reading.items.append(Found(kind=kind, title=summary[:200] or kind, start=start, end=end, place=place,
                                   origin=origin, reference=fields(description).get("reference", "")[:80],
                                   notes=notes))
