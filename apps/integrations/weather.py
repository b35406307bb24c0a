"""Daily weather for a place: none offline, the Open-Meteo forecast over HTTP.

No package on PyPI ships real monthly climate normals small enough to bundle, so the
offline default says plainly that it has no data (``source="none"``) instead of guessing.
The planner reads ``rain_hours`` (local hours with rain) to move outdoor items.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Protocol

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from .base import live_or_offline, note_missing
from .http import HttpClient

FORECAST_DAYS = 16  # Open-Meteo's horizon, today included
RAIN_MM_PER_HOUR = 0.2
RAIN_PROBABILITY = 60


@dataclass(frozen=True)
class DayWeather:
    date: dt.date
    summary: str
    temp_min: float | None
    temp_max: float | None
    precipitation_mm: float | None
    rain_hours: list[int]
    source: str
    precipitation_probability: int | None = None
    degraded: bool = False

    def rain_windows(self) -> list[tuple[int, int]]:
        """Rainy hours merged into ``(start, end)`` local hours, end exclusive: [(6, 11)] = rain until 11:00."""
        windows: list[tuple[int, int]] = []
        for hour in sorted(self.rain_hours):
            if windows and windows[-1][1] == hour:
                windows[-1] = (windows[-1][0], hour + 1)
            else:
                windows.append((hour, hour + 1))
        return windows

    def as_dict(self) -> dict:
        """JSON-safe, for ``Day.weather`` and the itinerary API."""
        return {**asdict(self), "date": self.date.isoformat()}


class WeatherProvider(Protocol):
    def forecast(self, lat: float, lon: float, start: dt.date, end: dt.date, time_zone: str) -> list[DayWeather]: ...


def _dates(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


def _no_forecast(dates: list[dt.date]) -> list[DayWeather]:
    return [DayWeather(day, _("No forecast"), None, None, None, [], "none") for day in dates]


def _unknown(dates: list[dt.date], *, provider: str, reason: str) -> list[DayWeather]:
    """Days without data; notes the missing forecast."""
    if dates:
        note_missing(what=_("Weather forecast"), provider=provider, reason=reason,
                     fallback=_("planned without a forecast"))
    return _no_forecast(dates)


class NoWeather:
    """Offline default: no forecast, said so."""

    def forecast(self, lat, lon, start, end, time_zone) -> list[DayWeather]:
        return _unknown(_dates(start, end), provider="offline", reason=_("no forecast source configured"))


@dataclass
class OpenMeteoWeather:
    """Open-Meteo ``/v1/forecast``: daily summary plus hourly precipitation, in local time.

    Only days within the forecast horizon are asked; later days have no forecast yet.
    """

    client: HttpClient
    fresh_ttl: int = 3 * 3600

    def forecast(self, lat, lon, start, end, time_zone) -> list[DayWeather]:
        today = dt.datetime.fromtimestamp(self.client.clock(), dt.timezone.utc).date()
        last = today + dt.timedelta(days=FORECAST_DAYS - 1)
        dates = _dates(start, end)
        near = [day for day in dates if today <= day <= last]
        later = _unknown([day for day in dates if day not in near], provider=self.client.name,
                         reason=_("beyond the %(days)s-day forecast") % {"days": FORECAST_DAYS})
        if not near:
            return later
        days = live_or_offline(what=_("Weather forecast"), provider=self.client.name,
                               live=lambda: self._live(lat, lon, near[0], near[-1], time_zone),
                               offline=lambda: _no_forecast(near),
                               fallback=_("planned without a forecast"))
        return sorted(days + later, key=lambda day: day.date)

    def _live(self, lat, lon, start, end, time_zone) -> list[DayWeather]:
        fetched = self.client.fetch("GET", "/v1/forecast", params={
            "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}", "timezone": time_zone,
            "start_date": start.isoformat(), "end_date": end.isoformat(),
            "daily": "weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum,"
                     "precipitation_probability_max",
            "hourly": "precipitation,precipitation_probability",
        }, parse=_parse_forecast, what=_("Weather forecast"), fresh_ttl=self.fresh_ttl)
        return fetched.flag(fetched.value)


def _parse_forecast(response: httpx.Response) -> list[DayWeather]:
    body = response.json()
    daily, hourly = body["daily"], body["hourly"]
    rain: dict[dt.date, list[int]] = {}
    for stamp, mm, chance in zip(hourly["time"], hourly["precipitation"], hourly["precipitation_probability"],
                                 strict=True):
        when = dt.datetime.fromisoformat(stamp)
        rain.setdefault(when.date(), [])
        if (mm or 0) >= RAIN_MM_PER_HOUR or (chance or 0) >= RAIN_PROBABILITY:
            rain[when.date()].append(when.hour)
    columns = ("time", "weather_code", "temperature_2m_min", "temperature_2m_max", "precipitation_sum",
               "precipitation_probability_max")
    days = []
    for day, code, t_min, t_max, mm, chance in zip(*(daily[name] for name in columns), strict=True):
        date = dt.date.fromisoformat(day)
        days.append(DayWeather(date, describe(code), t_min, t_max, mm, rain.get(date, []), "open-meteo",
                               None if chance is None else int(chance)))
    if not days:
        raise ValueError("no days in forecast")
    return days


WMO_SUMMARIES = [  # (highest code of the group, summary), WMO 4677 codes as Open-Meteo uses them
    (0, N_("Clear sky")), (2, N_("Partly cloudy")), (3, N_("Overcast")), (48, N_("Fog")), (57, N_("Drizzle")),
    (67, N_("Rain")), (77, N_("Snow")), (82, N_("Rain showers")), (86, N_("Snow showers")),
    (99, N_("Thunderstorm")),
]


def describe(code: int | None) -> str:
    """A short translated summary for a WMO weather code."""
    for highest, summary in WMO_SUMMARIES:
        if code is not None and code <= highest:
            return _(summary)
    return _("Unknown")
