"""Labelled text (plain e-mails, the text of PDFs, HTML without markup): "Flight: TP 1234",
"Check-in: 10 Jan 2027 15:00", "Booking reference: X7K2P9"… One booking per document; its
kind is told by which labels are there."""
from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from .found import Found, Reading, money
from .places import Context

LABELS = {
    "flight": ("flight", "flight number"),
    "train": ("train",),
    "hotel": ("hotel", "property", "accommodation", "lodging"),
    "restaurant": ("restaurant",),
    "event": ("event", "tour", "activity", "ticket for"),
    "car": ("car", "vehicle", "car rental"),
    "from": ("from", "departure station", "departure airport", "origin"),
    "to": ("to", "arrival station", "arrival airport", "destination"),
    "departure": ("departure", "departs", "departure time", "depart"),
    "arrival": ("arrival", "arrives", "arrival time", "arrive"),
    "checkin": ("check-in", "check in", "arrival date"),
    "checkout": ("check-out", "check out", "departure date"),
    "pickup": ("pick-up", "pick up", "pickup"),
    "pickup_time": ("pick-up time", "pick up time", "pickup time"),
    "dropoff": ("drop-off", "drop off", "return location", "dropoff"),
    "dropoff_time": ("drop-off time", "drop off time", "return time", "dropoff time"),
    "date": ("date",),
    "time": ("time",),
    "start": ("start", "starts", "begins", "doors"),
    "end": ("end", "ends"),
    "venue": ("venue", "location", "where"),
    "address": ("address",),
    "city": ("city", "town"),
    "guests": ("guests", "party size", "table for", "people"),
    "reference": ("booking reference", "confirmation number", "confirmation code", "reservation number",
                  "booking number", "reference", "pnr", "confirmation", "booking id", "order number"),
    "total": ("total", "total price", "amount paid", "price", "amount", "total paid"),
}
_BY_LABEL = {label: key for key, labels in LABELS.items() for label in labels}
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z /-]{1,30}?)\s*[:\t]\s*(\S.*?)\s*$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d %b %Y %H:%M",
                 "%d %B %Y %H:%M", "%a %d %b %Y %H:%M", "%A %d %B %Y %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d %b %Y",
                 "%d %B %Y", "%a %d %b %Y", "%A %d %B %Y", "%d/%m/%Y", "%H:%M")
_OFFSET = re.compile(r"\s*(?:UTC|GMT)?\s*([+-]\d{2}):?(\d{2})\s*$")
_ZONE_WORDS = re.compile(r"\s*\((?:local time|local)\)\s*$|\s+local time\s*$", re.IGNORECASE)
_PRICE = re.compile(r"(?:([A-Z]{3})\s*([\d.,]+)|([\d.,]+)\s*([A-Z]{3}))")
DEFAULT_CHECKIN, DEFAULT_CHECKOUT = dt.time(15), dt.time(11)


