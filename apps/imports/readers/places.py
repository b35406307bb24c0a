"""Places and their time zones: airports by IATA code (``airportsdata``, shipped), else
coordinates, else the city; and local times made aware in the right zone."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import airportsdata
from django.utils.translation import gettext as _

from apps.integrations.geocoding import resolve_city
from apps.integrations.sun import timezone_at

_CODE_IN_TEXT = re.compile(r"\(([A-Z]{3})\)")


@lru_cache(maxsize=1)
def _airports() -> dict:
    return airportsdata.load("IATA")


@dataclass
class Place:
    name: str
    time_zone: str | None = None
    lat: float | None = None
    lon: float | None = None

    def as_json(self) -> dict:
        return {"name": self.name, "lat": self.lat, "lon": self.lon}


def airport(code: str) -> Place | None:
    """The airport with IATA code ``code`` ("NRT"), or None."""
    code = (code or "").strip().upper()
    row = _airports().get(code) if re.fullmatch(r"[A-Z]{3}", code) else None
    if not row or not row.get("tz"):
        return None
    return Place(name=f"{row['name']} ({code})", time_zone=row["tz"], lat=row["lat"], lon=row["lon"])


def airport_named(text: str) -> Place | None:
    """The airport a text names with its code in brackets ("Tokyo Narita (NRT)"), or None."""
    return next(filter(None, map(airport, _CODE_IN_TEXT.findall(text or ""))), None)


class Context:
    """What a reader knows besides the file: the trip's zone, the fallback for a place
    whose zone cannot be found."""

    def __init__(self, trip_zone: str):
        self.trip_zone = trip_zone

    def place(self, name: str, *, code: str = "", lat=None, lon=None, city: str = "") -> Place:
        """A place with its zone: an IATA airport (by code, or a code in the name), else
        its coordinates, else its city, else the trip's zone (``time_zone`` stays None then:
        :meth:`localize` says so)."""
        found = airport(code) or airport_named(name)
        if found is not None:
            return found
        lat, lon = _float(lat), _float(lon)
        zone = timezone_at(lat, lon) if lat is not None and lon is not None else None
        if zone is None and city:
            resolved = resolve_city(city)
            zone = resolved.time_zone if resolved else None
        return Place(name=name.strip(), time_zone=zone, lat=lat, lon=lon)

    def localize(self, value: dt.datetime, place: Place, notes: list[str]) -> dt.datetime:
        """``value`` as an aware time: as given when it carries an offset; a local time
        is read in the place's zone (or the trip's, when the place's is unknown) and a
        note says so."""
        if place.time_zone is None:
            place.time_zone = self.trip_zone
            notes.append(_("The zone of %(place)s is unknown: its times are read in the trip's zone, %(zone)s.")
                         % {"place": place.name or _("the place"), "zone": self.trip_zone})
        if value.utcoffset() is not None:
            return value
        notes.append(_("%(time)s has no offset in the confirmation: read as local time in %(zone)s.")
                     % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": place.time_zone})
        return value.replace(tzinfo=ZoneInfo(place.time_zone))


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


