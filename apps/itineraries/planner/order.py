"""A day's visits in the order a local would walk them: the least travel their windows allow.

The solver chooses what each day holds; this module times a day and finds, exactly, the
order of its visits with the least travel from the hotel and back under the same windows
(opening hours, slots, meal windows, the day's end), so a day never zig-zags.

A meal of the traveler's choosing (``anywhere``) is eaten where the route already is: it
costs no travel, and the next leg starts from the visit before it.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

from . import toptw

MAX_EXACT = 14  # visits a day: beyond this (never on an ordinary day) the given order is kept


def legs(problem: toptw.Problem, route: Sequence[int], anywhere: Collection[int]) -> list[int]:
    """Minutes of travel into each visit of ``route``, then back to the hotel (one more)."""
    out, here = [], 0
    for v in route:
        if v in anywhere:
            out.append(0)
        else:
            out.append(problem.travel[here][v])
            here = v
    return out + [problem.travel[here][0]]


def travel_of(problem: toptw.Problem, route: Sequence[int], anywhere: Collection[int]) -> int:
    """Minutes of getting about on a day's route, hotel to hotel."""
    return sum(legs(problem, route, anywhere)) if route else 0


def timetable(problem: toptw.Problem, r: int, route: Sequence[int], anywhere: Collection[int]) -> list[int] | None:
    """Start of each visit of ``route`` on day ``r`` (each as early as its windows allow), or
    None when a visit misses its windows or the day ends before the hotel is reached."""
    clock, starts = problem.tour_start[r], []
    into = legs(problem, route, anywhere)
    for v, leg in zip(route, into):
        start = toptw.earliest_start(toptw.normalise(problem.vertices[v].windows), clock + leg)
        if start is None:
            return None
        starts.append(start)
        clock = start + problem.vertices[v].service
    return starts if not route or clock + into[-1] <= problem.tour_end[r] else None


def best_order(problem: toptw.Problem, r: int, route: Sequence[int], anywhere: Collection[int]) -> list[int]:
    """The visits of ``route`` (feasible) in the feasible order of least travel.

    Dynamic programming over (visits done, where the route is) with Pareto labels (travel
    so far, clock): a label is dropped only when another one of the same state is no worse
    on both, or when its travel plus a lower bound of the travel still to come (the
    cheapest way into each visit left) cannot beat the best order known; so the answer is
    exact. The given order is kept on ties."""
    route = list(route)
    n = len(route)
    if n < 2 or n > MAX_EXACT:
        return route
    travel, verts = problem.travel, problem.vertices
    windows = [toptw.normalise(verts[v].windows) for v in route]
    service = [verts[v].service for v in route]
    located = [v not in anywhere for v in route]
    points = [0] + [v for v, here in zip(route, located) if here]
    cheapest_in = [min(travel[u][v] for u in points if u != v) if here else 0 for v, here in zip(route, located)]
    back = min((travel[v][0] for v in points[1:]), default=0)
    best, best_cost = route, travel_of(problem, route, anywhere)
    end = problem.tour_end[r]
    layer = {(0, 0): [(0, problem.tour_start[r], sum(cheapest_in), ())]}
    for _size in range(n):
        following: dict[tuple[int, int], list[tuple]] = {}
        for (done, here), labels in layer.items():
            for cost, clock, still, order in labels:
                for k in range(n):
                    if done >> k & 1:
                        continue
                    v = route[k]
                    move = travel[here][v] if located[k] else 0
                    spent, left = cost + move, still - cheapest_in[k]
                    if spent + left + back >= best_cost:
                        continue
                    start = toptw.earliest_start(windows[k], clock + move)
                    if start is None:
                        continue
                    state, finish = (done | 1 << k, v if located[k] else here), start + service[k]
                    bucket = following.setdefault(state, [])
                    if any(c <= spent and t <= finish for c, t, _s, _o in bucket):
                        continue
                    bucket[:] = [b for b in bucket if not (spent <= b[0] and finish <= b[1])]
                    bucket.append((spent, finish, left, order + (v,)))
        layer = following
    for (_done, here), labels in layer.items():
        for cost, clock, _still, order in labels:
            total = cost + travel[here][0]
            if total < best_cost and clock + travel[here][0] <= end:
                best, best_cost = list(order), total
    return best
