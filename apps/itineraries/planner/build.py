"""Turn candidates and the trip's constraints into a TOPTW problem (days = tours).

Time is counted in minutes from local midnight of the first day in the destination time
zone, so day ``d`` covers ``[d*1440, (d+1)*1440)`` and one vertex holds the windows of
every day it may happen on (hence it is visited at most once in the whole trip).
Activities must end by the pace's day end; meals have their own windows and the day's
tour may run past the pace's end for dinner. The pace's number of sights a day and the
variety of a day (at most a few sights of one kind) are capacities of each tour, so the
search itself respects them (see ``toptw.Problem.capacity``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from . import toptw
from .candidates import Candidate
from .hours import Window
from .travel import Point, travel_matrix

DAY = 1440
SCALE = 10  # scores are integers for the solver
MEAL_SCORE = 100_000  # meals are mandatory-ish: worth more than any set of activities


@dataclass(frozen=True)
class PaceRule:
    day_start: int
    day_end: int
    sights: tuple[int, int]  # sights a day: what the pace means (fewer only when the market is thin), at most
    lunch_break: int = 0  # minutes of rest added to lunch
    same_kind: int = 3  # at most this many sights of one kind (museums, gardens…) in a day


PACES = {
    "relaxed": PaceRule(10 * 60, 18 * 60, (2, 4), lunch_break=30, same_kind=2),  # late start, a long lunch
    "moderate": PaceRule(9 * 60, 20 * 60, (4, 6), same_kind=3),
    "packed": PaceRule(8 * 60, 22 * 60, (6, 8), same_kind=4),
}
MEALS = {"lunch": (11 * 60 + 30, 14 * 60), "dinner": (18 * 60, 21 * 60)}
THEME_EVERY = 3  # every this many days, a day of one sight of each kind at most
TOUR_END_MIN = 22 * 60  # back at the hotel by then at the latest, dinner included


@dataclass
class Node:
    """A solver vertex: a candidate, as a free activity, a day's meal or a fixed visit."""

    cand: Candidate
    windows: tuple[Window, ...]  # absolute minutes
    meal: str = ""
    forced: bool = False
    why_fixed: str = ""
    tours: frozenset[int] | None = None  # the days it may happen on (None: any day it has windows)
    spare: bool = False  # kept out of the search: a meal of the traveler's choosing if the day's meal is dropped


def clip(ranges: Sequence[Window], lo: int, hi: int) -> list[Window]:
    """Start ranges restricted to [lo, hi]."""
    return [(max(a, lo), min(b, hi)) for a, b in ranges if max(a, lo) <= min(b, hi)]


def dry(ranges: Sequence[Window], rain: Sequence[Window], duration: int) -> list[Window]:
    """Start ranges whose visit [s, s + duration] does not overlap any rain interval."""
    out = list(ranges)
    for r0, r1 in rain:
        cut = []
        for a, b in out:
            if a <= r0 - duration:
                cut.append((a, min(b, r0 - duration)))
            if b >= r1:
                cut.append((max(a, r1), b))
        out = cut
    return out


def rain_of(weather: Mapping | None) -> list[Window]:
    """Rain intervals in minutes from a day's weather (``rain_hours``: local hours with
    rain, as :class:`apps.integrations.weather.DayWeather` gives them)."""
    windows: list[Window] = []
    for hour in sorted(set((weather or {}).get("rain_hours", ()))):
        if windows and windows[-1][1] == hour * 60:
            windows[-1] = (windows[-1][0], hour * 60 + 60)
        else:
            windows.append((hour * 60, hour * 60 + 60))
    return windows


def day_ranges(cand: Candidate, day: dt.date, lo: int, hi: int, rain: Sequence[Window]) -> list[Window]:
    """A candidate's start ranges on a day within [lo, hi], dry if it is outdoors."""
    return _ranges(cand.windows.get(day, ()), lo, hi, () if cand.indoor else rain, cand.duration)


def _ranges(windows: Sequence[Window], lo: int, hi: int, rain: Sequence[Window], duration: int) -> list[Window]:
    """Start ranges within [lo, hi] of a visit of ``duration`` that stays out of ``rain``."""
    ranges = clip(windows, lo, hi)
    return dry(ranges, rain, duration) if rain else ranges


def absolute(day_index: int, ranges: Sequence[Window]) -> tuple[Window, ...]:
    base = day_index * DAY
    return tuple((base + a, base + b) for a, b in ranges)


def activity_node(cand: Candidate, days: Sequence[dt.date], pace: PaceRule, rain: Mapping[dt.date, list],
                  holidays: Mapping[dt.date, str]) -> Node | None:
    """The activity over every day it fits in; crowd-sensitive sights avoid public holidays
    when they can happen on another day, unless holidays are most of the trip (Golden Week):
    then the ordinary days could not hold them all and the holidays would stay empty."""
    windows = _trip_windows(tuple(cand.windows.items()), cand.duration, tuple(days), pace.day_start, pace.day_end,
                            () if cand.indoor else tuple(tuple(rain.get(day, ())) for day in days),
                            tuple(day in holidays for day in days) if cand.crowd_sensitive else ())
    return Node(cand, windows) if windows else None


