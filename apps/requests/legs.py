"""How the traveler arrives and leaves: the request's ``arrival`` and ``departure`` legs.

A leg is stored as given (``at`` with the offset the traveler or the ticket stated) plus
what its place resolved to: an airport by its IATA code (``airportsdata``, which carries
coordinates and the IANA zone), else a city or a station's city (the platform's
geocoding). The stated offset is kept as it was: whether it agrees with the place's zone
is for the trip guard to say (``time_zone.mismatch``), not a reason to refuse the leg.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from apps.integrations.geocoding import resolve_city

MODES = ("flight", "train", "bus", "car", "other")
# Minutes from the scheduled arrival to leaving the terminal (deplaning, immigration, bags).
EXIT_MIN = {"flight": 60, "train": 10, "bus": 10, "car": 0, "other": 15}
# Minutes before the scheduled departure the traveler must be at the terminal.
CHECK_IN_MIN = {"flight": 120, "train": 15, "bus": 15, "car": 0, "other": 30}
IATA = re.compile(r"^[A-Za-z]{3}$")
STATION_WORDS = re.compile(r"\b(central station|main station|railway station|station|hbf|hauptbahnhof|gare|"
                           r"estação|estacion|estación|stazione|terminal|bus terminal|airport)\b", re.IGNORECASE)
# Door-to-door speeds of a transfer, waits included: on foot, city transit, airport rail/expressway.
WALK_KMH, CITY_KMH, EXPRESS_KMH = 4.5, 20.0, 55.0
DETOUR = 1.3


@lru_cache(maxsize=1)
def _airports() -> dict:
    import airportsdata

    return airportsdata.load("IATA")


@dataclass(frozen=True)
class Place:
    name: str
    code: str
    lat: float
    lon: float
    time_zone: str


def resolve_place(text: str) -> Place | None:
    """An IATA airport code ("NRT"), a city ("Kyoto") or a station in one ("Kyoto Station")."""
    text = (text or "").strip()
    if IATA.match(text) and (airport := _airports().get(text.upper())):
        return Place(airport["name"], airport["iata"], airport["lat"], airport["lon"], airport["tz"])
    words = STATION_WORDS.sub(" ", text).replace(",", " ").split()
    # "Lisbon Oriente station": the longest run of leading words that names a city
    city = resolve_city(text) or next(
        (found for n in range(len(words), 0, -1) if (found := resolve_city(" ".join(words[:n])))), None)
    if city is None:
        return None
    return Place(text if STATION_WORDS.search(text) else city.name, "", city.lat, city.lon, city.time_zone)


@dataclass(frozen=True)
class Leg:
    """An arrival or a departure as the planner and the guard read it."""

    at: dt.datetime  # aware, with the stated offset
    mode: str
    place: str
    code: str
    lat: float
    lon: float
    time_zone: str
    reference: str

    @classmethod
    def from_json(cls, data: dict | None) -> Leg | None:
        if not data:
            return None
        return cls(dt.datetime.fromisoformat(data["at"]), data["mode"], data["name"], data.get("code", ""),
                   data["lat"], data["lon"], data["time_zone"], data.get("reference", ""))

    @property
    def local(self) -> dt.datetime:
        """The time in the place's own zone (what the guard and the planner judge by)."""
        return self.at.astimezone(ZoneInfo(self.time_zone))

    @property
    def stated_offset_min(self) -> int:
        return int(self.at.utcoffset().total_seconds() // 60)

    def free_at(self, lat: float, lon: float) -> dt.datetime:
        """An arrival: the earliest the traveler can be at (lat, lon)."""
        return self.at + dt.timedelta(minutes=EXIT_MIN[self.mode] + transfer_minutes((self.lat, self.lon), (lat, lon)))

    def leave_by(self, lat: float, lon: float) -> dt.datetime:
        """A departure: the latest the traveler can leave (lat, lon) to make it."""
        return self.at - dt.timedelta(minutes=CHECK_IN_MIN[self.mode]
                                      + transfer_minutes((lat, lon), (self.lat, self.lon)))


def transfer_minutes(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Door-to-door minutes between a terminal and a place (great circle × detour)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    km = 2 * 6371.0088 * math.asin(math.sqrt(h)) * DETOUR
    speed = WALK_KMH if km <= 1.5 else CITY_KMH if km <= 15 else EXPRESS_KMH
    return math.ceil(km / speed * 60)


def leg_from_local(at: str, place: str, mode: str = "flight", reference: str = "") -> dict | None:
    """A leg as a form gives it: ``at`` is the local time at ``place`` without an offset
    (a ``datetime-local`` input), so it takes the zone of the place when the place
    resolves; an unresolved place or a malformed time is left for :func:`legs_validate` to
    report. None when neither a time nor a place is given."""
    at, place = (at or "").strip(), (place or "").strip()
    if not at and not place:
        return None
    found = resolve_place(place)
    try:
        local = dt.datetime.fromisoformat(at)
        if found and local.tzinfo is None:
            at = local.replace(tzinfo=ZoneInfo(found.time_zone)).isoformat()
    except ValueError:
        pass
    return {"at": at, "mode": mode or "other", "place": place, "reference": (reference or "").strip()[:40]}


def _parse_at(value) -> tuple[dt.datetime | None, str, bool]:
    """The time, else the error and whether the time only lacks its offset."""
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None, _("Give a date and time such as 2027-01-10T22:05:00+09:00."), False
    if at.tzinfo is None or at.utcoffset() is None:
        return None, _("Give the time with its UTC offset, e.g. 2027-01-10T22:05:00+09:00."), True
    return at, "", False


def _leg(name: str, raw: dict, start: dt.date, end: dt.date, errors: dict) -> dict | None:
    at, error, naive = _parse_at(raw.get("at"))
    mode = raw.get("mode") or "other"
    if mode not in MODES:
        errors[f"{name}.mode"] = _("Choose one of: %(options)s.") % {"options": ", ".join(MODES)}
    place = resolve_place(raw.get("place", ""))
    if error and (place is not None or not naive):  # an unknown place is reported before a missing offset
        errors[f"{name}.at"] = error
    if place is None:
        errors[f"{name}.place"] = _("We do not know “%(place)s”: give an airport code (NRT) or a city or station.") % {
            "place": raw.get("place", "")}
    if at is None or place is None:
        return None
    day = at.astimezone(ZoneInfo(place.time_zone)).date()
    if not start - dt.timedelta(days=1) <= day <= end + dt.timedelta(days=1):
        errors[f"{name}.at"] = _("Choose a time within a day of the trip (%(start)s – %(end)s).") % {
            "start": start.isoformat(), "end": end.isoformat()}
        return None
    return {"at": at.isoformat(), "mode": mode, "place": raw.get("place", "").strip(), "code": place.code,
            "name": place.name, "lat": place.lat, "lon": place.lon, "time_zone": place.time_zone,
            "reference": str(raw.get("reference") or "")[:40]}


def legs_validate(arrival: dict | None, departure: dict | None, *, start: dt.date, end: dt.date
                  ) -> tuple[dict[str, dict | None], dict[str, str]]:
    """The legs to store (``{"arrival": …, "departure": …}``, None for one not given) and the
    errors by body path (``arrival.at``…), all at once: ``at`` carries an offset, the place
    resolves, both lie within a day of the trip's dates, the arrival comes first."""
    errors: dict[str, str] = {}
    legs = {name: _leg(name, raw, start, end, errors) if raw else None
            for name, raw in (("arrival", arrival), ("departure", departure))}
    if legs["arrival"] and legs["departure"] and (
            dt.datetime.fromisoformat(legs["departure"]["at"]) <= dt.datetime.fromisoformat(legs["arrival"]["at"])):
        errors["departure.at"] = _("The departure must come after the arrival.")
    return legs, errors
