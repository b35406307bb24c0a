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
segment of every tour, random vertices, or the visits during an unvisited vertex's
windows to put it there), repairs it with a cheapest-ratio greedy insertion
(score^2 / time consumed, randomised by a strong multiplicative noise),
then applies 1-for-1 "replace" moves (an unvisited vertex takes the place of a
lower-scoring one). Simulated-annealing acceptance (temperature cooling to zero over
the time budget) walks the landscape and restarts from the best solution when stuck.
Every tour the walk produces goes into a pool; every few dozen steps and at the end,
the best set of pairwise disjoint pooled tours (a bounded set packing, see
``toptw_pool``) becomes the current solution when it beats the best one.
Feasibility of an insertion is O(1) thanks to per-position slack (wait plus maxShift),
so the best insertion of every candidate at every gap of a tour is one numpy
expression over a (candidates x gaps) matrix: the greedy repair, which re-evaluates a
tour after each insertion, is most of the work and this is what keeps it cheap.

With several windows per vertex the O(1) test is conservative: it only accepts
shifts that keep every later visit in its current window (moving a visit to a later
window is never assumed). The schedule itself is always recomputed exactly.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .toptw_pool import RoutePool

Window = tuple[int, int]
_INF = 1 << 60
# Search parameters, tuned once on the whole benchmark (never per instance):
_NOISE = (1.0, 2.0, 4.0)  # greedy ratio multiplied by 1 + noise * U[0, 1)
_TEMPERATURE = 1.0  # initial SA temperature, in mean scores of a visited vertex
_SEGMENT = 0.5  # ruin: up to this share of every tour, as one segment
_SCATTER = 0.3  # ruin: or up to this share of all visits, anywhere
_RESTART_AFTER = 200  # iterations without a new best before going back to it
_AIMED = 0.2  # ruin: or the share of iterations that make room for one unvisited vertex
_RECOMBINE_EVERY = 50  # iterations between two recombinations of the pooled tours
_POOL_TOP = 120  # pooled tours per tour class a recombination considers
_POOL_WORK = 200_000  # compatibility tests one recombination may spend (~20 ms)


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
    search = _Search(problem, seed)
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
    time from ``prv[k]``, ``arr[k]`` the arrival time at ``nxt[k]`` and ``latest[k]``
    the latest that arrival may be (wait plus maxShift) keeping the tour feasible and
    ``slack[k]`` = ``latest[k] - arr[k]``; these are the rows of one numpy array per
    tour (``self.gaps[r]``, one conversion instead of six), rebuilt whenever the tour
    changes. A tour's state (see ``_states``) is never modified once built, so the walk
    keeps the states of its current and best solutions and goes back to them without
    recomputing anything.
    """

    def __init__(self, problem: Problem, seed: int) -> None:
        verts = problem.vertices
        n, m = len(verts), problem.n_tours
        self.problem = problem
        self.rng = random.Random(seed)
        self.noise = np.random.default_rng(seed)
        self.n, self.m = n, m
        self.travel = [list(row) for row in problem.travel]
        self.out = np.array(problem.travel, dtype=np.int64).reshape(n, n)  # out[v, q]: v -> q
        self.into = np.ascontiguousarray(self.out.T)  # into[v, p]: p -> v
        self.svc = [v.service for v in verts]
        self.svc_np = np.array(self.svc, dtype=np.int64)
        self.into_flat = self.into.ravel()  # into[v, p] at v * n + p
        self.leave_flat = (self.out + self.svc_np[:, None]).ravel()  # serve v, then go to q: at v * n + q
        bonus = sum(max(v.score, 0) for v in verts) + 1
        self.score = [v.score + (bonus if v.forced else 0) for v in verts]
        self.score[0] = 0
        self.score_np = np.array(self.score, dtype=np.int64)
        self.real = [v.score for v in verts]
        self.sq = np.array([float(s) * s if s > 0 else 0.0 for s in self.score])
        self.ts, self.te = list(problem.tour_start), list(problem.tour_end)
        # Per tour, a vertex's windows within the tour's span only (tours on different days
        # see one window each of a place open every day), as lists for the exact schedule
        # and as (n x W) arrays padded with windows that never open for the matrices.
        spans: dict[tuple[int, int], tuple] = {}
        for span in zip(self.ts, self.te):
            if span not in spans:
                spans[span] = self._windows_within(verts, *span)
        self.wins, self.opens, self.closes = (list(x) for x in zip(*(spans[span] for span in zip(self.ts, self.te))))
        # (open, close) per vertex for the tours where every vertex has one window, else None
        self.single = [None if any(len(w) > 1 for w in wins) else [w[0] for w in wins] for wins in self.wins]
        # the same as arrays of opens and closes, for the matrices of the single-window tours
        self.window1 = [None if one is None else (self.opens[r][:, 0].copy(), self.closes[r][:, 0].copy())
                        for r, one in enumerate(self.single)]
        self.tours = [v.tours for v in verts]
        # optional resources: None keeps every capacity test out of the search
        self.cap = [tuple(c) for c in problem.capacity] if problem.capacity is not None else None
        size = len(self.cap[0]) if self.cap else 0
        self.loads = [_padded(v.load, size) for v in verts]
        self.loads_np = np.array(self.loads, dtype=np.int64).reshape(n, size)
        self.used = [[0] * size for _ in range(m)]
        allowed = [[self._reachable(v, r) for v in range(n)] for r in range(m)]
        self.allowed_any = [v for v in range(1, n) if self.score[v] > 0 and any(a[v] for a in allowed)]
        self.allowed = np.array(allowed, dtype=bool).reshape(m, n)
        self.allowed[:, [v for v in range(n) if v not in set(self.allowed_any)]] = False
        self.seq: list[list[int]] = [[] for _ in range(m)]
        self.route_of = [-1] * n
        self.gaps: list[np.ndarray] = [None] * m  # rows prv, nxt, end, arr, latest, slack
        self.back = [0] * m
        self.forward: list[tuple] = [()] * m  # prv, end, arr, closes, latest as lists
        for r in range(m):
            self._rebuild(r)
        self.best_routes: list[list[int]] = [[] for _ in range(m)]
        # per tour, a state that no vertex unvisited then fits (see greedy_insert)
        self.settled: list[tuple[np.ndarray | None, np.ndarray | None]] = [(None, None)] * m
        self.best_states = self._states()
        self.pooled: list[np.ndarray | None] = [None] * m  # per tour, the arrays of the route pooled last
        self.best_key = (0, 0)
        cap = self.cap or [None] * m
        self.pack_seconds = 0.0  # the longest set packing so far
        self.pool = RoutePool([(self.ts[r], self.te[r], cap[r], self.allowed[r].tobytes()) for r in range(m)])

    def _reachable(self, v: int, r: int) -> bool:
        """Whether v alone fits tour r (and the tour may use it at all)."""
        if v == 0:
            return False
        tours = self.tours[v]
        if self.cap is not None and any(x > c for x, c in zip(self.loads[v], self.cap[r])):
            return False
        return (tours is None or r in tours) and fits_alone(self.problem, r, v)

    def _windows_within(self, verts: list[Vertex], lo: int, hi: int) -> tuple:
        """(windows, opens, closes) for a tour from ``lo`` to ``hi``: the windows per
        vertex and as (n x W) arrays; a vertex never open then gets a window that never
        opens, and so do the padding columns."""
        wins = [tuple(w for w in normalise(v.windows) if w[1] >= lo and w[0] <= hi) or ((_INF, -_INF),)
                for v in verts]
        wins[0] = ((0, 0),)  # unused: tours use tour_start / tour_end
        width = max(map(len, wins))
        padded = np.array([w + ((_INF, -_INF),) * (width - len(w)) for w in wins], dtype=np.int64)
        return wins, padded[:, :, 0], padded[:, :, 1]

    def _start(self, r: int, vs: np.ndarray, arrival: np.ndarray) -> np.ndarray:
        """Visit starts of vertices ``vs`` (one per row) for an arrival matrix: the
        earliest window that has not closed yet, _INF when all have."""
        opens, closes = self.opens[r][vs], self.closes[r][vs]
        start = np.maximum(arrival, opens[:, -1, None])
        start[arrival > closes[:, -1, None]] = _INF
        for j in range(opens.shape[1] - 2, -1, -1):  # the first window that fits wins
            start = np.where(arrival <= closes[:, j, None], np.maximum(arrival, opens[:, j, None]), start)
        return start

    # -- schedule bookkeeping -------------------------------------------------------

    def _rebuild(self, r: int, frm: int = 0) -> int:
        """Recompute tour r's arrays; return -1 if feasible else the first bad position.

        With ``frm`` the tour was feasible and only gained a visit at that position (an
        insertion): the forward pass resumes from it and stops as soon as a departure
        time is the old one again (a wait absorbed the shift; the rest is as before),
        and the backward pass starts where the old windows' closes resume.
        """
        seq, travel, svc, wins = self.seq[r], self.travel, self.svc, self.wins[r]
        old = self.forward[r]
        if frm:
            prv, end, arr, closes = old[0][:frm + 1], old[1][:frm + 1], old[2][:frm], old[3][:frm]
        else:
            prv, end, arr, closes = [0], [self.ts[r]], [], []
        t, prev = end[-1], prv[-1]
        bad = -1
        single = self.single[r]
        changed = frm  # the last position whose window's close differs from before
        back = None
        for k in range(frm, len(seq)):
            v = seq[k]
            a = t + travel[prev][v]
            if single:
                o, c = single[v]
                s = a if a > o else o
            else:
                s, c = _window_of(wins[v], a)
            if s > c and bad < 0:
                bad = k
            arr.append(a)
            closes.append(c)
            t = s + svc[v]
            prv.append(v)
            end.append(t)
            prev = v
            if frm and k > frm and bad < 0:
                if c != old[3][k - 1]:
                    changed = k
                elif t == old[1][k]:  # visit k leaves as it did before the insertion
                    prv += old[0][k + 1:]
                    end += old[1][k + 1:]
                    arr += old[2][k:]
                    closes += old[3][k:]
                    back = self.back[r]
                    break
        if back is None:
            back = t + travel[prev][0]
        self.back[r] = back
        if back > self.te[r] and bad < 0 and seq:  # an empty tour is unused, hence feasible
            bad = len(seq) - 1
        # latest arrival at each gap's next vertex: its window's close, or what the
        # rest of the tour allows (a pure backward recurrence); after an insertion, the
        # gaps beyond it keep their old values while their visits keep their windows
        if frm:
            tail = changed + 1
            latest = [0] * tail + old[4][tail - 1:]
        else:
            tail = len(seq)
            latest = [0] * tail + [self.te[r]]
        last = latest[tail]
        nxt = seq[tail] if tail < len(seq) else 0
        for k in range(tail - 1, -1, -1):
            v = seq[k]
            last = last - svc[v] - travel[v][nxt]
            if closes[k] < last:
                last = closes[k]
            latest[k] = last
            nxt = v
        self.forward[r] = (prv, end, arr, closes, latest)
        gaps = self.gaps[r] = np.empty((6, len(latest)), dtype=np.int64)
        gaps[:5] = prv, seq + [0], end, arr + [back], latest
        np.subtract(gaps[4], gaps[3], out=gaps[5])
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
                if not 0 < v < self.n or self.route_of[v] >= 0 or not self.allowed[r, v]:
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

    def _free(self) -> np.ndarray:
        """(m x n) mask: unvisited vertices each tour may take."""
        return self.allowed & (np.array(self.route_of) < 0)

    def _room(self, r: int, vs: np.ndarray, instead: np.ndarray | None = None) -> np.ndarray:
        """Whether tour r has room for each of ``vs``'s loads (rows), in place of the
        visits ``instead`` (columns) when given."""
        extra = self.loads_np[vs] + np.asarray(self.used[r]) - np.asarray(self.cap[r])
        if instead is None:
            return (extra <= 0).all(axis=1)
        return (extra[:, None, :] <= self.loads_np[instead][None, :, :]).all(axis=2)

    def _insert(self, r: int, k: int, v: int) -> None:
        self.seq[r].insert(k, v)
        self.route_of[v] = r
        self._rebuild(r, k)

    def greedy_insert(self, noise: float) -> None:
        """Insert unvisited vertices by best score^2 / time-consumed until none fits.

        At the end no unvisited vertex fits any tour; a later repair only tries, on a
        tour still in that very state, the vertices that were visited then.
        """
        m, n = self.m, self.n
        gap = np.zeros((m, n), dtype=np.intp)  # per tour: where each vertex goes best
        ratio = np.full((m, n), -1.0)  # the greedy's preference, -1 where it does not fit
        # one random factor per vertex and tour for the whole repair: ratios only change
        # in the tour that just changed, so each step updates one row
        jitter = 1.0 + noise * self.noise.random((m, n)) if noise else np.ones((m, n))
        weight = self.sq * jitter
        free = self._free()
        fits = []  # per tour: the vertices that fit it
        for r in range(m):
            tour, tried = self.settled[r]
            row = free[r] & ~tried if tour is self.gaps[r] else free[r]
            fits.append(self._rate(r, np.flatnonzero(row), weight[r], ratio[r], gap[r]))
        while True:
            r, v = divmod(int(ratio.argmax()), n)
            if ratio[r, v] < 0:
                break
            self._insert(r, int(gap[r, v]), v)
            ratio[:, v] = -1.0
            row = ratio[r]
            fits[r] = self._rate(r, fits[r][row.take(fits[r]) >= 0], weight[r], row, gap[r])  # v and the ones taken
        unvisited = np.array(self.route_of) < 0
        self.settled = [(tour, unvisited) for tour in self.gaps]

    def _rate(self, r: int, vs: np.ndarray, weight: np.ndarray, ratio: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """Set the greedy's ratio and best gap in tour r (``weight``, ``ratio`` and
        ``gap`` are tour r's rows) of each of ``vs``, ratio -1 if it does not fit, and
        return those that fit. A vertex that fits nowhere in a tour stays out for the
        rest of the greedy phase: insertions only consume slack (exact under the
        triangle inequality)."""
        delay, best = self._evaluate(r, vs)
        ok = delay < _INF
        np.maximum(delay, 0, out=delay)
        delay += 1
        ratio[vs] = np.where(ok, weight.take(vs) / delay, -1.0)
        vs = vs[ok]
        gap[vs] = best[ok]
        return vs

    def _evaluate(self, r: int, vs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The cheapest feasible insertion of each of ``vs`` in tour r: the delay it
        causes at the next vertex (_INF if none) and the gap."""
        if not vs.size:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.intp)
        prv, nxt, end, arr, _, slack = self.gaps[r]
        cost, bad = self._through(r, vs, prv, end, nxt)
        cost -= arr
        bad |= cost > slack
        if self.cap is not None:  # resources only fill up while inserting
            bad |= ~self._room(r, vs)[:, None]
        np.putmask(cost, bad, _INF)
        best = cost.argmin(axis=1)
        return cost[np.arange(vs.size), best], best

    def _through(self, r: int, vs: np.ndarray, prv: np.ndarray, end: np.ndarray,
                 nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(vertices x gaps) arrival times at ``nxt`` when each vertex of ``vs`` is
        visited after leaving ``prv`` at ``end``, and where that vertex would come after
        its windows. As few numpy calls as possible (flat ``take`` rather than 2-D
        indexing): on matrices of a few hundred cells their overhead is most of the cost."""
        rows = (vs * self.n)[:, None]
        arrival = self.into_flat.take(rows + prv)
        arrival += end
        one = self.window1[r]
        if one is None:
            arrival = self._start(r, vs, arrival)
            late = arrival >= _INF
        else:
            opens, closes = one
            late = arrival > closes.take(vs)[:, None]
            np.maximum(arrival, opens.take(vs)[:, None], out=arrival)
        arrival += self.leave_flat.take(rows + nxt)
        return arrival, late

    def replace_pass(self) -> bool:
        """Swap visits for higher-scoring unvisited vertices in place, then refill:
        each unvisited vertex, best first, replaces the lowest-scoring visit it can."""
        free = np.flatnonzero(self._free().any(axis=0))
        if not free.size:
            return False
        order = free[np.argsort(-self.score_np[free], kind="stable")]
        lowest = np.full((self.m, order.size), _INF)  # per tour: lowest score u could replace
        where = np.zeros((self.m, order.size), dtype=np.intp)
        gain = self.score_np[order]  # a swap needs a visit scoring less than u
        for r in range(self.m):
            self._replacements(r, order, gain, 0, lowest, where)
        improved = False
        i = 0
        while True:
            ahead = np.flatnonzero(lowest[:, i:].min(axis=0) < gain[i:])
            if not ahead.size:
                break
            i += int(ahead[0])
            u = int(order[i])
            r = int(lowest[:, i].argmin())
            k = int(where[r, i])
            old = self.seq[r][k]
            self.seq[r][k] = u
            self.route_of[old], self.route_of[u] = -1, r
            self._repair(r)
            improved = True
            self._replacements(r, order, gain, i + 1, lowest, where)
            i += 1
        if improved:
            self.greedy_insert(0.0)
        return improved

    def _replacements(self, r: int, order: np.ndarray, gain: np.ndarray, first: int, lowest: np.ndarray,
                      where: np.ndarray) -> None:
        """For the vertices ``order[first:]`` (scores ``gain``, decreasing), the lowest
        score of a visit of tour r each could replace in place and its position
        (``lowest`` _INF if none)."""
        lowest[r, first:] = _INF
        if not self.seq[r]:
            return
        prv, nxt, end, _, latest, _ = self.gaps[r]
        seq = nxt[:-1]
        # only the vertices scoring more than the tour's lowest visit can replace one
        stop = first + int(np.searchsorted(-gain[first:], -self.score_np[seq].min()))
        cols = np.flatnonzero(self.allowed[r, order[first:stop]]) + first
        us = order[cols]
        if not us.size:
            return
        done, late = self._through(r, us, prv[:-1], end[:-1], nxt[1:])
        ok = (done <= latest[1:]) & (self.score_np[seq] < self.score_np[us, None])
        ok &= ~late
        if self.cap is not None:
            ok &= self._room(r, us, seq)
        value = np.where(ok, self.score_np[seq], _INF)
        best = value.argmin(axis=1)
        lowest[r, cols] = value[np.arange(us.size), best]
        where[r, cols] = best

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
            self.best_states = self._states()

    def _pool_routes(self) -> None:
        for r, seq in enumerate(self.seq):
            if seq and self.pooled[r] is not self.gaps[r]:  # else this very tour is in already
                self.pool.add(r, seq, sum(self.score[v] for v in seq), self.back[r] - self.ts[r])
                self.pooled[r] = self.gaps[r]

    def _states(self) -> list[tuple]:
        """Every tour's state (visits, schedule, arrays), to come back to it later."""
        return [(tuple(self.seq[r]), self.forward[r], self.gaps[r], self.back[r], self.used[r], self.settled[r])
                for r in range(self.m)]

    def _return(self, states: list[tuple]) -> None:
        """Go back to saved tour states; only the tours rebuilt since then change."""
        changed = [r for r in range(self.m) if self.gaps[r] is not states[r][2]]
        for r in changed:
            for v in self.seq[r]:
                self.route_of[v] = -1
        for r in changed:
            seq, self.forward[r], self.gaps[r], self.back[r], self.used[r], self.settled[r] = states[r]
            self.seq[r] = list(seq)
            for v in seq:
                self.route_of[v] = r

    def recombine(self) -> bool:
        """Take the best disjoint pooled tours (then fill and improve them) when they
        beat the best solution; whether they did."""
        clock = time.perf_counter()
        total, routes = self.pool.pack(_POOL_TOP, _POOL_WORK)
        self.pack_seconds = max(self.pack_seconds, time.perf_counter() - clock)
        if total <= self.best_key[0]:
            return False
        self._restore(routes)
        self.greedy_insert(0.0)
        self.replace_pass()
        self._record()
        return True

    def _restore(self, routes: list[list[int]]) -> None:
        self.route_of = [-1] * self.n
        for r, route in enumerate(routes):
            self.seq[r] = list(route)
            for v in route:
                self.route_of[v] = r
            self._rebuild(r)

    def _make_room(self) -> None:
        """Ruin aimed at one unvisited vertex u: in a tour that may take it, remove the
        visits scheduled during u's windows, then insert u if it fits. A tight window is
        what a greedy repair keeps blocking with cheaper visits placed there first."""
        free = self._free()
        us = np.flatnonzero(free.any(axis=0))
        if not us.size:
            return
        rng = self.rng
        u = int(us[rng.randrange(us.size)])
        tours = np.flatnonzero(free[:, u])
        r = int(tours[rng.randrange(tours.size)])
        wins = self.wins[r][u]
        lo, hi = wins[0][0], wins[-1][1] + self.svc[u]
        end = self.forward[r][1]
        seq = self.seq[r]
        for k, v in enumerate(seq):
            if end[k + 1] - self.svc[v] < hi and end[k + 1] > lo:  # starts before hi, ends after lo
                self.route_of[v] = -1
        self.seq[r] = [v for v in seq if self.route_of[v] >= 0]
        if len(self.seq[r]) < len(seq):
            self._repair(r)
        delay, gap = self._evaluate(r, np.array([u]))
        if delay[0] < _INF:
            self._insert(r, int(gap[0]), u)

    def _ruin(self) -> None:
        """Remove a random segment of every tour, or random visits anywhere, or make
        room for one unvisited vertex."""
        rng = self.rng
        visited = [v for s in self.seq for v in s]
        if not visited:
            return
        if rng.random() < _AIMED:
            self._make_room()
            return
        if rng.random() < 0.5:
            for r, seq in enumerate(self.seq):
                if not seq:
                    continue
                size = rng.randint(1, max(1, math.ceil(len(seq) * _SEGMENT)))
                at = rng.randrange(len(seq))
                for v in (seq[at:] + seq[:at])[:size]:
                    self.route_of[v] = -1
        else:
            size = rng.randint(1, max(1, math.ceil(len(visited) * _SCATTER)))
            for v in rng.sample(visited, size):
                self.route_of[v] = -1
        for r, seq in enumerate(self.seq):
            kept = [v for v in seq if self.route_of[v] >= 0]
            if len(kept) < len(seq):  # untouched tours stay as they are (and feasible)
                self.seq[r] = kept
                self._repair(r)

    def run(self, deadline: float, max_iterations: int | None, patience: int | None = None) -> int:
        """Ruin-and-recreate walk with simulated-annealing acceptance and restarts."""
        self._record()
        current = self._states()
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
            self._pool_routes()
            if it % _RECOMBINE_EVERY == 0 and self.recombine():
                self._pool_routes()
            key = self._key()
            if key > self.best_key:
                stall = 0
            else:
                stall += 1
            self._record()
            visited = [v for state in current for v in state[0]]
            mean = sum(self.real[v] for v in visited) / (len(visited) or 1)
            temp = _TEMPERATURE * (1.0 - progress) * mean
            delta = key[0] - current_key[0]
            if stall and stall % _RESTART_AFTER == 0:
                current, current_key = self.best_states, self.best_key
            elif key >= current_key or (temp > 0 and rng.random() < math.exp(delta / temp)):
                current, current_key = self._states(), key
                continue
            self._return(current)
        if max_iterations is not None or time.perf_counter() + self.pack_seconds < deadline:
            self.recombine()  # a last look at the pool: it may only improve the best
        return it
