"""Team Orienteering Problem with Time Windows (TOPTW) solver, pure Python.

This is the optimisation core of the itinerary planner: vertex 0 is the depot (hotel),
every other vertex a candidate activity with a score, a service duration and one or
more time windows for the *start* of the visit; each tour is a day with its own depot
departure time and return deadline. We maximise the total score.

Conventions (those of the TOPTW literature, see ``bench/toptw.py``):

* a tour leaves the depot at ``tour_start[r]`` and must be back by ``tour_end[r]``;
* arriving early is allowed, a visit starts at the earliest window opening at or after
  the arrival and must start no later than that window's close (it may end after it);
* every vertex is visited at most once; ``Vertex.tours`` restricts it to some tours;
* optionally (the multi-constraint variant), each visit uses ``Vertex.load`` of some
  resources and each tour may use at most ``Problem.capacity[r]`` of them (e.g. at most
  four sights a day); without ``capacity`` none of this costs anything;
* all times are integers (any unit), so feasibility is exact.

Forced (pinned) vertices are handled by a score bonus larger than the sum of all
scores, so the search maximises first the number of forced vertices it can fit and
then the real score; ``Solution.score`` is always the real score.

Algorithm: iterated local search in the spirit of Vansteenwegen et al. (2009) made
stronger with ruin-and-recreate. Each iteration ruins the current solution (a random
segment of every tour, or random vertices), repairs it with a cheapest-ratio greedy
insertion (score^2 / time consumed, randomised by a strong multiplicative noise),
then applies 1-for-1 "replace" moves (an unvisited vertex takes the place of a
lower-scoring one). Simulated-annealing acceptance (temperature cooling to zero over
the time budget) walks the landscape and restarts from the best solution when stuck.
Feasibility of an insertion is O(1) thanks to per-position slack (wait plus maxShift),
and two bisections restrict each vertex to the gaps its windows can reach, so the hot
loops are plain integer comparisons on flat lists.

With several windows per vertex the O(1) test is conservative: it only accepts
shifts that keep every later visit in its current window (moving a visit to a later
window is never assumed). The schedule itself is always recomputed exactly.
"""
from __future__ import annotations

import math
import random
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

Window = tuple[int, int]
_INF = 1 << 60
# Search parameters, tuned once on the whole benchmark (never per instance):
_NOISE = (1.0, 2.0, 4.0)  # greedy ratio multiplied by 1 + noise * U[0, 1)
_TEMPERATURE = 1.0  # initial SA temperature, in mean scores of a visited vertex
_SEGMENT = 0.5  # ruin: up to this share of every tour, as one segment
_SCATTER = 0.3  # ruin: or up to this share of all visits, anywhere
_RESTART_AFTER = 200  # iterations without a new best before going back to it


@dataclass(frozen=True)
class Vertex:
    """A depot (index 0) or a candidate visit; ``windows`` bound the visit's start."""

    id: int
    service: int
    score: int
    windows: tuple[Window, ...]
    tours: frozenset[int] | None = None
    forced: bool = False
    load: tuple[int, ...] = ()  # resources a visit uses (missing entries: 0), see Problem.capacity


@dataclass
class Problem:
    """``travel`` is an n x n integer matrix indexed like ``vertices``.

    Vertex 0 is the depot: its windows and service are ignored, tour r leaves it at
    ``tour_start[r]`` and must be back by ``tour_end[r]``. Routes everywhere hold
    indices into ``vertices`` (``Vertex.id`` is the caller's own identifier).
    """

    vertices: list[Vertex]
    travel: list[list[int]]
    n_tours: int
    tour_start: list[int]
    tour_end: list[int]
    capacity: list[tuple[int, ...]] | None = None  # per tour: the most of each resource its visits use


@dataclass
class Solution:
    """``routes`` and ``starts`` hold vertex indices and visit start times per tour."""

    routes: list[list[int]]
    score: int
    starts: list[list[int]]
    iterations: int = 0


@lru_cache(maxsize=8192)  # schedule() asks for the same vertices' windows over and over
def normalise(windows: tuple[Window, ...]) -> tuple[Window, ...]:
    """Sorted windows with overlapping or touching ones merged (times are integers,
    so (a, b) and (b + 1, c) allow exactly the same starts as (a, c))."""
    merged: list[Window] = []
    for open_, close in sorted(windows):
        if merged and open_ <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], close))
        else:
            merged.append((open_, close))
    return tuple(merged)


