"""Public holidays and local events that make a day crowded.

Offline: public holidays from the ``holidays`` package. HTTP: the Ticketmaster Discovery API
(v2 ``/discovery/v2/events.json``) for events near the place, added to the holidays.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import holidays
import httpx
from django.utils.translation import gettext as _

from .base import live_or_offline
from .http import HttpClient

HOLIDAY, EVENT = "public_holiday", "event"
# Ticketmaster segments → the interests a traveler picks.
SEGMENT_INTERESTS = {"Music": ("nightlife", "culture"), "Arts & Theatre": ("art", "culture"), "Film": ("art",),
                     "Sports": ("adventure",), "Family": ("family",), "Miscellaneous": ("culture",)}


@dataclass(frozen=True)
class Happening:
    date: dt.date
    name: str
    kind: str
    crowd: str  # "high" | "medium"
    note: str
    venue: str = ""
    lat: float | None = None
    lon: float | None = None
    start_time: dt.time | None = None  # local; None for all-day happenings
    interests: tuple[str, ...] = ()  # in the traveler's vocabulary (apps.requests.models.INTERESTS)
    url: str = ""  # where tickets are sold, when the provider sells them

    @property
    def is_event(self) -> bool:
        return self.kind == EVENT


@dataclass(frozen=True)
class CalendarInfo:
    """What happens between two dates, by date; ``source`` says where it came from."""

    happenings: list[Happening]
    source: str
    degraded: bool = False

    def on(self, date: dt.date) -> list[Happening]:
        return [happening for happening in self.happenings if happening.date == date]


class EventsProvider(Protocol):
    def calendar(self, *, country: str, lat: float, lon: float, start: dt.date, end: dt.date) -> CalendarInfo: ...


class HolidayCalendar:
    """Offline default: public holidays of the country (ISO 3166 code); none for unknown codes."""

    source = "holidays"

    def calendar(self, *, country, lat, lon, start, end) -> CalendarInfo:
        try:
            days = holidays.country_holidays(country, years=range(start.year, end.year + 1))
        except NotImplementedError:
            return CalendarInfo([], self.source)
        note = _("Public holiday: expect crowds at popular sights; some shops and offices close.")
        found = [Happening(day, name, HOLIDAY, "high", note) for day, name in sorted(days.items())
                 if start <= day <= end]
        return CalendarInfo(found, self.source)


@dataclass
class TicketmasterEvents:
    """Holidays plus Ticketmaster events within ``radius_km``; holidays alone when it fails."""

    client: HttpClient
    api_key: str = ""
    radius_km: int = 15
    offline: HolidayCalendar = field(default_factory=HolidayCalendar)
    fresh_ttl: int = 6 * 3600
    source: str = "holidays+ticketmaster"

    def calendar(self, *, country, lat, lon, start, end) -> CalendarInfo:
        base = self.offline.calendar(country=country, lat=lat, lon=lon, start=start, end=end)
        return live_or_offline(what=_("Local events"), provider=self.client.name,
                               live=lambda: self._live(base, lat, lon, start, end), offline=lambda: base,
                               fallback=_("planned with public holidays only"))

    def _live(self, base: CalendarInfo, lat, lon, start, end) -> CalendarInfo:
        fetched = self.client.fetch("GET", "/discovery/v2/events.json", params={
            "apikey": self.api_key, "latlong": f"{lat:.4f},{lon:.4f}", "radius": self.radius_km, "unit": "km",
            "startDateTime": f"{start.isoformat()}T00:00:00Z",
            "endDateTime": f"{(end + dt.timedelta(days=1)).isoformat()}T00:00:00Z",
            "size": 100, "sort": "date,asc",
        }, parse=_parse_events, what=_("Local events"), fresh_ttl=self.fresh_ttl)
        events = [event for event in fetched.value if start <= event.date <= end]
        merged = sorted(base.happenings + events, key=lambda happening: (happening.date, happening.kind))
        return fetched.flag(CalendarInfo(merged, self.source))


def _parse_events(response: httpx.Response) -> list[Happening]:
    body = response.json()
    if "page" not in body:
        raise ValueError("not a Discovery API page")
    found = []
    for raw in body.get("_embedded", {}).get("events", []):
        venue = (raw.get("_embedded", {}).get("venues") or [{}])[0]
        location = venue.get("location") or {}
        name = venue.get("name", "")
        start = raw["dates"]["start"]
        segments = [(c.get("segment") or {}).get("name", "") for c in raw.get("classifications", [])]
        found.append(Happening(
            dt.date.fromisoformat(start["localDate"]), raw["name"], EVENT, "medium",
            _("Event nearby: expect busier streets and transport around %(venue)s.") % {"venue": name or raw["name"]},
            name, float(location["latitude"]) if location else None, float(location["longitude"]) if location else None,
            dt.time.fromisoformat(start["localTime"]) if start.get("localTime") else None,
            tuple(dict.fromkeys(i for segment in segments for i in SEGMENT_INTERESTS.get(segment, ()))),
            raw.get("url", ""),
        ))
    return found
