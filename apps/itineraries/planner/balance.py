"""Even days: no day below the pace's fewest sights while another day is above them.

The solver maximises the trip's score, which can leave a thin day next to full ones (a
market too small for the pace, a tight budget). A day below the pace then takes, nearest
first, a sight of a day above the pace or one left unplanned, where it fits the day's
time, its capacities (pace, kinds), its one or two neighbourhoods, the transfer cap and
the money left; else through a day at the pace (a chain of two moves), and giving up a
restaurant for a meal of the traveler's choosing when the restaurant is what keeps the
day from its sights.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

import numpy as np

from . import order, toptw
from .areas import SECOND_ZONE_KM, ZONE_KM, km_between
from .build import DAY, Node, PaceRule, is_sight
from .travel import Point

NEIGHBOURHOOD_KM = 2.0  # a sight joins a day when it is this close to one of the day's two hearts
NEIGHBOURHOOD_MAX_KM = 2.5  # no stop of a day lies further than this from the nearer of its two hearts
# two hearts of one day are next to each other, as its neighbourhoods are (areas.day_areas)
ADJACENT_KM = SECOND_ZONE_KM + 2 * ZONE_KM


def spread_km(points: Sequence[Point], adjacent_km: float = np.inf) -> float:
    """The fewest km within which every point lies of one of two of them (two hearts at
    most ``adjacent_km`` apart)."""
    if len(points) <= 1:
        return 0.0
    km = km_between(points, points)
    # per pair of hearts (a, b): the furthest point from the nearer of the two
    spread = np.minimum(km[:, :, None], km[:, None, :]).max(axis=0)
    return float(np.where(km <= adjacent_km, spread, np.inf).min())


def room_left(problem: toptw.Problem, r: int, route: Sequence[int]) -> list[int] | None:
    """What day ``r``'s capacities (the pace's sights, per kind) leave once ``route`` is
    planned (negative where it is over); None when the problem has none."""
    if not problem.capacity:
        return None
    room = list(problem.capacity[r])
    for v in route:
        for j, used in enumerate(problem.vertices[v].load[:len(room)]):
            room[j] -= used
    return room


def fits_room(problem: toptw.Problem, room: list[int] | None, v: int) -> bool:
    """Whether visit ``v`` fits what :func:`room_left` left."""
    return room is None or (min(room, default=0) >= 0
                            and all(used <= left for used, left in zip(problem.vertices[v].load, room)))


def even_out(problem: toptw.Problem, routes: list[list[int]], nodes: Sequence[Node], pace: PaceRule,
             anywhere: Collection[int], *, max_transfer: int, money_left: Decimal) -> None:
    """Move or add sights into the days below ``pace.sights[0]`` (in place), the day with the
    fewest ways to grow first; when the trip cannot hold the pace every day (a thin market,
    a tight budget), the days are evened out instead of one staying empty. When no sight
    fits a thin day directly, a day at the pace
    lends it one and takes one from a fuller day (a chain of two moves). When the day's
    restaurants hold it in their corner of the city (its two neighbourhoods, its transfers),
    a restaurant gives way to the meal of the traveler's choosing (eaten where the route
    already is), the fewest restaurants first."""
    fewest = pace.sights[0]
    spare_meal = {(node.windows[0][0] // DAY, node.meal): v for v, node in enumerate(nodes, 1) if node.spare}
    planned = {v for route in routes for v in route}
    spare = [v for v, node in enumerate(nodes, 1) if is_sight(node) and not node.forced and not node.spare
             and v not in planned]

    def sights(route: Sequence[int]) -> list[int]:
        return [v for v in route if is_sight(nodes[v - 1]) and not nodes[v - 1].forced]

    def count(route: Sequence[int]) -> int:
        return sum(is_sight(nodes[v - 1]) for v in route)

    def options(r: int, route: list[int], pool: list[tuple[int, int | None]]) -> list[tuple]:
        """(travel added, sight, day it comes from, day r's new route) per sight of ``pool``
        that fits, with the fewest restaurants given up."""
        above = {s for s, other in enumerate(routes) if count(other) > fewest}
        for day in _meal_variants(route, nodes, r, spare_meal):
            found = _insertions(problem, r, day, pool, nodes, anywhere, max_transfer, above)
            if found:
                return found
        return []

    def lenders(r: int) -> list[int]:
        """Days that may give day r a sight: those above the pace, and (when the market or
        the budget cannot fill every day) those with two sights more than r."""
        return [s for s, route in enumerate(routes)
                if s != r and (count(route) > fewest or count(route) >= count(routes[r]) + 2)]

    def given(days: Collection[int]) -> list[tuple[int, int]]:
        """(sight, day) for the sights of ``days`` whose day stays in two neighbourhoods without them."""
        return [(v, s) for s in days for v in sights(routes[s])
                if spread_km([nodes[u - 1].cand.location for u in routes[s] if u != v and u not in anywhere])
                <= NEIGHBOURHOOD_MAX_KM]

    while True:
        thin = [r for r, route in enumerate(routes) if count(route) < fewest]
        if not thin:
            return
        affordable = [(v, None) for v in spare if (nodes[v - 1].cand.price or 0) <= money_left]
        pool = given([s for s, route in enumerate(routes) if count(route) > fewest]) + affordable
        # an unplanned sight joins only a day whose neighbourhoods hold it (areas.day_areas)
        moves = [(len(found), min(found), r) for r in thin
                 if (found := options(r, routes[r], given(lenders(r)) + [(v, s) for v, s in affordable
                                                                          if r in (nodes[v - 1].tours or ())]))]
        if moves:
            _n, (_added, v, s, route), r = min(moves)
            moves = [(r, route, v, s)]
        else:
            moves = _chain(routes, thin, [t for t, route in enumerate(routes) if count(route) == fewest], pool,
                           given, options)
        if not moves:
            return
        for r, route, v, s in moves:
            routes[r][:] = route
            if s is None:
                spare.remove(v)
                money_left -= nodes[v - 1].cand.price or 0
            else:
                routes[s].remove(v)


def _chain(routes, thin: Sequence[int], level: Sequence[int], pool, given, options) -> list[tuple]:
    """Two moves (day, its new route, the sight it takes, the day it comes from) by which a
    thin day takes a sight of a day at the pace (``level``) that takes one from ``pool``;
    ``given(days)``: the sights those days may lend."""
    for r in thin:
        lent = given(level)
        for _added, v, t, route in sorted(options(r, routes[r], lent), key=lambda o: o[0]):
            rest = [u for u in routes[t] if u != v]
            refill = options(t, rest, [(u, s) for u, s in pool if s != r])
            if refill:
                _added, u, s, refilled = min(refill, key=lambda o: o[0])
                return [(r, route, v, t), (t, refilled, u, s)]
    return []


def _meal_variants(route: Sequence[int], nodes: Sequence[Node], r: int,
                   spare_meal: dict[tuple[int, str], int]) -> list[list[int]]:
    """The day as it is, then with one, then all of its restaurants swapped for the meal of
    the traveler's choosing."""
    swappable = [v for v in route if nodes[v - 1].meal and not nodes[v - 1].forced and not nodes[v - 1].spare
                 and (r, nodes[v - 1].meal) in spare_meal]
    variants, seen = [list(route)], {tuple(route)}
    for chosen in [[v] for v in swappable] + [swappable]:
        day = [spare_meal[r, nodes[v - 1].meal] if v in chosen else v for v in route]
        if tuple(day) not in seen:
            seen.add(tuple(day))
            variants.append(day)
    return variants


def _insertions(problem: toptw.Problem, r: int, route: list[int], pool, nodes: Sequence[Node],
                anywhere: Collection[int], max_transfer: int,
                above: Collection[int]) -> list[tuple[int, int, int | None, list[int]]]:
    """(travel it adds, sight, day it comes from, the new route) for every sight of ``pool``
    that fits ``route``, each at its cheapest place. The sight joins the day's neighbourhood
    or the one next to it; only a day above the pace (``above``) may give a sight from
    across the city, as the pace then outweighs the detour."""
    here = [nodes[v - 1].cand.location for v in route if v not in anywhere]
    # a day the solver already spread wider than NEIGHBOURHOOD_KM may take a sight that spreads it no further
    limits = {adjacent: max(NEIGHBOURHOOD_KM, spread_km(here, adjacent)) for adjacent in (ADJACENT_KM, np.inf)}
    base = order.travel_of(problem, route, anywhere)
    out = []
    room = room_left(problem, r, route)
    for v, s in pool:
        cand = nodes[v - 1].cand
        adjacent = np.inf if s in above else ADJACENT_KM
        if not fits_room(problem, room, v) or spread_km(here + [cand.location], adjacent) > limits[adjacent]:
            continue
        fits = [(added, v, s, option) for k in range(len(route) + 1)
                if (added := order.travel_of(problem, option := route[:k] + [v] + route[k:], anywhere) - base)
                + base <= max_transfer and order.timetable(problem, r, option, anywhere) is not None]
        if fits:
            out.append(min(fits, key=lambda o: o[0]))
    return out
