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

import heapq
from collections.abc import Hashable, Sequence


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
        compatibility tests, which bounds its time whatever the number of tours).

        The candidates of all classes are numbered one after the other, best first
        within a class, and every candidate list of the search is a bitset over those
        numbers: filtering a list by a chosen route is one AND with the set of routes
        disjoint from it (computed once per route, when first chosen). The work is
        still counted in tests as if each list were filtered one route at a time.
        """
        m = len(self.tour_class)
        scores: list[int] = []
        masks: list[int] = []
        routes: list[tuple[int, ...]] = []
        span: list[int] = []  # per class, the bitset of its candidates
        for pooled in self.routes:
            top = heapq.nsmallest(per_class, pooled.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[1][2]))
            first = len(scores)
            for mask, (score, _, route) in top:
                scores.append(score)
                masks.append(mask)
                routes.append(route)
            span.append(((1 << len(top)) - 1) << first)
        disjoint: dict[int, int] = {}

        def disjoint_from(g: int) -> int:
            if g not in disjoint:
                mask, bits = masks[g], 0
                for h, other in enumerate(masks):
                    if not mask & other:
                        bits |= 1 << h
                disjoint[g] = bits
            return disjoint[g]

        # per tour, whether each later tour is of its class
        same_class = [[self.tour_class[u] == self.tour_class[t] for u in range(t + 1, m)] for t in range(m)]
        best = [0, [[] for _ in range(m)]]
        chosen: list[tuple[int, ...]] = [() for _ in range(m)]
        work = 0

        def dfs(t: int, cur: int, lists: list[int]) -> None:
            nonlocal work
            if cur > best[0]:
                best[0], best[1] = cur, [list(c) for c in chosen[:t]] + [[] for _ in range(m - t)]
            if t == m or work >= max_work:
                return
            if t == m - 1:  # the last tour: its best candidate only (what the loop below comes to)
                if lists[0]:
                    g = (lists[0] & -lists[0]).bit_length() - 1
                    if cur + scores[g] > best[0]:
                        work += 1
                        best[0], best[1] = cur + scores[g], [list(c) for c in chosen[:t]] + [list(routes[g])]
                return
            later = lists[1:]
            rest = sum(scores[(bits & -bits).bit_length() - 1] for bits in later if bits)
            tests = sum(bits.bit_count() for bits in later) + 1
            same = same_class[t]
            todo = lists[0]
            while todo:
                low = todo & -todo
                todo ^= low
                g = low.bit_length() - 1
                if cur + scores[g] + rest <= best[0] or work >= max_work:
                    break  # candidates come best first: no later one can do better
                work += tests
                fits = disjoint_from(g)
                above = -(low << 1)  # the same class's candidates ranked after this one
                child = [bits & fits & above if s else bits & fits for bits, s in zip(later, same)]
                chosen[t] = routes[g]
                dfs(t + 1, cur + scores[g], child)
            chosen[t] = ()
            # tour t stays empty, and so do the later tours of its class (symmetry)
            dfs(t + 1, cur, [0 if s else bits for bits, s in zip(later, same)])

        dfs(0, 0, [span[c] for c in self.tour_class])
        return best[0], best[1]
