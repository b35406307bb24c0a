"""Reader for the published TOPTW instances (Righini & Salani / Vansteenwegen format).

Times are scaled to integers exactly like the shared ``verify.py`` does, so a solution
the core ``check`` accepts is accepted by the benchmark's judge too: travel times are
Euclidean distances truncated to 1 decimal (scale 10) for the Solomon-based c/r/rc
sets and to 2 decimals (scale 100) for the Cordeau-based pr set.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from apps.itineraries.planner.toptw import Problem, Vertex


@dataclass(frozen=True)
class Instance:
    """One instance file with times already scaled to integers."""

    name: str
    scale: int
    x: list[float]
    y: list[float]
    service: list[int]
    score: list[int]
    open: list[int]
    close: list[int]

    @property
    def n(self) -> int:
        """Number of customers (the depot excluded)."""
        return len(self.x) - 1

    def travel(self) -> list[list[int]]:
        """Integer travel matrix; the epsilon matches verify.py's truncation."""
        s, xs, ys = self.scale, self.x, self.y
        return [
            [0 if i == j else math.floor(math.hypot(xs[i] - xs[j], ys[i] - ys[j]) * s + 1e-9)
             for j in range(len(xs))]
            for i in range(len(xs))
        ]

    def problem(self, m: int) -> Problem:
        """The m-tour problem: every tour leaves at the depot's O and returns by its C."""
        verts = [
            Vertex(i, self.service[i], self.score[i], ((self.open[i], self.close[i]),))
            for i in range(len(self.x))
        ]
        return Problem(verts, self.travel(), m, [self.open[0]] * m, [self.close[0]] * m)


def scale_for(name: str) -> int:
    """10 for Solomon-based instances, 100 for Cordeau-based (pr*) ones."""
    return 100 if name.lower().startswith("pr") else 10


def read_instance(path: str | Path) -> Instance:
    """Parse a file; tolerates CRLF line ends, blank lines and a variable-length list."""
    path = Path(path)
    name = path.name.removesuffix(".txt").removesuffix(".TXT")
    lines = [ln.split() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines = [t for t in lines if t]
    n = int(float(lines[0][2]))
    first = next(i for i, t in enumerate(lines[1:], 1) if len(t) >= 9 and t[0] == "0")
    rows = lines[first : first + n + 1]
    if len(rows) != n + 1:
        raise ValueError(f"{path}: expected {n + 1} vertex lines, found {len(rows)}")
    scale = scale_for(name)

    def scaled(tok: str) -> int:
        return int(round(float(tok) * scale))

    for idx, t in enumerate(rows):
        if int(float(t[0])) != idx:
            raise ValueError(f"{path}: vertex line {idx} starts with {t[0]}")
    return Instance(
        name=name,
        scale=scale,
        x=[float(t[1]) for t in rows],
        y=[float(t[2]) for t in rows],
        service=[scaled(t[3]) for t in rows],
        score=[int(round(float(t[4]))) for t in rows],
        open=[scaled(t[-2]) for t in rows],
        close=[scaled(t[-1]) for t in rows],
    )
