"""Booking throughput on one hot slot through the real API (prints numbers; not a test).

Creates a scratch PostgreSQL database next to ``DATABASE_URL`` (``<name>_bench_booking``),
migrates it, seeds one slot of an instant vendor with ``--seats`` seats and one traveler
(own request, own token) per client, starts the ASGI app with uvicorn on loopback and a
django-q2 cluster (``qcluster``, ORM broker, which confirms the held bookings), and lets
``--clients`` threads each POST ``--requests`` one-seat bookings to ``/api/v1/bookings/``.
Prints held bookings per minute and per second, p50/p95/p99 latency, sold-out answers,
how many of the held bookings the worker confirmed and how long after the last hold,
and checks the final capacity (no oversell). Target (issue 18, 16 clients): ≥ 1,200 held
per minute, p95 < 1 s, 0 oversell.

The server processes use psycopg's connection pool (``DB_POOL=1``, size ``DB_POOL_SIZE``;
``DB_POOL=0`` opens a connection per request, to compare).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/booking_throughput.py \
        --clients 16 --requests 10 --seats 100 --workers 2 [--confirm-timeout 120]
"""
import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import free_port, stop, wait_ready  # noqa: E402


def _scratch_database(url: str) -> str:
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_booking"
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def _seed(clients: int, seats: int):
    """Vendor + hot slot + one traveler/request/token per client (setup sets the phase directly)."""
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from apps.coordination.models import CoordinationState
    from tests.factories import make_booking_state, make_offering, make_slot, make_vendor

    call_command("migrate", verbosity=0)
    slot = make_slot(make_offering(make_vendor(name="Hot Vendor")), capacity=seats)
    users = []
    for _ in range(clients):
        state = make_booking_state()
        users.append((Token.objects.create(user=state.request.traveler).key, state.request_id))
    assert CoordinationState.objects.filter(phase="booking").count() == clients
    return slot.pk, users


def _wait_confirmed(slot_id: int, timeout: float) -> tuple[int, float]:
    """Poll until no booking of the slot waits for the worker; (confirmed, seconds waited)."""
    from django.db.models import Count

    from apps.coordination.models import Booking

    began = time.perf_counter()
    while True:
        statuses = dict(Booking.objects.filter(slot_id=slot_id).values_list("status").annotate(n=Count("pk")))
        if not statuses.get("requested") or time.perf_counter() - began > timeout:
            return statuses.get("confirmed", 0), time.perf_counter() - began
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=10, help="bookings each client attempts")
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8200, help="first loopback port to try")
    parser.add_argument("--confirm-timeout", type=float, default=120,
                        help="seconds to wait for the worker to confirm the held bookings")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL=postgres://… (the benchmark measures PostgreSQL)")
    if not 1 <= args.clients <= 256 or not 1 <= args.requests <= 1000:
        raise SystemExit("keep it bounded: 1-256 clients, 1-1000 requests each")

    env = {**os.environ, "DATABASE_URL": _scratch_database(os.environ["DATABASE_URL"]), "DEBUG": "0",
           "SECURE_SSL_REDIRECT": "0", "SECRET_KEY": secrets.token_urlsafe(40),
           "DJANGO_SETTINGS_MODULE": "traveloure.settings", "LOG_LEVEL": "ERROR",
           # psycopg's pool: under ASGI persistent connections are never reused (see settings).
           "DB_POOL": os.environ.get("DB_POOL", "1")}
    env.pop("REDIS_URL", None)
    os.environ.update(env)
    slot_id, users = _seed(args.clients, args.seats)

    import httpx

    port = free_port(args.port)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "traveloure.asgi:application", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(args.workers), "--no-access-log",
                               "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)
    worker_log = tempfile.TemporaryFile("w+")
    # No pool in the cluster: its forked processes would share the parent's pooled connections.
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env={**env, "DB_POOL": "0"},
                              start_new_session=True, stdout=worker_log, stderr=subprocess.STDOUT)
    latencies, statuses, lock = [], {}, threading.Lock()
    try:
        wait_ready(f"{base}/healthz", server)
        barrier = threading.Barrier(args.clients)

        def client(token: str, request_id: int) -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=60) as http:
                barrier.wait()
                for _ in range(args.requests):
                    began = time.perf_counter()
                    response = http.post("/api/v1/bookings/", json={"request": request_id, "slot": slot_id,
                                                                    "quantity": 1})
                    elapsed = time.perf_counter() - began
                    key = response.status_code if response.status_code != 409 else response.json().get("code")
                    with lock:
                        latencies.append(elapsed)
                        statuses[key] = statuses.get(key, 0) + 1

        threads = [threading.Thread(target=client, args=user) for user in users]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        confirmed, confirm_wait = _wait_confirmed(slot_id, args.confirm_timeout)
    finally:
        stop(server)
        stop(worker)
        if confirmed < statuses.get(201, 0):
            worker_log.seek(0)
            print(worker_log.read()[-3000:], file=sys.stderr)

    from apps.coordination.models import Booking
    from apps.vendors.models import Slot

    slot = Slot.objects.get(pk=slot_id)
    booked = statuses.get(201, 0)
    held = Booking.objects.filter(slot_id=slot_id).count()
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"requests: {len(latencies)} in {wall:.2f}s with {args.clients} clients, {args.workers} workers")
    print(f"answers: {dict(sorted(statuses.items(), key=str))}")
    print(f"held: {booked} ({booked / wall * 60:.0f}/min, {booked / wall:.1f}/s)  requests/s: {len(latencies) / wall:.1f}")
    print(f"latency ms: p50 {quantiles[49] * 1000:.1f}  p95 {quantiles[94] * 1000:.1f}  "
          f"p99 {quantiles[98] * 1000:.1f}  max {max(latencies) * 1000:.1f}")
    print(f"confirmed by the worker: {confirmed} of {booked}, all {confirm_wait:.1f}s after the last answer")
    print(f"capacity: total {slot.capacity_total}, available {slot.capacity_available}, bookings {held}")
    ok = slot.capacity_available >= 0 and slot.capacity_available + held == slot.capacity_total and held == booked
    print("capacity check:", "OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
