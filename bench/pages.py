"""Portal pages under load, each as a share of a bare view on the same server (prints numbers; not a test).

Seeds the demo into a throw-away SQLite file, plans the traveler's open request (7 days)
with the demo expert accepted, then serves the project in production mode (daphne,
DEBUG=0, a real SECRET_KEY, collected static files) and drives each page with ``wrk``
(Debian package ``wrk``) at a fixed concurrency, signed in with a session cookie as the
demo user who owns the page. ``/healthz`` (the middleware stack, no database, no template)
is the bare view: each page prints req/s, p50/p95 and its req/s as a share of the bare
view's, measured just before it (a loaded or throttled machine drifts by tens of per cent
within a run, so each share compares neighbours; the bare row prints their mean). The API's
throttle rates are raised for the run: the view is measured, not the 429s. Targets
(issue 18): pages ≥ 50 %, REST itinerary ≥ 60 %.

    .venv/bin/python bench/pages.py [--duration 10] [--connections 8] [--repo PATH]

``--repo`` serves another checkout (e.g. ``git worktree add /tmp/base <commit>``) with
this bench, for before/after figures.
"""
from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import (SIGN_IN, free_port, production_env, repo_python, run_script, seed_site,  # noqa: E402
                           stop, wait_ready)

# Prints p50/p95 in microseconds as one JSON line (wrk's --latency has no p95).
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests": %d, "seconds": %f, "p50_us": %d, "p95_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout))
end
"""

# Plans the traveler's open request (7 days) with the demo expert accepted; signs the demo users in.
PREPARE = SIGN_IN + r"""
import json
from apps.accounts.models import User
from apps.coordination.models import CoordinationState
from apps.coordination.services import experts
from apps.coordination.services.itinerary import itinerary_generate
from apps.experts.models import Expert

users = {u.username: u for u in User.objects.filter(username__in=["traveler", "expert"])}
state = CoordinationState.objects.filter(request__traveler=users["traveler"], phase="matching").get()
itinerary_generate(state_id=state.pk, actor=None)
experts.expert_choose(state_id=state.pk, actor=users["traveler"], expert_id=Expert.objects.get(user=users["expert"]).pk)
experts.expert_accept(state_id=state.pk, actor=users["expert"])
state.refresh_from_db()
print("RESULT " + json.dumps({"request": state.request_id, "days": state.current_itinerary.days.count(),
                                "cookies": sign_in(["traveler", "expert", "vendor"])}))
"""

def _pages(request_id: int) -> list[tuple[str, str, str | None]]:
    """(label, path, demo user) in the order printed; the bare view first."""
    r = request_id
    return [("bare /healthz", "/healthz", None),
            ("traveler home", "/traveler/", "traveler"),
            ("request overview", f"/traveler/requests/{r}/", "traveler"),
            ("itinerary", f"/traveler/requests/{r}/itinerary/", "traveler"),
            ("expert inbox", "/expert/", "expert"),
            ("expert workspace", f"/expert/requests/{r}/", "expert"),
            ("vendor dashboard", "/vendor/", "vendor"),
            ("REST itinerary", f"/api/v1/requests/{r}/itinerary/", "traveler")]


def _wrk(url: str, cookie: str | None, duration: int, connections: int, script: Path) -> dict:
    headers = ["-H", f"Cookie: sessionid={cookie}"] if cookie else []
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script), *headers, url],
                         capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    result = json.loads(line[4:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def _check(url: str, cookie: str | None) -> None:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:  # raises on 4xx/5xx
        final = response.geturl()
    if final != url:
        raise SystemExit(f"{url} redirected to {final}: not signed in?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (wrk -c)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to serve (default: this one)")
    parser.add_argument("--port", type=int, default=8300, help="first loopback port to try")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    repo = args.repo.resolve()
    python = repo_python(repo)

    with tempfile.TemporaryDirectory(prefix="bench_pages_") as tmp:
        env = production_env(Path(tmp), secrets.token_urlsafe(40))
        env["PYTHONPATH"] = str(repo)
        # wrk sends thousands of API requests a minute from one user: rates high enough that the
        # throttles still run (their cache reads are part of each request) but never answer 429.
        env.update(API_RATE_USER_BURST="10000000/minute", API_RATE_USER_SUSTAINED="10000000/day")
        seed_site(repo, env)
        state = run_script(PREPARE, repo, env)
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_REPORT)

        port = free_port(args.port)
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                   "traveloure.asgi:application"], cwd=repo, env=env, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=(Path(tmp) / "server.log").open("w"))
        try:
            wait_ready(f"{base}/healthz", server)
            pages = _pages(state["request"])
            for _label, path, user in pages:
                _check(base + path, state["cookies"].get(user))
            results, bares = [], []
            for label, path, user in pages:
                _wrk(base + path, state["cookies"].get(user), 2, args.connections, script)  # warm-up
                if results:  # the bare view again, right before this page
                    bares.append(_wrk(base + pages[0][1], None, args.duration, args.connections, script)["rps"])
                results.append((label, path, _wrk(base + path, state["cookies"].get(user), args.duration,
                                                  args.connections, script)))
        except BaseException:
            print((Path(tmp) / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            stop(server)

    bares.insert(0, results[0][2]["rps"])
    results[0][2]["rps"] = sum(bares) / len(bares)
    print(f"pages: {repo} | daphne DEBUG=0, SQLite demo, wrk -t1 -c{args.connections} -d{args.duration}s | "
          f"itinerary of {state['days']} days")
    print(f"{'page':<18} {'path':<36} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'of bare':>8} {'errors':>6}")
    for (label, path, r), bare in zip(results, [results[0][2]["rps"]] + bares[1:], strict=True):
        print(f"{label:<18} {path:<36} {r['rps']:>7.1f} {r['p50_us'] / 1000:>7.1f} {r['p95_us'] / 1000:>7.1f} "
              f"{r['rps'] / bare:>7.0%} {r['errors']:>6}")
    print(f"bare runs before each page, req/s: {' '.join(f'{rps:.0f}' for rps in bares[1:])}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f}s)")
