"""Travel times for the planner, through the integrations' travel provider.

``travel_matrix`` is the one call the planner makes; tests and callers may pass their own
``minutes(a, b)`` function instead of the configured provider (offline by default:
coordinates × detour, walk / transit / taxi speeds).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from apps.integrations.registry import get_provider

Point = tuple[float, float]

EARTH_RADIUS_KM = 6371.0


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in km between two (lat, lon) points (for search radii)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def travel_matrix(points: Sequence[Point], minutes: Callable[[Point, Point], int] | None = None) -> list[list[int]]:
    """Integer minutes between every pair of points (0 on the diagonal)."""
    if minutes is not None:
        return [[0 if i == j else minutes(a, b) for j, b in enumerate(points)] for i, a in enumerate(points)]
    return get_provider("travel").matrix(list(points)).minutes
