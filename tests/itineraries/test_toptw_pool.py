"""Tests of the route pool and its recombination (set packing of pooled tours)."""
from __future__ import annotations

import itertools
import random

from apps.itineraries.planner.toptw import Problem, Vertex, _Search, check
from apps.itineraries.planner.toptw_pool import RoutePool


def test_pack_picks_the_best_disjoint_routes() -> None:
    pool = RoutePool(["day", "day"])
    pool.add(0, [2, 3], 6, 10)  # best single route, but it blocks both others
    pool.add(1, [1, 2], 5, 10)
    pool.add(0, [3, 4], 5, 10)
    total, routes = pool.pack(per_class=10, max_work=10_000)
    assert total == 10
    assert sorted(map(sorted, routes)) == [[1, 2], [3, 4]]


def test_pack_keeps_routes_on_their_class_and_the_shortest_per_set() -> None:
    pool = RoutePool(["long day", "short day"])
    pool.add(0, [1, 2], 9, 50)
    pool.add(0, [2, 1], 9, 40)  # the same visits, shorter: replaces the first
    pool.add(0, [3], 4, 10)
    pool.add(1, [4], 1, 10)
    assert pool.routes[0][0b110] == (9, 40, (2, 1)) and len(pool) == 3
    total, routes = pool.pack(per_class=10, max_work=10_000)
    assert total == 10 and routes == [[2, 1], [4]]  # [3] only fits the long day


def test_pack_finds_the_optimum_of_random_pools_over_several_classes() -> None:
    rng = random.Random(7)
    for _ in range(30):
        keys = [rng.choice("ab") for _ in range(rng.randint(1, 4))]
        pool = RoutePool(keys)
        for _ in range(rng.randint(1, 12)):
            route = rng.sample(range(1, 9), rng.randint(1, 3))
            pool.add(rng.randrange(len(keys)), route, rng.randint(1, 9), 10)
        total, routes = pool.pack(per_class=100, max_work=10**9)
        # brute force: every choice of one pooled route (or none) per tour
        options = [[()] + [r for _, _, r in pool.routes[pool.tour_class[t]].values()] for t in range(len(keys))]
        best = max(sum(score(pool, t, c) for t, c in enumerate(choice))
                   for choice in itertools.product(*options)
                   if len(set(v for c in choice for v in c)) == sum(map(len, choice)))
        assert total == best == sum(score(pool, t, r) for t, r in enumerate(routes))
        assert len({v for r in routes for v in r}) == sum(map(len, routes))


def score(pool: RoutePool, tour: int, route) -> int:
    """The pooled score of a route on a tour (0 for no route)."""
    return next((s for s, _, r in pool.routes[pool.tour_class[tour]].values() if list(r) == list(route)), 0)


def line_problem() -> Problem:
    """Two tours of 24 from a depot at 0 on a line: vertex 1 and 2 at +5 and +6,
    vertex 3 and 4 at -5 and -6 (open all day, service 0, scores 1, 5, 1, 5)."""
    xs = [0, 5, 6, -5, -6]
    verts = [Vertex(i, 0, s, ((0, 100),)) for i, s in enumerate([0, 1, 5, 1, 5])]
    travel = [[abs(a - b) for b in xs] for a in xs]
    return Problem(verts, travel, 2, [0, 0], [24, 24])


def test_recombination_joins_tours_found_apart_and_stays_feasible() -> None:
    problem = line_problem()
    search = _Search(problem, 0)
    search.load([[1, 3], []])  # a poor solution: a zig-zag of score 2
    assert search.best_key[0] == 2
    search._pool_routes()
    search._restore([[4], [2]])  # two good tours seen at another time (not the best held)
    search._pool_routes()
    search._restore([[1, 3], []])
    assert search.recombine()
    assert check(problem, search.best_routes) == []
    assert sorted(map(sorted, search.best_routes)) == [[1, 2], [3, 4]]
    assert not search.recombine()  # nothing better left in the pool
