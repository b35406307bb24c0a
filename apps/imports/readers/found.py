"""What a reader finds in a confirmation: bookings with aware times in their places'
zones, and what it could not read."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo


from apps.core.errors import DomainError

from .places import Place

KINDS = ("flight", "stay", "train", "restaurant", "event", "car")


class Unreadable(DomainError):
    """The file is refused as a whole (400, nothing written): not a confirmation,
    encrypted, malformed, or carrying active content."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code, status=400)


@dataclass
class Found:
    """One booking: ``start`` in ``origin``'s zone for a journey (else ``place``'s), ``end``
    in ``place``'s zone."""

    kind: str
    title: str
    start: dt.datetime
    end: dt.datetime | None
    place: Place
    origin: Place | None = None
    reference: str = ""
    price: dict | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        start_zone = (self.origin or self.place).time_zone
        return {"kind": self.kind, "title": self.title,
                "start": self.start.astimezone(ZoneInfo(start_zone)).isoformat(),
                "end": self.end.astimezone(ZoneInfo(self.place.time_zone)).isoformat() if self.end else None,
                "start_zone": start_zone, "time_zone": self.place.time_zone,
                "origin": self.origin.as_json() if self.origin else None, "place": self.place.as_json(),
                "reference": self.reference, "price": self.price, "notes": self.notes,
                "stated_offset_min": self.stated_offset_min}

    @property
    def stated_offset_min(self) -> int | None:
        """The offset the confirmation wrote with the start (a time read without one took
        its place's, which agrees by construction); None for UTC, which states an instant,
        not a local time."""
        minutes = int(self.start.utcoffset().total_seconds() // 60)
        return minutes or None


@dataclass
class Reading:
    """All a file yielded: its format, the bookings, and the notes on what could not be read."""

    source: str
    items: list[Found] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def money(amount, currency) -> dict | None:
    """``{"amount", "currency"}`` from what the confirmation wrote ("1,234.50", "EUR"), or None."""
    text = str(amount or "").replace(",", "").strip()
    currency = str(currency or "").strip().upper()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if len(currency) != 3 or not currency.isalpha() or not value.is_finite() or value < 0:
        return None
    return {"amount": f"{value.quantize(Decimal('0.01'))}", "currency": currency}


def parse_time(text) -> dt.datetime | None:
    """An ISO 8601 date-time (with or without offset) or a bare date (midnight), else None."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
