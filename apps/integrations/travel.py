"""Travel times between places: offline from coordinates, or street distances from OSRM.

Both choose the mode by distance (walk, transit, taxi) and turn distance into minutes with
the mode's door-to-door speed. Offline the distance is the great-circle distance times a
detour factor; OSRM gives the real street distance (and the driving time for taxis).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import httpx
import numpy as np
from django.utils.translation import gettext as _

from .base import ProviderUnavailable, flag_degraded, live_or_offline, note_missing
from .http import HttpClient

EARTH_RADIUS_KM = 6371.0088
DETOUR_FACTOR = 1.3  # street distance / great-circle distance in cities
WALKING, TRANSIT, TAXI = "walking", "transit", "taxi"
MODES = (WALKING, TRANSIT, TAXI)  # by increasing distance
SPEED_KMH = {WALKING: 4.5, TRANSIT: 20.0, TAXI: 25.0}  # on the way
# Door to door a ride also costs its start: the walk to the station and the wait for the
# train, or the wait for the taxi. Without it a 2 km hop by metro would take 6 minutes.
ACCESS_MIN = {WALKING: 0, TRANSIT: 8, TAXI: 5}
WALK_UP_TO_KM = 1.5  # street distance
TRANSIT_UP_TO_KM = 15.0


@dataclass(frozen=True)
class Leg:
    minutes: int
    distance_km: float
    mode: str
    source: str
    degraded: bool = False


@dataclass(frozen=True)
class TravelMatrix:
    """Legs from every point to every point (diagonal: zero). ``minutes`` is what planning
    reads, so only it is built up front; distances and modes as lists on first use."""

    minutes: list[list[int]]
    street_km: np.ndarray = field(repr=False, compare=False)
    mode_codes: np.ndarray = field(repr=False, compare=False)  # indexes into MODES
    source: str
    degraded: bool = False

    @cached_property
    def distance_km(self) -> list[list[float]]:
        return np.round(self.street_km, 2).tolist()

    @cached_property
    def modes(self) -> list[list[str]]:
        return np.asarray(MODES, dtype=object)[self.mode_codes].tolist()

    def leg(self, i: int, j: int) -> Leg:
        return Leg(self.minutes[i][j], round(float(self.street_km[i, j]), 2), MODES[self.mode_codes[i, j]],
                   self.source, self.degraded)


Point = tuple[float, float]  # (lat, lon)


class TravelProvider(Protocol):
    def matrix(self, points: list[Point]) -> TravelMatrix: ...

    def route(self, points: list[Point]) -> list[Point]: ...


def _matrix(street_km: np.ndarray, source: str, taxi_minutes: np.ndarray | None = None) -> TravelMatrix:
    """Mode by street distance, minutes by mode speed (or the given driving minutes for taxis)."""
    codes = (street_km > WALK_UP_TO_KM).astype(np.int8) + (street_km > TRANSIT_UP_TO_KM)
    minutes = street_km / np.array([SPEED_KMH[mode] for mode in MODES])[codes] * 60
    if taxi_minutes is not None:
        minutes = np.where(codes == MODES.index(TAXI), taxi_minutes, minutes)
    minutes = minutes + np.array([ACCESS_MIN[mode] for mode in MODES])[codes]
    return TravelMatrix(np.ceil(minutes).astype(int).tolist(), street_km, codes, source)


class OfflineTravel:
    """Great-circle distance × detour factor; no data needed beyond the coordinates."""

    source = "offline"

    def route(self, points: list[Point]) -> list[Point]:
        """No street geometry offline: the map joins the stops with straight lines."""
        return []

    def leg(self, origin: Point, destination: Point) -> Leg:
        return self.matrix([origin, destination]).leg(0, 1)

    def matrix(self, points: list[Point]) -> TravelMatrix:
        """Vectorised haversine: 500 points take a few milliseconds."""
        lat, lon = (np.radians(np.asarray(points, dtype=float).reshape(-1, 2)[:, k]) for k in (0, 1))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        great_circle = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        return _matrix(great_circle * DETOUR_FACTOR, self.source)


@dataclass
class OsrmTravel:
    """OSRM HTTP API (``/table/v1`` for matrices, ``/route/v1`` for a day's street path), ``driving`` profile.

    Tables are asked in blocks of at most ``max_table`` coordinates (the public server's
    limit is 100). Falls back to the offline estimate, flagged degraded, when OSRM fails.
    """

    client: HttpClient
    profile: str = "driving"
    max_table: int = 100
    offline: OfflineTravel = field(default_factory=OfflineTravel)
    source: str = "osrm"

    def matrix(self, points: list[Point]) -> TravelMatrix:
        return live_or_offline(what=_("Street travel times"), provider=self.client.name,
                               live=lambda: self._live_matrix(points),
                               offline=lambda: self.offline.matrix(points),
                               fallback=_("estimated from straight-line distances"))

    def route(self, points: list[Point]) -> list[Point]:
        """The street path through ``points`` in order, as (lat, lon) points for the map;
        [] (straight lines, and a data note) when OSRM fails."""
        if len(points) < 2:
            return []
        try:
            return self.client.fetch("GET", f"/route/v1/{self.profile}/{_coords(points)}",
                                     params={"overview": "simplified", "geometries": "geojson"},
                                     parse=_parse_geometry, what=_("Route lines on the map")).value
        except ProviderUnavailable as exc:
            note_missing(what=_("Route lines on the map"), provider=self.client.name, reason=exc.reason,
                         fallback=_("drew straight lines between the stops"))
            return []

    def _live_matrix(self, points: list[Point]) -> TravelMatrix:
        n = len(points)
        km, taxi = np.zeros((n, n)), np.zeros((n, n))
        stale = False
        half = max(self.max_table // 2, 1)
        for i in range(0, n, half):
            for j in range(0, n, half):
                rows, cols = points[i:i + half], points[j:j + half]
                fetched = self.client.fetch(
                    "GET", f"/table/v1/{self.profile}/{_coords(rows + cols)}",
                    params={"annotations": "duration,distance", "sources": _indexes(0, len(rows)),
                            "destinations": _indexes(len(rows), len(cols))},
                    parse=lambda response, shape=(len(rows), len(cols)): _parse_table(response, shape),
                    what=_("Street travel times"))
                distances, durations = fetched.value
                km[i:i + half, j:j + half] = distances / 1000
                taxi[i:i + half, j:j + half] = durations / 60
                stale = stale or fetched.stale
        np.fill_diagonal(km, 0)
        np.fill_diagonal(taxi, 0)
        matrix = _matrix(km, self.source, taxi)
        return flag_degraded(matrix) if stale else matrix


def _coords(points: list[Point]) -> str:
    return ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)  # OSRM wants lon,lat


def _indexes(start: int, count: int) -> str:
    return ";".join(str(k) for k in range(start, start + count))


def _ok(response: httpx.Response) -> dict:
    body = response.json()
    if body.get("code") != "Ok":
        raise ValueError(f"OSRM code {body.get('code')!r}")
    return body


def _parse_geometry(response: httpx.Response) -> list[Point]:
    coordinates = _ok(response)["routes"][0]["geometry"]["coordinates"]
    return [(round(float(lat), 6), round(float(lon), 6)) for lon, lat in coordinates]


def _parse_table(response: httpx.Response, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    body = _ok(response)
    distances = np.array(body["distances"], dtype=float)
    durations = np.array(body["durations"], dtype=float)  # null (no route) becomes nan
    if distances.shape != shape or durations.shape != shape:
        raise ValueError(f"table of shape {distances.shape}, expected {shape}")
    if np.isnan(distances).any() or np.isnan(durations).any():
        raise ValueError("table has unreachable pairs")
    return distances, durations