def earliest_start(windows: tuple[Window, ...], arrival: int) -> int | None:
    """Start of service for an arrival, or None when every window has closed
    (``windows`` sorted and disjoint, see ``normalise``)."""
    for open_, close in windows:
        if arrival <= close:
            return open_ if arrival < open_ else arrival
    return None


def _window_of(windows: tuple[Window, ...], arrival: int) -> tuple[int, int]:
    """(start, close of the window used) for an arrival; close is -1 if all closed."""
    for open_, close in windows:
        if arrival <= close:
            return (open_ if arrival < open_ else arrival), close
    return arrival, -1


def schedule(problem: Problem, tour: int, route: list[int]) -> tuple[list[int], list[str]]:
    """Exact visit start times of one tour and the feasibility errors found."""
    travel, verts = problem.travel, problem.vertices
    errors: list[str] = []
    starts: list[int] = []
    t, prev = problem.tour_start[tour], 0
    for v in route:
        if not 0 < v < len(verts):
            errors.append(f"tour {tour}: vertex {v} does not exist")
            return starts, errors
        allowed = verts[v].tours
        if allowed is not None and tour not in allowed:
            errors.append(f"tour {tour}: vertex {v} is not allowed on this tour")
        arrival = t + travel[prev][v]
        start = earliest_start(normalise(verts[v].windows), arrival)
        if start is None:
            errors.append(f"tour {tour}: vertex {v} reached at {arrival}, after its last window")
            start = arrival
        starts.append(start)
        t, prev = start + verts[v].service, v
    back = t + travel[prev][0]
    if route and back > problem.tour_end[tour]:
        errors.append(f"tour {tour}: back at depot at {back} > {problem.tour_end[tour]}")
    if problem.capacity is not None:
        used = _used([_padded(verts[v].load, len(problem.capacity[tour])) for v in route], len(problem.capacity[tour]))
        if any(u > c for u, c in zip(used, problem.capacity[tour])):
            errors.append(f"tour {tour}: uses {used} > capacity {problem.capacity[tour]}")
    return starts, errors


def _min_off(row: list[int], v: int) -> int:
    """Smallest entry of ``row`` but the one at ``v`` (travel to or from anywhere else)."""
    return min(min(row[:v], default=_INF), min(row[v + 1:], default=_INF))


def fits_alone(problem: Problem, tour: int, v: int) -> bool:
    """Whether visiting v alone fits tour ``tour`` in time (whatever its ``tours`` and ``load``)."""
    vertex = problem.vertices[v]
    start = earliest_start(normalise(vertex.windows), problem.tour_start[tour] + problem.travel[0][v])
    return start is not None and start + vertex.service + problem.travel[v][0] <= problem.tour_end[tour]


def _padded(load: tuple[int, ...], size: int) -> tuple[int, ...]:
    return tuple(load[:size]) + (0,) * (size - len(load))


def _used(loads: list[tuple[int, ...]], size: int) -> list[int]:
    return [sum(col) for col in zip(*loads)] if loads else [0] * size


def check(problem: Problem, routes: list[list[int]]) -> list[str]:
    """Feasibility errors of a whole solution (empty list when feasible)."""
    errors: list[str] = []
    if len(routes) > problem.n_tours:
        errors.append(f"{len(routes)} routes for {problem.n_tours} tours")
    seen: set[int] = set()
    for tour, route in enumerate(routes[: problem.n_tours]):
        for v in route:
            if v in seen:
                errors.append(f"vertex {v} visited twice")
            seen.add(v)
        errors.extend(schedule(problem, tour, route)[1])
    return errors


def solve(
    problem: Problem,
    *,
    time_limit: float = 2.0,
    seed: int = 0,
    initial: list[list[int]] | None = None,
    max_iterations: int | None = None,
    patience: int | None = None,
) -> Solution:
    """Best solution found within ``time_limit`` seconds, or in exactly
    ``max_iterations`` search steps when given (then the time limit is ignored and the
    result depends only on the problem and ``seed``); it stops early once every
    candidate that fits some tour alone is visited, and with ``patience`` once that many
    steps in a row found nothing better (a caller who needs an answer fast rather than
    the last fraction of a percent: the result then depends only on the seed too, unless
    the time limit comes first).

    ``initial`` (vertex indices per tour) seeds the search for re-planning: its visits
    are kept in order where valid and feasible (the others are dropped), free time is
    filled greedily, and the result never scores below that. Later iterations may
    still swap those visits for better ones: mark a visit ``forced`` to pin it, and
    use ``max_iterations=0`` to only extend the given plan.
    """
    deadline = time.perf_counter() + time_limit  # construction counts against the limit too
    _validate(problem)
    search = _Search(problem, random.Random(seed))
    if initial:
        search.load(initial)
    search.greedy_insert(0.0)
    if not initial:
        search.replace_pass()
    iterations = search.run(deadline, max_iterations, patience)
    routes = [list(r) for r in search.best_routes]
    starts = [schedule(problem, r, route)[0] for r, route in enumerate(routes)]
    score = sum(problem.vertices[v].score for route in routes for v in route)
    return Solution(routes, score, starts, iterations)


