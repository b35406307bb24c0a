"""WebSocket fan-out: N clients follow one request; how long from commit to receipt?

    python bench/ws_fanout.py [--clients 500] [--rounds 5] [--timeout 30]

Runs in-process through the real ASGI stack (session auth, consumer, channel layer) on a
throw-away SQLite file; with REDIS_URL set the channel layer is channels-redis. Each round
posts one chat message; t0 is taken in an on-commit hook registered before the relay's,
so the numbers cover publishing + channel layer + consumer + send. Prints p50/p95/max.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def setup_django(db_path: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


async def run(clients: int, rounds: int, timeout: float) -> list[float]:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import transaction
    from django.test import Client

    from apps.coordination.services.chat import message_post
    from tests.factories import make_request
    from traveloure.asgi import application

    def prepare():
        state = make_request()
        client = Client()
        client.force_login(state.request.traveler)
        return state, f"sessionid={client.cookies['sessionid'].value}".encode()

    state, cookie = await database_sync_to_async(prepare)()
    headers = [(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)]
    sockets = []
    for _ in range(clients):
        communicator = WebsocketCommunicator(application, f"/ws/requests/{state.request_id}/", headers=headers)
        await communicator.connect(timeout=timeout)
        await communicator.receive_json_from(timeout=timeout)  # the snapshot
        sockets.append(communicator)

    latencies: list[float] = []
    for n in range(rounds):
        committed: list[float] = []

        def post():
            with transaction.atomic():
                transaction.on_commit(lambda: committed.append(time.perf_counter()))
                message_post(state_id=state.pk, actor=state.request.traveler, body=f"round {n}")

        async def receive(communicator):
            await communicator.receive_json_from(timeout=timeout)
            return time.perf_counter()

        receivers = [asyncio.ensure_future(receive(c)) for c in sockets]
        await database_sync_to_async(post)()
        arrivals = await asyncio.gather(*receivers)
        latencies += [(t - committed[0]) * 1000 for t in arrivals]
    for communicator in sockets:
        await communicator.disconnect()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        from django.conf import settings

        started = time.perf_counter()
        latencies = asyncio.run(run(args.clients, args.rounds, args.timeout))
        layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
        q = statistics.quantiles(latencies, n=100)
        print(f"ws_fanout: {args.clients} clients x {args.rounds} events on {layer} "
              f"({len(latencies)} deliveries, {time.perf_counter() - started:.1f}s total)")
        print(f"commit -> receipt ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  max {max(latencies):.1f}")


if __name__ == "__main__":
    main()
