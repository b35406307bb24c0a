"""Memory of the web process and the worker cluster over a whole demo journey (prints numbers; not a test).

Seeds the demo into a throw-away SQLite file, serves it in production mode (daphne,
DEBUG=0) with a django-q2 cluster (``manage.py qcluster``) beside it, then drives through
HTTP only: for each of three cities the traveler submits a request (browse path), plans
it, approves it (the worker confirms the bookings), downloads the calendar and the PDF
(rendered by the worker) and opens the browse page; then ``--views`` page views spread
over the three portals. Samples every 0.2 s the resident memory of the web process and
of the whole worker tree (leader + children, summed), and prints start, peak and final
MB with the kernel's own peak (VmHWM). Targets (issue 18): web < 250 MB, worker < 300 MB.

    .venv/bin/python bench/memory.py [--views 500] [--repo PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import (SIGN_IN, free_port, production_env, repo_python, run_script, seed_site,  # noqa: E402
                           stop, wait_ready)

CITIES = ("Tokyo", "Lisbon", "Florence")
PASSWORD = "demo-pass-123"
SIGN_IN_DEMO = SIGN_IN + 'import json\nprint("RESULT " + json.dumps(sign_in(["traveler", "expert", "vendor"])))\n'


def _memory(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (status) and Pss (smaps_rollup: shared pages split between their
    users, which is what a forked cluster really costs) of ``pid`` in kB; 0 once gone."""
    found = {"VmRSS": 0, "VmHWM": 0, "Pss": 0}
    for name in ("status", "smaps_rollup"):
        try:
            lines = Path(f"/proc/{pid}/{name}").read_text().splitlines()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        for key, _, value in (line.partition(":") for line in lines):
            if key in found:
                found[key] = int(value.split()[0])
    return found


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


class Sampler(threading.Thread):
    """Start, peak and last of the summed RSS and PSS of each process tree; the sum of each
    process's own peak (VmHWM); the number of processes."""

    def __init__(self, roots: dict[str, int]):
        super().__init__(daemon=True)
        self.roots, self.stop_event = roots, threading.Event()
        self.first: dict[str, dict[str, float]] = {}
        self.peak = {name: {"VmRSS": 0.0, "Pss": 0.0} for name in roots}
        self.last: dict[str, dict[str, float]] = {}
        self.hwm_kb: dict[str, dict[int, int]] = {name: {} for name in roots}

    def sample(self) -> None:
        for name, root in self.roots.items():
            pids = _tree(root)
            total = {"VmRSS": 0.0, "Pss": 0.0, "processes": len(pids)}
            for pid in pids:
                memory = _memory(pid)
                total["VmRSS"] += memory["VmRSS"] / 1024
                total["Pss"] += memory["Pss"] / 1024
                self.hwm_kb[name][pid] = max(self.hwm_kb[name].get(pid, 0), memory["VmHWM"])
            self.last[name] = total
            self.first.setdefault(name, total)
            for key in ("VmRSS", "Pss"):
                self.peak[name][key] = max(self.peak[name][key], total[key])

    def run(self) -> None:
        while not self.stop_event.wait(0.2):
            self.sample()