def _validate(problem: Problem) -> None:
    n, m = len(problem.vertices), problem.n_tours
    if len(problem.travel) != n or any(len(row) != n for row in problem.travel):
        raise ValueError("travel must be an n x n matrix over the vertices")
    if len(problem.tour_start) != m or len(problem.tour_end) != m:
        raise ValueError("tour_start and tour_end need one entry per tour")
    if problem.capacity is not None and (len(problem.capacity) != m
                                         or len({len(c) for c in problem.capacity}) > 1):
        raise ValueError("capacity needs one entry per tour, all of the same size")
    for v in problem.vertices[1:]:
        if any(o > c for o, c in v.windows):
            raise ValueError(f"vertex {v.id}: a window opens after it closes")


class _Search:
    """Mutable search state: routes plus per-position schedule arrays for O(1) tests.

    For tour r with sequence ``seq`` (no depot) and L = len(seq), positions k = 0..L
    denote the gap before ``seq[k]`` (k = L: before the return to the depot):
    ``prv[k]``/``nxt[k]`` are the vertices around the gap, ``end[k]`` the departure
    time from ``prv[k]``, ``arr[k]`` the arrival time at ``nxt[k]`` and ``slack[k]``
    how much that arrival may be delayed (wait + maxShift) keeping the tour feasible.
    """

    def __init__(self, problem: Problem, rng: random.Random) -> None:
        verts = problem.vertices
        n, m = len(verts), problem.n_tours
        self.problem = problem
        self.rng = rng
        self.n, self.m = n, m
        self.travel = [list(row) for row in problem.travel]
        self.into = [list(col) for col in zip(*problem.travel)]
        self.svc = [v.service for v in verts]
        bonus = sum(max(v.score, 0) for v in verts) + 1
        self.score = [v.score + (bonus if v.forced else 0) for v in verts]
        self.score[0] = 0
        self.real = [v.score for v in verts]
        self.sq = [float(s) * s if s > 0 else 0.0 for s in self.score]
        self.ts, self.te = list(problem.tour_start), list(problem.tour_end)
        # Per tour, a vertex's windows within the tour's span only (tours on different days
        # see one window each of a place open every day: the fast single-window path), and
        # the bounds for the bisections: latest departure before v, earliest arrival after v.
        far_in = [_min_off(self.into[v], v) for v in range(n)]
        far_out = [_min_off(self.travel[v], v) for v in range(n)]
        spans: dict[tuple[int, int], tuple] = {}
        for span in zip(self.ts, self.te):
            if span not in spans:
                spans[span] = self._windows_within(verts, *span, far_in, far_out)
        self.wins, self.open, self.close, self.multi, self.latest_in, self.earliest_out = (
            list(x) for x in zip(*(spans[span] for span in zip(self.ts, self.te))))
        self.tours = [v.tours for v in verts]
        # optional resources: None keeps every capacity test out of the search
        self.cap = [tuple(c) for c in problem.capacity] if problem.capacity is not None else None
        size = len(self.cap[0]) if self.cap else 0
        self.loads = [_padded(v.load, size) for v in verts]
        self.used = [[0] * size for _ in range(m)]
        self.allowed = [[self._reachable(v, r) for v in range(n)] for r in range(m)]
        self.allowed_any = [
            v for v in range(1, n) if self.score[v] > 0 and any(a[v] for a in self.allowed)
        ]
        self.seq: list[list[int]] = [[] for _ in range(m)]
        self.route_of = [-1] * n
        self.prv: list[list[int]] = [[] for _ in range(m)]
        self.nxt: list[list[int]] = [[] for _ in range(m)]
        self.end: list[list[int]] = [[] for _ in range(m)]
        self.arr: list[list[int]] = [[] for _ in range(m)]
        self.slack: list[list[int]] = [[] for _ in range(m)]
        self.latest: list[list[int]] = [[] for _ in range(m)]
        self.back = [0] * m
        for r in range(m):
            self._rebuild(r)
        self.best_routes: list[list[int]] = [[] for _ in range(m)]
        self.best_key = (0, 0)

    def _reachable(self, v: int, r: int) -> bool:
        """Whether v alone fits tour r (and the tour may use it at all)."""
        if v == 0:
            return False
        tours = self.tours[v]
        if self.cap is not None and any(x > c for x, c in zip(self.loads[v], self.cap[r])):
            return False
        return (tours is None or r in tours) and fits_alone(self.problem, r, v)

    def _fits(self, r: int, v: int, instead: int = 0) -> bool:
        """Whether tour r has room for v's load (in place of ``instead``'s, if given)."""
        out = self.loads[instead] if instead else None
        for j, (u, x, c) in enumerate(zip(self.used[r], self.loads[v], self.cap[r])):
            if u + x - (out[j] if out else 0) > c:
                return False
        return True

    def _windows_within(self, verts: list[Vertex], lo: int, hi: int, far_in: list[int], far_out: list[int]) -> tuple:
        """(windows, open, close, several windows?, latest_in, earliest_out) per vertex for
        a tour from ``lo`` to ``hi`` (``far_in``/``far_out``: the shortest leg into/out of
        each vertex); a vertex never open then gets a window that never opens."""
        wins = [tuple(w for w in normalise(v.windows) if w[1] >= lo and w[0] <= hi) or ((_INF, -_INF),)
                for v in verts]
        wins[0] = ((0, 0),)  # unused: tours use tour_start / tour_end
        opens, closes = [w[0][0] for w in wins], [w[-1][1] for w in wins]
        return (wins, opens, closes, [len(w) > 1 for w in wins],
                [c - t for c, t in zip(closes, far_in)], [o + s + t for o, s, t in zip(opens, self.svc, far_out)])

    # -- schedule bookkeeping -------------------------------------------------------

    def _rebuild(self, r: int) -> int:
        """Recompute tour r's arrays; return -1 if feasible else the first bad position."""
        seq, travel, svc = self.seq[r], self.travel, self.svc
        multi, wins, opens, shuts = self.multi[r], self.wins[r], self.open[r], self.close[r]
        t, prev = self.ts[r], 0
        prv, end, arr, starts, closes = [0], [t], [], [], []
        bad = -1
        for k, v in enumerate(seq):
            a = t + travel[prev][v]
            if multi[v]:
                s, c = _window_of(wins[v], a)
            else:
                o, c = opens[v], shuts[v]
                s = a if a > o else o
            if s > c and bad < 0:
                bad = k
            arr.append(a)
            starts.append(s)
            closes.append(c)
            t = s + svc[v]
            prv.append(v)
            end.append(t)
            prev = v
        back = t + travel[prev][0]
        arr.append(back)
        self.back[r] = back
        x = self.te[r] - back
        if x < 0 and bad < 0 and seq:  # an empty tour is unused, hence feasible
            bad = len(seq) - 1
        slack = [0] * (len(seq) + 1)
        slack[-1] = x
        for k in range(len(seq) - 1, -1, -1):
            s = starts[k]
            ms = closes[k] - s
            if x < ms:
                ms = x
            x = s - arr[k] + ms
            slack[k] = x
        self.prv[r], self.nxt[r] = prv, seq + [0]
        self.end[r], self.arr[r], self.slack[r] = end, arr, slack
        self.latest[r] = [a + x for a, x in zip(arr, slack)]
        if self.cap is not None:
            self.used[r] = _used([self.loads[v] for v in seq], len(self.cap[r]))
        return bad

    def _repair(self, r: int) -> None:
        """Drop visits until tour r is feasible (removal can break it without the
        triangle inequality, e.g. with truncated distances)."""
        while True:
            bad = self._rebuild(r)
            if bad < 0:
                return
            self.route_of[self.seq[r].pop(bad)] = -1

    def load(self, routes: list[list[int]]) -> None:
        """Take over a previous plan, skipping visits that are invalid or infeasible."""
        for r, route in enumerate(routes[: self.m]):
            for v in route:
                if not 0 < v < self.n or self.route_of[v] >= 0 or not self.allowed[r][v]:
                    continue
                self.seq[r].append(v)
                if self._rebuild(r) >= 0 or (self.cap is not None
                                             and any(u > c for u, c in zip(self.used[r], self.cap[r]))):
                    self.seq[r].pop()
                else:
                    self.route_of[v] = r
            self._rebuild(r)
        self._record()

    # -- moves ----------------------------------------------------------------------

    def _best_gap(self, r: int, v: int) -> tuple[int, int]:
        """Cheapest feasible insertion of v in tour r as (delay at next vertex, gap).

        Departure times (``end``) and latest arrivals (``arr + slack``) never decrease
        along a tour, so two bisections bound the gaps v's windows can possibly use.
        """
        end, latest = self.end[r], self.latest[r]
        lo = bisect_left(latest, self.earliest_out[r][v])
        hi = bisect_right(end, self.latest_in[r][v], lo)
        if lo >= hi:
            return _INF, -1
        col, row = self.into[v], self.travel[v]
        dv = self.svc[v]
        best, bk = _INF, -1
        gaps = zip(self.prv[r][lo:hi], self.nxt[r][lo:hi], end[lo:hi], self.arr[r][lo:hi], latest[lo:hi])
        if self.multi[r][v]:
            wins = self.wins[r][v]
            for k, (p, q, e, a, la) in enumerate(gaps, lo):
                s = earliest_start(wins, e + col[p])
                if s is None:
                    continue
                d = s + dv + row[q]
                if d <= la and d - a < best:
                    best, bk = d - a, k
            return best, bk
        ov, cv = self.open[r][v], self.close[r][v]
        k = lo
        for p, q, e, a, la in gaps:
            s = e + col[p]
            if s <= cv:
                if s < ov:
                    s = ov
                d = s + dv + row[q]
                if d <= la and d - a < best:
                    best, bk = d - a, k
            k += 1
        return best, bk

    def _insert(self, r: int, k: int, v: int) -> None:
        self.seq[r].insert(k, v)
        self.route_of[v] = r
        self._rebuild(r)

    def greedy_insert(self, noise: float) -> None:
        """Insert unvisited vertices by best score^2 / time-consumed until none fits."""
        m, rng, sq = self.m, self.rng, self.sq
        route_of = self.route_of
        cand = [v for v in self.allowed_any if route_of[v] < 0]
        # per tour: vertices still worth testing there, and their best (delay, gap)
        cands = [[v for v in cand if self.allowed[r][v]] for r in range(m)]
        best = [dict() for _ in range(m)]
        for r in range(m):
            cands[r] = self._evaluate(r, cands[r], best[r])
        while True:
            top, choice = -1.0, None
            for r in range(m):
                for v, (d, k) in best[r].items():
                    ratio = sq[v] / ((d if d > 0 else 0) + 1)
                    if noise:
                        ratio *= 1.0 + noise * rng.random()
                    if ratio > top:
                        top, choice = ratio, (r, k, v)
            if choice is None:
                return
            r, k, v = choice
            self._insert(r, k, v)
            for rr in range(m):
                best[rr].pop(v, None)
            cands[r] = self._evaluate(r, [u for u in cands[r] if route_of[u] < 0], best[r])

    def _evaluate(self, r: int, cand: list[int], best: dict[int, tuple[int, int]]) -> list[int]:
        """Refresh ``best`` for tour r; return the candidates that still fit it.

        A vertex that fits nowhere in a tour stays out for the rest of the greedy
        phase: insertions only consume slack (exact under the triangle inequality).
        """
        keep = []
        capped = self.cap is not None
        for v in cand:
            if capped and not self._fits(r, v):  # resources only fill up while inserting
                best.pop(v, None)
                continue
            d, k = self._best_gap(r, v)
            if k < 0:
                best.pop(v, None)
            else:
                best[v] = (d, k)
                keep.append(v)
        return keep

    def replace_pass(self) -> bool:
        """Swap visits for higher-scoring unvisited vertices in place, then refill."""
        score, improved = self.score, False
        unvisited = sorted(
            (v for v in self.allowed_any if self.route_of[v] < 0), key=lambda v: -score[v]
        )
        for u in unvisited:
            if self.route_of[u] >= 0:
                continue
            move = self._best_replacement(u)
            if move is None:
                continue
            r, k = move
            old = self.seq[r][k]
            self.seq[r][k] = u
            self.route_of[old], self.route_of[u] = -1, r
            self._repair(r)
            improved = True
        if improved:
            self.greedy_insert(0.0)
        return improved

    def _best_replacement(self, u: int) -> tuple[int, int] | None:
        """Tour and position of the lowest-scoring visit u can replace in place."""
        su, col, row, du = self.score[u], self.into[u], self.travel[u], self.svc[u]
        score = self.score
        capped = self.cap is not None
        best, choice = su, None
        for r in range(self.m):
            if not self.allowed[r][u]:
                continue
            seq, prv, end = self.seq[r], self.prv[r], self.end[r]
            nxt, latest = self.nxt[r], self.latest[r]
            wins, multi, ou, cu = self.wins[r][u], self.multi[r][u], self.open[r][u], self.close[r][u]
            lo = max(bisect_left(latest, self.earliest_out[r][u]) - 1, 0)
            hi = min(bisect_right(end, self.latest_in[r][u], lo), len(seq))
            for k in range(lo, hi):
                sv = score[seq[k]]
                if sv >= best or (capped and not self._fits(r, u, seq[k])):
                    continue
                a = end[k] + col[prv[k]]
                if multi:
                    s = earliest_start(wins, a)
                    if s is None:
                        continue
                elif a > cu:
                    continue
                else:
                    s = a if a > ou else ou
                if s + du + row[nxt[k + 1]] <= latest[k + 1]:
                    best, choice = sv, (r, k)
        return choice

    # -- iterated local search ------------------------------------------------------

    def _key(self) -> tuple[int, int]:
        total = sum(self.score[v] for s in self.seq for v in s)
        duration = sum(self.back[r] - self.ts[r] for r in range(self.m) if self.seq[r])
        return total, -duration

    def _record(self) -> None:
        key = self._key()
        if key > self.best_key or not any(self.best_routes):
            self.best_key = key
            self.best_routes = [list(s) for s in self.seq]

    def _restore(self, routes: list[list[int]]) -> None:
        self.route_of = [-1] * self.n
        for r, route in enumerate(routes):
            self.seq[r] = list(route)
            for v in route:
                self.route_of[v] = r
            self._rebuild(r)

    def _ruin(self) -> None:
        """Remove a random segment of every tour, or random visits anywhere."""
        rng = self.rng
        visited = [v for s in self.seq for v in s]
        if not visited:
            return
        if rng.random() < 0.5:
            for r, seq in enumerate(self.seq):
                if not seq:
                    continue
                size = rng.randint(1, max(1, math.ceil(len(seq) * _SEGMENT)))
                at = rng.randrange(len(seq))
                for v in (seq[at:] + seq[:at])[:size]:
                    self.route_of[v] = -1
                self.seq[r] = [v for v in seq if self.route_of[v] >= 0]
        else:
            size = rng.randint(1, max(1, math.ceil(len(visited) * _SCATTER)))
            for v in rng.sample(visited, size):
                self.route_of[v] = -1
            for r, seq in enumerate(self.seq):
                self.seq[r] = [v for v in seq if self.route_of[v] >= 0]
        for r in range(self.m):
            self._repair(r)

    def run(self, deadline: float, max_iterations: int | None, patience: int | None = None) -> int:
        """Ruin-and-recreate walk with simulated-annealing acceptance and restarts."""
        self._record()
        current = [list(s) for s in self.seq]
        current_key = self._key()
        start = time.perf_counter()
        span = max(deadline - start, 1e-9)
        stall, it = 0, 0
        rng = self.rng
        step = 0.0  # the longest iteration so far: stop when another one would overrun
        previous = start
        while sum(map(len, self.best_routes)) < len(self.allowed_any):  # else optimal
            if patience is not None and stall >= patience:
                break
            if max_iterations is not None:
                if it >= max_iterations:
                    break
                progress = it / max_iterations
            else:
                now = time.perf_counter()
                step = max(step, now - previous)
                previous = now
                if now + step >= deadline:
                    break
                progress = (now - start) / span
            it += 1
            self._ruin()
            self.greedy_insert(rng.choice(_NOISE))
            self.replace_pass()
            key = self._key()
            if key > self.best_key:
                stall = 0
            else:
                stall += 1
            self._record()
            visited = [v for s in current for v in s]
            mean = sum(self.real[v] for v in visited) / (len(visited) or 1)
            temp = _TEMPERATURE * (1.0 - progress) * mean
            delta = key[0] - current_key[0]
            if stall and stall % _RESTART_AFTER == 0:
                current, current_key = [list(s) for s in self.best_routes], self.best_key
            elif key >= current_key or (temp > 0 and rng.random() < math.exp(delta / temp)):
                current, current_key = [list(s) for s in self.seq], key
                continue
            self._restore(current)
        return it
