"""Opening hours (OpenStreetMap syntax, parsed by ``opening-hours-py``) as minute windows."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours

Window = tuple[int, int]

# Blank hours mean "unknown", not "always open": assume a typical sightseeing day.
TYPICAL_HOURS: tuple[Window, ...] = ((9 * 60, 18 * 60),)
TYPICAL_MEAL_HOURS: tuple[Window, ...] = ((11 * 60 + 30, 15 * 60), (18 * 60, 22 * 60))  # lunch and dinner service
SUN_EVENTS = re.compile(r"sunrise|sunset|dawn|dusk", re.IGNORECASE)


@lru_cache(maxsize=512)
def _parse(spec: str, country: str, coords: tuple[float, float] | None, time_zone: str):
    # Given coordinates and no zone, the library loads its world map to find the zone and
    # the country (~110 MB per process); the zone we know makes sun times just as exact.
    try:
        return opening_hours.OpeningHours(spec, timezone=ZoneInfo(time_zone) if time_zone else None,
                                          country=country or None, coords=coords, auto_country=not country)
    except Exception:  # noqa: BLE001 - an unparsable value is treated like an unknown one
        return None


def open_windows(spec: str, day: dt.date, *, country: str = "", coords: tuple[float, float] | None = None,
                 time_zone: str = "") -> tuple[Window, ...] | None:
    """Open intervals of ``day`` in minutes from local midnight (end may be 1440).

    Returns None when the hours are unknown (blank or unparsable); an empty tuple when the
    place is closed that day. Public holidays (``PH``) follow ``country``; sun times
    (``sunrise``) follow ``coords`` in ``time_zone``.
    """
    spec = spec.strip() if spec else ""
    if not spec:
        return None
    return _day_windows(spec, day, country, coords if needs_coords(spec, country) else None, time_zone)


def needs_coords(spec: str, country: str) -> bool:
    """Whether the place's coordinates change its windows: places share a few common specs,
    and given the country and without sun events the coordinates change nothing (local
    times either way), so the windows can be cached per spec."""
    return not country or bool(SUN_EVENTS.search(spec))


@lru_cache(maxsize=8192)
def _day_windows(spec: str, day: dt.date, country: str, coords: tuple[float, float] | None, time_zone: str
                 ) -> tuple[Window, ...] | None:
    parsed = _parse(spec, country, coords, time_zone)
    if parsed is None:
        return None
    midnight = dt.datetime.combine(day, dt.time())
    windows: list[Window] = []
    for start, end, state, _comment in parsed.intervals(midnight, midnight + dt.timedelta(days=1)):
        if str(state) != "open":
            continue
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        lo = max(int((start - midnight).total_seconds() // 60), 0)
        hi = min(int((end - midnight).total_seconds() // 60), 1440)
        if hi > lo:
            windows.append((lo, hi))
    return tuple(windows)