def _journey(base: str, cookies: dict[str, str], views: int) -> dict:
    import httpx

    token = httpx.post(f"{base}/api/v1/auth/token/", data={"username": "traveler", "password": PASSWORD}).json()
    api = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Token {token['token']}"}, timeout=120)
    pages = {name: httpx.Client(base_url=base, cookies={"sessionid": key}, timeout=60)
             for name, key in cookies.items()}
    start = dt.date.today() + dt.timedelta(days=45)
    request_ids, steps = [], []
    for n, city in enumerate(CITIES):
        began = start + dt.timedelta(days=10 * n)
        intake = {"experience_type": "travel", "destination": city,
                  "dates": {"start": began.isoformat(), "end": (began + dt.timedelta(days=4)).isoformat()},
                  "travelers": {"adults": 2, "children": 0},
                  "budget": {"min": 1500, "max": 4000, "currency": "EUR"},
                  "preferences": {"interests": ["food", "culture"], "pace": "moderate",
                                  "accommodation": "mid-range", "dietary_restrictions": []},
                  "path": "browse"}
        created = api.post("/requests/", json=intake)
        created.raise_for_status()
        rid = created.json()["id"]
        request_ids.append(rid)
        for method, path in (("get", f"/requests/{rid}/offerings/"), ("post", f"/requests/{rid}/itinerary/generate/"),
                             ("post", f"/requests/{rid}/itinerary/approve/"), ("get", f"/requests/{rid}/itinerary.ics")):
            response = getattr(api, method)(path, **({"json": {}} if method == "post" else {}))
            steps.append((path.split("/", 3)[-1], response.status_code))
        steps.append(("browse page", pages["traveler"].get(f"/traveler/requests/{rid}/browse/").status_code))
        deadline = time.monotonic() + 180
        while (pdf := api.get(f"/requests/{rid}/itinerary.pdf")).status_code == 202 and time.monotonic() < deadline:
            time.sleep(1)
        steps.append(("itinerary.pdf", pdf.status_code))
    urls = [("traveler", "/traveler/"), ("expert", "/expert/"), ("vendor", "/vendor/")]
    for rid in request_ids:
        urls += [("traveler", f"/traveler/requests/{rid}/"), ("traveler", f"/traveler/requests/{rid}/itinerary/"),
                 ("traveler", f"/traveler/requests/{rid}/budget/"), ("traveler", f"/api/v1/requests/{rid}/itinerary/")]
    codes: dict[int, int] = {}
    for user, url in itertools.islice(itertools.cycle(urls), views):
        code = pages[user].get(url).status_code
        codes[code] = codes.get(code, 0) + 1
    failed = [(name, code) for name, code in steps if code >= 400]
    return {"steps": len(steps), "failed steps": failed, "page views": codes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", type=int, default=500, help="page views after the journeys")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to serve (default: this one)")
    parser.add_argument("--port", type=int, default=8400, help="first loopback port to try")
    args = parser.parse_args()
    repo = args.repo.resolve()
    python = repo_python(repo)
    with tempfile.TemporaryDirectory(prefix="bench_memory_") as tmp:
        env = production_env(Path(tmp), secrets.token_urlsafe(40))
        env.update(PYTHONPATH=str(repo), Q_WORKERS="2")
        seed_site(repo, env)
        cookies = run_script(SIGN_IN_DEMO, repo, env)
        port = free_port(args.port)
        log = (Path(tmp) / "server.log").open("w")
        processes = {
            "web": subprocess.Popen([python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                     "traveloure.asgi:application"], cwd=repo, env=env, stdout=log, stderr=log,
                                    start_new_session=True),
            "worker": subprocess.Popen([python, "manage.py", "qcluster"], cwd=repo, env=env, stdout=log, stderr=log,
                                       start_new_session=True),
        }
        sampler = Sampler({name: p.pid for name, p in processes.items()})
        try:
            wait_ready(f"http://127.0.0.1:{port}/healthz", processes["web"])
            time.sleep(3)  # the cluster forks its workers
            sampler.sample()
            sampler.start()
            began = time.perf_counter()
            outcome = _journey(f"http://127.0.0.1:{port}", cookies, args.views)
            elapsed = time.perf_counter() - began
            sampler.stop_event.set()
            sampler.join()
            sampler.sample()
        except BaseException:
            print((Path(tmp) / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            for process in processes.values():
                stop(process)
    print(f"memory: {repo} | daphne + qcluster (2 workers), DEBUG=0, SQLite demo | journey {elapsed:.0f}s: "
          f"{outcome}")
    print(f"{'MB':<7} {'processes':>9} {'RSS start':>9} {'peak':>6} {'final':>6} {'Σ VmHWM':>8} "
          f"{'PSS start':>9} {'peak':>6} {'final':>6}")
    for name in processes:
        start, peak, last = sampler.first[name], sampler.peak[name], sampler.last[name]
        hwm = sum(sampler.hwm_kb[name].values()) / 1024
        print(f"{name:<7} {start['processes']:>9} {start['VmRSS']:>9.0f} {peak['VmRSS']:>6.0f} {last['VmRSS']:>6.0f} "
              f"{hwm:>8.0f} {start['Pss']:>9.0f} {peak['Pss']:>6.0f} {last['Pss']:>6.0f}")


if __name__ == "__main__":
    main()
