"""Tests of the pure TOPTW core: optimality on tiny cases (brute force), the planner
extensions (several windows, per-tour restrictions, pinned visits, re-planning) and
the published-instance adapter."""
from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

import pytest

from apps.itineraries.planner.toptw import Problem, Vertex, _Search, check, schedule, solve
from apps.itineraries.planner.toptw_format import read_instance

SHARED = Path(__file__).resolve().parents[2].parent / "shared/bench/toptw/instances"


def euclid_problem(
    points: list[tuple[int, int]],
    specs: list[tuple[int, int, tuple[tuple[int, int], ...]]],
    starts: list[int],
    ends: list[int],
    tours: dict[int, frozenset[int]] | None = None,
    forced: frozenset[int] = frozenset(),
) -> Problem:
    """Problem on integer points (depot first); specs = (service, score, windows)."""
    tours = tours or {}
    verts = [Vertex(0, 0, 0, ((0, max(ends)),))] + [
        Vertex(i, svc, sc, wins, tours.get(i), i in forced)
        for i, (svc, sc, wins) in enumerate(specs, start=1)
    ]
    travel = [[math.floor(math.dist(a, b)) for b in points] for a in points]
    return Problem(verts, travel, len(starts), starts, ends)


def route_ok(problem: Problem, tour: int, route: tuple[int, ...]) -> bool:
    return not schedule(problem, tour, list(route))[1]


def best_route_score(problem: Problem, tour: int, subset: tuple[int, ...]) -> bool:
    """Whether some order of ``subset`` is a feasible route of ``tour``."""
    return any(route_ok(problem, tour, p) for p in itertools.permutations(subset))


def brute_force(problem: Problem) -> int:
    """Optimal score by enumerating every assignment of vertices to tours and order."""
    n, m = len(problem.vertices), problem.n_tours
    score = [v.score for v in problem.vertices]
    fits = {
        (r, sub): best_route_score(problem, r, sub)
        for r in range(m)
        for k in range(n)
        for sub in itertools.combinations(range(1, n), k)
    }
    best = 0
    for assign in itertools.product(range(-1, m), repeat=n - 1):
        routes = [tuple(v for v, a in enumerate(assign, 1) if a == r) for r in range(m)]
        if all(fits[(r, routes[r])] for r in range(m)):
            best = max(best, sum(score[v] for route in routes for v in route))
    return best


def random_problem(rng: random.Random, n: int, m: int, max_windows: int = 1) -> Problem:
    points = [(50, 50)] + [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(n)]
    specs = []
    for _ in range(n):
        cuts = sorted(rng.sample(range(0, 300), 2 * rng.randint(1, max_windows)))
        wins = tuple(zip(cuts[::2], cuts[1::2]))
        specs.append((rng.randint(5, 30), rng.randint(1, 20), wins))
    starts = [rng.randint(0, 40) for _ in range(m)]
    ends = [s + rng.randint(150, 300) for s in starts]
    return euclid_problem(points, specs, starts, ends)


def test_single_tour_five_candidates_is_optimal() -> None:
    points = [(0, 0), (10, 0), (20, 0), (0, 15), (-12, -5), (5, 25)]
    specs = [
        (5, 10, ((0, 40),)),
        (5, 20, ((20, 60),)),
        (10, 15, ((0, 100),)),
        (5, 8, ((0, 30),)),
        (10, 25, ((60, 90),)),
    ]
    problem = euclid_problem(points, specs, [0], [100])
    sol = solve(problem, max_iterations=100)
    assert check(problem, sol.routes) == []
    assert sol.score == brute_force(problem)


@pytest.mark.parametrize("case", range(6))
def test_two_tours_match_brute_force(case: int) -> None:
    problem = random_problem(random.Random(case), n=6, m=2)
    sol = solve(problem, max_iterations=200, seed=case)
    assert check(problem, sol.routes) == []
    assert sol.score == brute_force(problem)


