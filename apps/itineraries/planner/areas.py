"""Geography of the days: each day keeps to one or two neighbourhoods (cluster, then route).

Before routing, every day gets the centre of the richest neighbourhood still unused (or,
once the market is given out, shared with an earlier day) that is within a day trip of
the hotel, and a second, adjacent one when the first cannot fill
the day's sights. A sight may then only be planned on the days whose neighbourhoods hold
it (``Node.tours``), so the search never strings sights across the whole city.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .build import DAY, Node, is_sight
from .travel import Point

ZONE_KM = 1.6  # a neighbourhood: what lies this close to its centre (straight line)
SECOND_ZONE_KM = 3.5  # a day's second neighbourhood is next to its first
DAY_TRIP_KM = 9.0  # centres further from the hotel cost more travel than a day allows
EARTH_RADIUS_KM = 6371.0
SHARED_WEIGHT = 0.2  # a sight an earlier day's neighbourhood already holds counts this much


def km_between(a: Sequence[Point], b: Sequence[Point]) -> np.ndarray:
    """Great-circle km between every point of ``a`` and every point of ``b``."""
    pa, pb = np.radians(np.asarray(a, dtype=float).reshape(-1, 2)), np.radians(np.asarray(b, dtype=float).reshape(-1, 2))
    dlat = pa[:, None, 0] - pb[None, :, 0]
    dlon = pa[:, None, 1] - pb[None, :, 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(pa[:, None, 0]) * np.cos(pb[None, :, 0]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def day_areas(nodes: Sequence[Node], n_days: int, hotel: Point, sights: tuple[int, int]) -> list[list[Point]]:
    """Neighbourhood centres per day, and restrict every free sight to those days.

    ``sights``: the pace's fewest and most sights a day. Sights an earlier day's
    neighbourhoods already hold count a little (``SHARED_WEIGHT``), so that once the market
    is mostly given out two days share a rich neighbourhood rather than the next one
    getting a corner with a single sight; a day takes a second neighbourhood while it
    holds fewer than the fewest sights open that day, or fewer than the most not given out."""
    fewest, most = sights
    free = [n for n in nodes if is_sight(n) and not n.forced]
    areas: list[list[Point]] = [[] for _ in range(n_days)]
    if not free:
        return areas
    points = [n.cand.location for n in free]
    km = km_between(points, points)
    near = (km <= ZONE_KM).astype(float)
    reach = km_between(points, [hotel])[:, 0] <= DAY_TRIP_KM
    value = np.array([n.cand.score for n in free])
    on_day = np.zeros((len(free), n_days), dtype=bool)
    for i, node in enumerate(free):
        on_day[i, sorted({start // DAY for start, _ in node.windows})] = True
    # what can happen on few days only (a vendor's one slot) weighs more on those days
    weight = value / np.maximum(on_day.sum(axis=1), 1)
    planned = np.zeros(len(free), dtype=bool)
    for day in range(n_days):
        open_ = on_day[:, day]
        covered = np.zeros(len(free), dtype=bool)
        centres: list[int] = []
        while len(centres) < 2 and ((open_ & ~planned & covered).sum() < most or (open_ & covered).sum() < fewest):
            left = open_ & ~covered
            gain = near @ (weight * left * np.where(planned, SHARED_WEIGHT, 1.0)) * reach
            if centres:
                gain *= km[centres[0]] <= SECOND_ZONE_KM
            best = int(np.argmax(gain))
            if gain[best] <= 0:
                break
            centres.append(best)
            covered |= near[best] > 0
        members = np.flatnonzero(open_ & ~planned & covered)
        planned[members[np.argsort(-value[members])][:most]] = True  # the next days look elsewhere
        areas[day] = [points[c] for c in centres]
    for node, row in zip(free, _days_holding(points, areas)):
        node.tours = frozenset(row)
    return areas


def _days_holding(points: Sequence[Point], areas: list[list[Point]]) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in points]
    for day, centres in enumerate(areas):
        if centres:
            inside = (km_between(points, centres) <= ZONE_KM).any(axis=1)
            for i in np.flatnonzero(inside):
                out[i].append(day)
    return out
