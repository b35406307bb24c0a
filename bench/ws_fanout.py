"""WebSocket fan-out: N clients follow one request; how long from a command to each receipt?

    python bench/ws_fanout.py [--clients 500] [--rounds 5] [--servers 1] [--timeout 30] [--repo PATH]
    REDIS_URL=redis://127.0.0.1:6379/3 python bench/ws_fanout.py --servers 2
    python bench/ws_fanout.py --in-process

Default: real sockets. Serves the project with ``--servers`` daphne processes (DEBUG=0, a
throw-away SQLite file; more than one needs REDIS_URL: channels-redis), opens N WebSockets
over TCP from one asyncio process (the ``websockets`` library) spread over the servers, all
signed in as the request's traveler, then each round posts one chat message over REST
(token auth) and measures from just before the POST to each socket's receipt of the event.
Prints p50/p95/p99/max, lost deliveries, the POST's own latency and the client process's
CPU share (near 100 % would mean the client, not the server, is the bottleneck).
Target (issue 18): p95 < 100 ms at 500 sockets on Redis with two processes.

``--in-process``: the real ASGI stack without sockets (Channels' communicators), from the
commit (an on-commit hook registered before the relay's) to the receipt.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import serving  # noqa: E402
from bench.serving import SIGN_IN, free_port, production_env, repo_python, run_script, stop, wait_ready  # noqa: E402

# One traveler's request, a session for the sockets and a token for the POSTs.
PREPARE = SIGN_IN + r"""
import json
from rest_framework.authtoken.models import Token
from tests.factories import make_request

state = make_request()
traveler = state.request.traveler
print("RESULT " + json.dumps({"request": state.request_id, "session": sign_in([traveler.username])[traveler.username],
                              "token": Token.objects.create(user=traveler).key}))
"""


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


async def over_sockets(ports: list[int], prepared: dict, clients: int, rounds: int, timeout: float) -> dict:
    """Open the sockets, then per round: t0, POST a chat message, each socket's first event."""
    import httpx
    import websockets

    rid = prepared["request"]
    sockets = []
    for n in range(clients):
        port = ports[n % len(ports)]
        socket = await websockets.connect(f"ws://127.0.0.1:{port}/ws/requests/{rid}/", max_size=None,
                                          origin=f"http://127.0.0.1:{port}", open_timeout=timeout,
                                          additional_headers={"Cookie": f"sessionid={prepared['session']}"})
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        assert snapshot["type"] == "snapshot", snapshot
        sockets.append(socket)

    async def first_event(socket) -> float | None:
        try:
            while json.loads(await asyncio.wait_for(socket.recv(), timeout))["type"] != "event":
                pass
        except TimeoutError:
            return None
        return time.perf_counter()

    latencies, posts, lost = [], [], 0
    cpu, wall = time.process_time(), time.perf_counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}/api/v1", timeout=timeout,
                                 headers={"Authorization": f"Token {prepared['token']}"}) as api:
        for n in range(rounds):
            receivers = [asyncio.ensure_future(first_event(s)) for s in sockets]
            await asyncio.sleep(0.2)  # every receiver waits before the command
            began = time.perf_counter()
            response = await api.post(f"/requests/{rid}/messages/", json={"body": f"round {n}"})
            posts.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
            arrivals = await asyncio.gather(*receivers)
            latencies += [(t - began) * 1000 for t in arrivals if t is not None]
            lost += sum(t is None for t in arrivals)
            await asyncio.sleep(0.5)
    share = (time.process_time() - cpu) / (time.perf_counter() - wall)
    for socket in sockets:
        await socket.close()
    return {"latencies": latencies, "posts": posts, "lost": lost, "cpu_share": share}


def serve_and_measure(args) -> None:
    layer = "channels-redis" if os.environ.get("REDIS_URL") else "in-memory"
    if args.servers > 1 and layer != "channels-redis":
        raise SystemExit("several servers share events through Redis: set REDIS_URL")
    repo = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="bench_ws_") as tmp:
        env = production_env(Path(tmp), secrets.token_urlsafe(40))
        env.update(PYTHONPATH=str(repo), CHANNELS_PREFIX=f"bench-ws-{os.getpid()}")
        for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            serving.run([repo_python(repo), "manage.py", *step], repo, env)
        prepared = run_script(PREPARE, repo, env)
        ports, servers = [], []
        try:
            for _ in range(args.servers):
                ports.append(free_port((ports[-1] + 1) if ports else args.port))
                servers.append(subprocess.Popen([repo_python(repo), "-m", "daphne", "-b", "127.0.0.1",
                                                 "-p", str(ports[-1]), "traveloure.asgi:application"],
                                                cwd=repo, env=env, start_new_session=True,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for port, server in zip(ports, servers, strict=True):
                wait_ready(f"http://127.0.0.1:{port}/healthz", server)
            result = asyncio.run(over_sockets(ports, prepared, args.clients, args.rounds, args.timeout))
        finally:
            for server in servers:
                stop(server)
    q = statistics.quantiles(result["latencies"], n=100)
    print(f"ws_fanout: {repo} | {args.clients} sockets x {args.rounds} chat messages, {layer}, "
          f"{args.servers} daphne process(es), DEBUG=0")
    print(f"POST -> receipt ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  max {max(result['latencies']):.1f}"
          f"  | lost {result['lost']} | POST ms p50 {statistics.median(result['posts']):.1f} "
          f"max {max(result['posts']):.1f} | client CPU {result['cpu_share']:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--servers", type=int, default=1, help="daphne processes (more than one needs REDIS_URL)")
    parser.add_argument("--in-process", action="store_true", help="Channels communicators instead of sockets")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout to serve (sockets only)")
    parser.add_argument("--port", type=int, default=8500, help="first loopback port to try")
    args = parser.parse_args()
    if not args.in_process:
        serve_and_measure(args)
        return
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
