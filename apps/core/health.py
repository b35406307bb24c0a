"""Health endpoints for process managers and load balancers.

``/healthz``: the process answers (no database, no network). ``/readyz``: the process can
do its work: database reachable and migrated, a channel-layer round trip, the task broker
reachable and a worker seen within the last minute. Each check reports ``ok`` and its
time; any failure answers 503.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The cluster's scheduler advances due schedules about every 30 s; a schedule left due for
# longer than this means no worker cluster is running.
WORKER_SEEN_WITHIN = dt.timedelta(seconds=60)
CHANNEL_TIMEOUT_SECONDS = 2
_migrated = False  # once true for this process it stays true: code and schema ship together


def check_database() -> str:
    global _migrated
    connection.ensure_connection()
    if not _migrated:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise RuntimeError(f"{len(pending)} migrations not applied")
        _migrated = True
    return "reachable, migrated"


async def _layer_round_trip() -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel = await layer.new_channel("health.")
    await layer.send(channel, {"type": "health.ping"})
    await asyncio.wait_for(layer.receive(channel), CHANNEL_TIMEOUT_SECONDS)


def check_channel_layer() -> str:
    async_to_sync(_layer_round_trip)()
    return "round trip"


def check_broker() -> str:
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.ping()
    return broker.info()


def check_worker() -> str:
    """A worker cluster is alive if no periodic schedule has been left due for long (its
    scheduler moves ``next_run`` on); works with every broker, unlike cluster stats kept in
    a per-process cache."""
    from django_q.models import Schedule

    schedules = Schedule.objects.exclude(repeats=0)
    if not schedules.exists():
        raise RuntimeError("no periodic schedules (run `manage.py run_all` or ensure_schedules)")
    stale = schedules.filter(next_run__lt=timezone.now() - WORKER_SEEN_WITHIN).count()
    if stale:
        raise RuntimeError(f"{stale} schedules overdue: no worker seen within the last minute")
    return "seen within the last minute"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
    "worker": check_worker,
}


def run_checks() -> tuple[bool, dict]:
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            detail, ok = check(), True
        except Exception as exc:  # a failing dependency is the answer, not an error
            detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
        healthy &= ok
        results[name] = {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1), "detail": detail}
    return healthy, results


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    healthy, results = run_checks()
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results},
                        status=200 if healthy else 503)
