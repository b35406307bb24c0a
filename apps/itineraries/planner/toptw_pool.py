"""Route pool of the TOPTW search and its recombination by set packing.

The ruin-and-recreate walk keeps rebuilding good tours and then losing them again in
later ruins; two tours found at different times may well be disjoint and together
better than any solution the walk held at once. As in route-based recombination
(Hu & Lim's iterative three-component heuristic, set-partitioning matheuristics for
vehicle routing), every tour the search produces goes into a pool, and from time to
time we pick the best set of pairwise disjoint pooled tours, at most one per tour
of the problem, by a bounded depth-first search (a tiny set-packing solver: the pool
holds the best tours only, and the search has a work budget).

Tours that share start, end, allowed vertices and capacity form a class: a pooled
route found on one of them is feasible on every tour of its class (and only there).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

Candidate = tuple[int, int, int, tuple[int, ...]]  # score, vertex bitmask, rank, route


class RoutePool:
    """Distinct feasible routes per tour class, the shortest kept for each vertex set."""

    def __init__(self, tour_keys: Sequence[Hashable]) -> None:
        classes: dict[Hashable, int] = {}
        self.tour_class = [classes.setdefault(key, len(classes)) for key in tour_keys]
        self.routes: list[dict[int, tuple[int, int, tuple[int, ...]]]] = [{} for _ in classes]

    def add(self, tour: int, route: Sequence[int], score: int, duration: int) -> None:
        """Remember a feasible route of ``tour`` (its score and its duration)."""
        if not route:
            return
        mask = 0
        for v in route:
            mask |= 1 << v
        routes = self.routes[self.tour_class[tour]]
        old = routes.get(mask)
        if old is None or duration < old[1]:
            routes[mask] = (score, duration, tuple(route))

    def __len__(self) -> int:
        return sum(map(len, self.routes))

    def pack(self, per_class: int, max_work: int) -> tuple[int, list[list[int]]]:
        """The best total score of pairwise disjoint pooled routes, at most one per tour,
        and those routes per tour (only the ``per_class`` best routes of each class are
        considered; the search stops with the best so far after about ``max_work``
        compatibility tests, which bounds its time whatever the number of tours)."""
        m = len(self.tour_class)
        cands: list[list[Candidate]] = []
        for routes in self.routes:
            top = sorted(routes.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[1][2]))[:per_class]
            cands.append([(score, mask, rank, route) for rank, (mask, (score, _, route)) in enumerate(top)])
        best = [0, [[] for _ in range(m)]]
        chosen: list[tuple[int, ...]] = [() for _ in range(m)]
        work = 0

        def dfs(t: int, cur: int, lists: list[list[Candidate]]) -> None:
            nonlocal work
            if cur > best[0]:
                best[0], best[1] = cur, [list(c) for c in chosen[:t]] + [[] for _ in range(m - t)]
            if t == m or work >= max_work:
                return
            rest = sum(lst[0][0] for lst in lists[1:] if lst)
            tests = sum(map(len, lists[1:])) + 1
            for score, mask, rank, route in lists[0]:
                if cur + score + rest <= best[0] or work >= max_work:
                    break  # candidates come best first: no later one can do better
                work += tests
                same = [t + 1 + i for i in range(m - t - 1) if self.tour_class[t + 1 + i] == self.tour_class[t]]
                child = [[c for c in lst if not c[1] & mask and (t + 1 + i not in same or c[2] > rank)]
                         for i, lst in enumerate(lists[1:])]
                chosen[t] = route
                dfs(t + 1, cur + score, child)
            chosen[t] = ()
            # tour t stays empty, and so do the later tours of its class (symmetry)
            dfs(t + 1, cur, [[] if self.tour_class[t + 1 + i] == self.tour_class[t] else lst
                             for i, lst in enumerate(lists[1:])])

        dfs(0, 0, [cands[c] for c in self.tour_class])
        return best[0], best[1]