def fields(text: str) -> dict[str, str]:
    """The first value of each known label (lines "Label: value" or "Label<TAB>value")."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if match:
            key = _BY_LABEL.get(match.group(1).strip().lower())
            if key and key not in found:
                found[key] = match.group(2)
    return found


def when(text: str | None) -> dt.datetime | dt.time | None:
    """A written date-time ("10 Jan 2027 22:05 +09:00", "2027-01-10 14:05"), a bare date
    (midnight) or a bare time; aware only when an offset is written."""
    if not text:
        return None
    text = _ZONE_WORDS.sub("", text.replace(",", " ").replace(" at ", " "))
    offset = _OFFSET.search(text)
    tz = None
    if offset:
        sign = -1 if offset.group(1).startswith("-") else 1
        tz = dt.timezone(sign * dt.timedelta(hours=abs(int(offset.group(1))), minutes=int(offset.group(2))))
        text = text[:offset.start()]
    text = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            value = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt == "%H:%M":
            return value.time()
        return value.replace(tzinfo=tz) if tz else value
    return None


def _price(text: str | None) -> dict | None:
    match = _PRICE.search(text or "")
    if not match:
        return None
    return money(match.group(2), match.group(1)) if match.group(1) else money(match.group(3), match.group(4))


def _joined(date_text: str | None, time_text: str | None, default: dt.time | None, notes: list[str],
            what: str) -> dt.datetime | None:
    """A date-time from one field or a date and a time field; a missing time is ``default``, said in a note."""
    value = when(date_text)
    clock = when(time_text)
    if isinstance(value, dt.datetime) and isinstance(clock, dt.time) and value.time() == dt.time(0):
        return value.replace(hour=clock.hour, minute=clock.minute)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and default is not None \
            and not re.search(r"\d:\d\d", date_text or ""):
        notes.append(_("No %(what)s time in the confirmation: %(time)s assumed.")
                     % {"what": what, "time": default.strftime("%H:%M")})
        return value.replace(hour=default.hour, minute=default.minute)
    return value if isinstance(value, dt.datetime) else None


def when_field(f: dict[str, str], key: str) -> dt.datetime | None:
    """The date-time of one field (a bare time or date alone is not enough)."""
    value = when(f.get(key))
    return value if isinstance(value, dt.datetime) else None


def read_text(text: str, ctx: Context, reading: Reading) -> None:
    """Adds the booking the text describes, or a note on what was missing."""
    f = fields(text)
    notes: list[str] = []
    origin = None
    city = f.get("city", "")
    if "flight" in f:
        kind, title = "flight", _("Flight %(number)s") % {"number": f["flight"].replace(" ", "")}
        origin = ctx.place(f.get("from", ""), code=f.get("from", ""))
        place = ctx.place(f.get("to", ""), code=f.get("to", ""))
        start, end = when_field(f, "departure"), when_field(f, "arrival")
    elif "train" in f:
        kind, title = "train", f["train"]
        origin = ctx.place(f.get("from", ""), city=f.get("from", ""))
        place = ctx.place(f.get("to", ""), city=f.get("to", ""))
        start, end = when_field(f, "departure"), when_field(f, "arrival")
    elif "hotel" in f or "checkin" in f:
        kind, title = "stay", f.get("hotel", _("Stay"))
        place = ctx.place(", ".join(p for p in (f.get("hotel"), f.get("address")) if p), city=city)
        start = _joined(f.get("checkin"), None, DEFAULT_CHECKIN, notes, _("check-in"))
        end = _joined(f.get("checkout"), None, DEFAULT_CHECKOUT, notes, _("check-out"))
    elif "restaurant" in f:
        kind, title = "restaurant", f["restaurant"]
        if f.get("guests"):
            title = _("%(name)s, table for %(n)s") % {"name": title, "n": f["guests"]}
        place = ctx.place(", ".join(p for p in (f["restaurant"], f.get("address")) if p), city=city)
        start, end = _joined(f.get("date") or f.get("start"), f.get("time"), None, notes, ""), None
    elif "car" in f or "pickup" in f:
        kind, title = "car", _("Car rental: %(car)s") % {"car": f.get("car", "—")}
        origin = ctx.place(f.get("pickup", ""), code=f.get("pickup", ""), city=city)
        place = ctx.place(f.get("dropoff", ""), code=f.get("dropoff", ""), city=city) if f.get("dropoff") else origin
        start, end = when_field(f, "pickup_time"), when_field(f, "dropoff_time")
        origin = origin if origin.name != place.name else None
    elif "event" in f:
        kind, title = "event", f["event"]
        place = ctx.place(", ".join(p for p in (f.get("venue"), f.get("address")) if p), city=city)
        start = _joined(f.get("start") or f.get("date"), f.get("time"), None, notes, "")
        end = when_field(f, "end")
    else:
        return
    if start is None or not place.name:
        reading.unreadable.append(_("A %(kind)s confirmation, but its place or start time could not be read.")
                                  % {"kind": kind})
        return
    start = ctx.localize(start, origin or place, notes)
    end = ctx.localize(end, place, notes) if end is not None else None
    if end is None:
        notes.append(_("No end time in the confirmation."))
    reading.items.append(Found(kind=kind, title=title[:200], start=start, end=end, place=place, origin=origin,
                               reference=f.get("reference", "")[:80], price=_price(f.get("total")), notes=notes))