@pytest.mark.parametrize("case", range(4))
def test_several_windows_match_brute_force(case: int) -> None:
    problem = random_problem(random.Random(100 + case), n=6, m=2, max_windows=3)
    sol = solve(problem, max_iterations=200, seed=case)
    assert check(problem, sol.routes) == []
    assert sol.score == brute_force(problem)


def test_visit_waits_for_a_later_window() -> None:
    points = [(0, 0), (10, 0)]
    problem = euclid_problem(points, [(5, 10, ((0, 3), (50, 60)))], [0], [100])
    sol = solve(problem, max_iterations=10)
    assert sol.routes == [[1]] and sol.starts == [[50]]
    gap = euclid_problem(points, [(5, 10, ((0, 3), (50, 60)))], [20], [100])
    assert check(gap, [[1]]) == []  # arrives at 30, between the windows: waits to 50
    late = euclid_problem(points, [(5, 10, ((0, 3), (50, 60)))], [55], [100])
    assert check(late, [[1]])


def test_windows_are_normalised_and_empty_means_never() -> None:
    points = [(0, 0), (10, 0), (0, 10)]
    specs = [(5, 10, ((30, 40), (0, 5), (6, 12))), (5, 10, ())]
    problem = euclid_problem(points, specs, [0], [100])
    assert check(problem, [[1]]) == []  # arrives at 10: inside (0, 5) + (6, 12)
    sol = solve(problem, max_iterations=10)
    assert sol.routes == [[1]] and sol.starts == [[10]]


def test_per_tour_restriction_and_tour_times() -> None:
    points = [(0, 0), (10, 0), (0, 10)]
    specs = [(10, 10, ((0, 1000),)), (10, 10, ((0, 1000),))]
    problem = euclid_problem(points, specs, [0, 500], [40, 540], tours={1: frozenset({1})})
    sol = solve(problem, max_iterations=20)
    assert sol.score == 20 and 1 in sol.routes[1]
    assert sol.starts[1][sol.routes[1].index(1)] >= 510
    assert check(problem, [[1], [2]]) != []  # vertex 1 is not allowed on tour 0


@pytest.mark.parametrize("case", range(4))
def test_capacity_per_tour_matches_brute_force(case: int) -> None:
    """At most two "sights" (resource 0) per tour; the other resource is free: the search
    never exceeds a capacity and still finds the best score under it."""
    rng = random.Random(100 + case)
    base = random_problem(rng, n=6, m=2)
    loads = [(rng.randint(0, 1), 1) for _ in base.vertices[1:]]
    verts = [base.vertices[0]] + [Vertex(v.id, v.service, v.score, v.windows, load=load)
                                  for v, load in zip(base.vertices[1:], loads)]
    problem = Problem(verts, base.travel, 2, base.tour_start, base.tour_end, capacity=[(2, 99), (1, 99)])
    sol = solve(problem, seed=case, max_iterations=200)
    assert check(problem, sol.routes) == []
    for r, route in enumerate(sol.routes):
        assert sum(loads[v - 1][0] for v in route) <= problem.capacity[r][0]
    assert sol.score == brute_force(problem)
    full = Problem([verts[0]] + [Vertex(v.id, v.service, v.score, ((0, 10_000),), load=(1,)) for v in verts[1:]],
                   base.travel, 1, [0], [10_000], capacity=[(2,)])
    assert any("capacity" in e for e in check(full, [[1, 2, 3]]))


def test_forced_vertex_wins_over_score() -> None:
    points = [(0, 0), (10, 0), (-10, 0)]
    specs = [(20, 100, ((0, 100),)), (20, 1, ((0, 100),))]
    free = euclid_problem(points, specs, [0], [45])
    assert solve(free, max_iterations=20).routes == [[1]]
    pinned = euclid_problem(points, specs, [0], [45], forced=frozenset({2}))
    sol = solve(pinned, max_iterations=20)
    assert sol.routes == [[2]] and sol.score == 1