@lru_cache(maxsize=4096)
def _trip_windows(windows: tuple[tuple[dt.date, tuple[Window, ...]], ...], duration: int, days: tuple[dt.date, ...],
                  day_start: int, day_end: int, rain: tuple[tuple[Window, ...], ...], holidays: tuple[bool, ...]
                  ) -> tuple[Window, ...]:
    """:func:`activity_node`'s absolute windows, cached: the places of a market share a few
    opening hours and visit lengths. ``rain`` per day (empty: indoors), ``holidays`` per day
    (empty: not crowd-sensitive)."""
    by_day = dict(windows)
    per_day = {i: _ranges(by_day.get(day, ()), day_start, day_end - duration, rain[i] if rain else (), duration)
               for i, day in enumerate(days)}
    per_day = {i: r for i, r in per_day.items() if r}
    if holidays and 2 * sum(holidays) <= len(days) and any(not holidays[i] for i in per_day):
        per_day = {i: r for i, r in per_day.items() if not holidays[i]}
    return tuple(w for i in sorted(per_day) for w in absolute(i, per_day[i]))


def meal_ranges(cand: Candidate, day: dt.date, meal: str, rain: Sequence[Window]) -> list[Window]:
    lo, hi = MEALS[meal]
    return day_ranges(cand, day, lo, hi - cand.duration, rain)


def is_sight(node: Node) -> bool:
    return not node.meal and node.cand.kind == "activity"


def _capacity(nodes: Sequence[Node], n_days: int, pace: PaceRule) -> tuple[list[tuple[int, ...]], list[tuple]]:
    """Per day: sights allowed, then sights allowed per kind; per node: what it uses.
    A fixed sight uses nothing but takes its room out of its day. Every third day has at
    most one sight of each kind, so that not every day leads with museums (or viewpoints…).
    """
    kinds = sorted({n.cand.category for n in nodes if is_sight(n)})
    column = {kind: j for j, kind in enumerate(kinds, 1)}
    room = [[pace.sights[1]] + [pace.same_kind] * len(kinds) for _ in range(n_days)]
    for day in room[THEME_EVERY - 1::THEME_EVERY]:
        day[1:] = [1] * len(kinds)
    loads = []
    for node in nodes:
        load = [0] * (len(kinds) + 1)
        if is_sight(node):
            if node.forced:
                day = room[node.windows[0][0] // DAY]
                day[0], day[column[node.cand.category]] = day[0] - 1, day[column[node.cand.category]] - 1
            else:
                load[0] = load[column[node.cand.category]] = 1
        loads.append(tuple(load))
    return [tuple(max(0, x) for x in day) for day in room], loads


def problem_for(nodes: Sequence[Node], depot: Point, n_days: int, pace: PaceRule,
                minutes: Callable | None = None) -> toptw.Problem:
    """The TOPTW instance: vertex 0 is the hotel, vertex i the node i-1."""
    capacity, loads = _capacity(nodes, n_days, pace)
    vertices = [toptw.Vertex(0, 0, 0, ((0, n_days * DAY),))]
    for i, (node, load) in enumerate(zip(nodes, loads), 1):
        score = 0 if node.spare else MEAL_SCORE if node.meal else max(1, round(node.cand.score * SCALE))
        vertices.append(toptw.Vertex(i, node.cand.duration, score, node.windows, tours=node.tours,
                                     forced=node.forced, load=load))
    travel = travel_matrix([depot] + [n.cand.location for n in nodes], minutes)
    starts = [d * DAY + pace.day_start for d in range(n_days)]
    ends = [d * DAY + max(pace.day_end, TOUR_END_MIN) for d in range(n_days)]
    for i, node in enumerate(nodes, 1):
        if node.forced:  # a fixed visit outside the pace's hours stretches its day
            (start, _), = node.windows
            d = start // DAY
            starts[d] = min(starts[d], start - travel[0][i])
            ends[d] = max(ends[d], start + node.cand.duration + travel[i][0])
    return toptw.Problem(vertices, travel, n_days, starts, ends, capacity)


def searchable(problem: toptw.Problem) -> tuple[toptw.Problem, list[int]]:
    """The instance on the vertices the search may choose, and their indices in ``problem``.

    Most vertices of a city market lie outside every day's neighbourhoods (``tours`` empty)
    or are spare meals (no score): the search could never pick them, yet each of them costs
    it time in every step. Left out are those that are not forced and have no score or fit
    none of their days alone.
    """
    def usable(v: int, vertex: toptw.Vertex) -> bool:
        return vertex.forced or vertex.score > 0 and any(
            toptw.fits_alone(problem, r, v) for r in (range(problem.n_tours) if vertex.tours is None else vertex.tours))

    keep = [0] + [v for v, vertex in enumerate(problem.vertices) if v and usable(v, vertex)]
    pick = itemgetter(*keep) if len(keep) > 1 else lambda row: (row[0],)
    travel = [list(pick(problem.travel[v])) for v in keep]
    return toptw.Problem([problem.vertices[v] for v in keep], travel, problem.n_tours, list(problem.tour_start),
                         list(problem.tour_end), problem.capacity), keep
