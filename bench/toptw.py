"""Benchmark the TOPTW core on the published instances against best-known scores.

    python bench/toptw.py [INSTANCE_DIR] [--time-limit S] [--m 1,2,3,4] [--json OUT] [--jobs N]
                          [--max-iterations N] [--seed S]

Every solution is checked with the core ``check`` on the exact integer data and with the
shared ``verify.py`` (next to the instances folder); without that judge the bench prints
no ``feasible=`` at all rather than a verdict it could not reach.
``--jobs 2`` solves two cases at once; each case keeps its own time limit.
``--max-iterations N`` (with ``--seed``) replaces the time limit by a fixed number of
search steps: the scores then depend only on the instance and the seed, so a run on a
loaded machine can be compared with another one (the seconds still say how fast it was).
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from apps.itineraries.planner.toptw import check, solve  # noqa: E402
from apps.itineraries.planner.toptw_format import read_instance  # noqa: E402

CANDIDATE_DIRS = (
    REPO.parent / "shared/bench/toptw/instances",
    Path("/work/shared/bench/toptw/instances"),
)


def default_dir() -> Path:
    """The shared instances folder next to the repo (first existing candidate)."""
    return next((d for d in CANDIDATE_DIRS if d.is_dir()), CANDIDATE_DIRS[0])


def load_bks(path: Path) -> dict[tuple[str, int], int]:
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        return {(r["instance"].strip().lower(), int(r["m"])): int(float(r["bks"])) for r in csv.DictReader(f)}


def load_verify(instances: Path) -> ModuleType | None:
    """The shared verify.py module, if there is one next to the instances folder."""
    path = instances.parent / "verify.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("toptw_verify", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    except Exception:  # a broken judge must not hide our own check
        sys.modules.pop(spec.name, None)
        return None
    return module


def run_case(path: Path, m: int, time_limit: float, max_iterations: int | None = None, seed: int = 0) -> dict:
    """Solve one (instance, m) and check it with the core and verify.py (``verified``
    says whether the judge could be loaded)."""
    inst = read_instance(path)
    problem = inst.problem(m)
    t0 = time.perf_counter()
    sol = solve(problem, time_limit=time_limit, seed=seed, max_iterations=max_iterations)
    seconds = time.perf_counter() - t0
    errors = check(problem, sol.routes)
    verify = load_verify(path.parent)
    if verify is not None:
        vi = verify.read_instance(str(path))
        report = verify.check(vi, sol.routes, m, verify.default_rounding(vi))
        errors += [f"verify.py: {e}" for e in report["errors"]]
        if report["score"] != sol.score:
            errors.append(f"verify.py score {report['score']} != {sol.score}")
    return {"instance": inst.name, "m": m, "score": sol.score, "routes": sol.routes,
            "seconds": round(seconds, 3), "iterations": sol.iterations, "errors": errors,
            "verified": verify is not None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance_dir", nargs="?", type=Path, default=default_dir())
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--m", default="1,2,3,4", help="comma-separated tour counts")
    ap.add_argument("--json", type=Path, help="write the solutions here")
    ap.add_argument("--jobs", type=int, default=1, help="cases solved in parallel")
    ap.add_argument("--max-iterations", type=int, help="fixed search steps per case instead of the time limit")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if load_verify(a.instance_dir) is None:
        print(f"verify.py could not be loaded from {a.instance_dir.parent}: feasibility is not judged",
              file=sys.stderr, flush=True)
    files = sorted(p for p in a.instance_dir.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
    ms = [int(x) for x in a.m.split(",") if x.strip()]
    bks = load_bks(a.instance_dir.resolve().parent / "bks.csv")
    cases = [(p, m) for p in files for m in ms]
    with ProcessPoolExecutor(max(1, a.jobs)) as pool:
        futures = [pool.submit(run_case, p, m, a.time_limit, a.max_iterations, a.seed) for p, m in cases]
        results = []
        for fut in futures:
            res = fut.result()
            results.append(res)
            best = bks.get((res["instance"].lower(), res["m"]))
            res["gap"] = 100.0 * (best - res["score"]) / best if best else None
            gap = f"{res['gap']:6.2f}%" if res["gap"] is not None else "     -"
            verdict = f" feasible={not res['errors']}" if res["verified"] else " unverified"
            print(f"{res['instance']:<6} m={res['m']} score={res['score']:<5} bks={best or '-':<5} "
                  f"gap={gap} s={res['seconds']:.2f}{verdict}"
                  + ("".join(f"\n  ! {e}" for e in res["errors"])), flush=True)
    gaps = [r["gap"] for r in results if r["gap"] is not None]
    feasible = sum(not r["errors"] for r in results)
    verified = all(r["verified"] for r in results)
    mean_gap = sum(gaps) / len(gaps) if gaps else float("nan")
    mean_s = sum(r["seconds"] for r in results) / len(results) if results else 0.0
    max_s = max((r["seconds"] for r in results), default=0.0)
    verdict = f"feasible={feasible}" if verified else "unverified (verify.py not loaded)"
    print(f"cases={len(results)} {verdict} mean_gap={mean_gap:.2f}% mean_s={mean_s:.2f}"
          + (f" max_s={max_s:.2f} max_iterations={a.max_iterations} seed={a.seed}" if a.max_iterations else ""))
    if a.json:
        keys = ("instance", "m", "score", "routes", "seconds")
        a.json.write_text(json.dumps([{k: r[k] for k in keys} for r in results], indent=1))
    return 0 if verified and feasible == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