def test_check_rejects_infeasible_routes() -> None:
    points = [(0, 0), (10, 0), (20, 0)]
    specs = [(5, 10, ((0, 12),)), (5, 10, ((0, 100),))]
    problem = euclid_problem(points, specs, [0], [50])
    assert check(problem, [[1, 2]]) == []
    assert any("after its last window" in e for e in check(problem, [[2, 1]]))
    short = euclid_problem(points, specs, [0], [40])
    assert any("back at depot" in e for e in check(short, [[1, 2]]))
    assert any("twice" in e for e in check(problem, [[1, 1]]))
    assert any("does not exist" in e for e in check(problem, [[7]]))
    assert check(problem, [[1], [2]])  # more routes than tours


def test_deterministic_for_seed_and_iterations() -> None:
    problem = random_problem(random.Random(7), n=30, m=3)
    a = solve(problem, seed=3, max_iterations=50)
    b = solve(problem, seed=3, max_iterations=50)
    assert (a.routes, a.score, a.iterations) == (b.routes, b.score, 50)


def test_initial_plan_is_kept_and_extended() -> None:
    problem = random_problem(random.Random(11), n=25, m=2)
    reference = solve(problem, max_iterations=50)
    initial = [reference.routes[0][:2], reference.routes[1][:1] + [999]]
    sol = solve(problem, initial=initial, max_iterations=0)
    assert check(problem, sol.routes) == []
    for kept, route in zip(initial, sol.routes):
        kept = [v for v in kept if v != 999]
        assert [v for v in route if v in kept] == kept
    assert solve(problem, initial=sol.routes, max_iterations=30).score >= sol.score


def test_format_parses_crlf_and_truncates(tmp_path: Path) -> None:
    text = "4 1 2 1\r\n0 200\r\n 0 0.0 0.0 0 0 0 0 0 100\r\n" \
           " 1 1.0 1.0 2.5 7 0 1 1 10 20\r\n 2 3.0 4.0 0 3 0 2 1 2 0 50\r\n\r\n  \r\n"
    (tmp_path / "pr99.txt").write_text(text, newline="")
    inst = read_instance(tmp_path / "pr99.txt")
    assert (inst.name, inst.scale, inst.n) == ("pr99", 100, 2)
    assert inst.service[1] == 250 and inst.score == [0, 7, 3]
    assert (inst.open, inst.close) == ([0, 1000, 0], [10000, 2000, 5000])
    travel = inst.travel()
    assert travel[0][1] == 141 and travel[0][2] == 500 and travel[1][2] == 360  # 1.4142, 3.6055
    problem = inst.problem(2)
    assert problem.tour_end == [10000, 10000] and problem.vertices[1].windows == ((1000, 2000),)


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared benchmark instances not present")
def test_c101_single_tour_reaches_best_known() -> None:
    problem = read_instance(SHARED / "c101.txt").problem(1)
    sol = solve(problem, max_iterations=1000)
    assert check(problem, sol.routes) == []
    assert sol.score == 320


class _CheckedSearch(_Search):
    """A search that, after every insertion, compares the tour's incremental rebuild
    (resumed at the insertion, cut short where a wait absorbs the shift) with a full one."""

    def _insert(self, r: int, k: int, v: int) -> None:
        super()._insert(r, k, v)
        incremental = (self.forward[r], self.gaps[r].tolist(), self.back[r])
        assert self._rebuild(r) < 0
        assert incremental == (self.forward[r], self.gaps[r].tolist(), self.back[r])
        self.inserted += 1


@pytest.mark.parametrize("max_windows", [1, 3])
def test_incremental_tour_rebuild_equals_a_full_one(max_windows: int) -> None:
    inserted = 0
    for case in range(20):
        problem = random_problem(random.Random(200 + case), n=25, m=2, max_windows=max_windows)
        search = _CheckedSearch(problem, case)
        search.inserted = 0
        search.greedy_insert(0.0)
        search.run(deadline=0.0, max_iterations=30)
        assert check(problem, search.best_routes) == []
        inserted += search.inserted
    assert inserted > 200
