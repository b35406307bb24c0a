"""Sunrise and sunset (``astral``) and the time zone of a coordinate (``timezonefinder``), offline."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import sun
from timezonefinder import TimezoneFinder


@dataclass(frozen=True)
class SunTimes:
    """Local aware times; both None on days the sun neither rises nor sets (polar day/night)."""

    sunrise: dt.datetime | None
    sunset: dt.datetime | None


def sun_times(lat: float, lon: float, date: dt.date, time_zone: str) -> SunTimes:
    """Sunrise and sunset of ``date`` at the place, in ``time_zone``."""
    try:
        times = sun(Observer(latitude=lat, longitude=lon), date=date, tzinfo=ZoneInfo(time_zone))
    except ValueError:  # astral: "Sun never reaches ..." near the poles
        return SunTimes(None, None)
    return SunTimes(times["sunrise"], times["sunset"])


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def timezone_at(lat: float, lon: float) -> str | None:
    """IANA time zone name at a coordinate (``Etc/GMT±n`` at sea); None when unknown."""
    return _finder().timezone_at(lat=lat, lng=lon)
