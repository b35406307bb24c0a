"""Scale-out: two real ASGI servers (daphne) share PostgreSQL and channels-redis; a change
made through one reaches a WebSocket client connected to the other."""
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import websockets
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.conftest import ON_POSTGRES
from tests.factories.worlds import make_world

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PORTS = (int(os.environ.get("LIVE_TEST_PORT", "8120")), int(os.environ.get("LIVE_TEST_PORT", "8120")) + 1)


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited: {proc.stdout.read().decode(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"server on {port} did not start")


@pytest.fixture
def servers():
    """Two daphne processes on the test database and one Redis prefix of their own."""
    assert ON_POSTGRES
    db = settings.DATABASES["default"]
    env = {key: value for key, value in os.environ.items() if key != "TEST_DB_NAME"}
    env.update(DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               CHANNELS_PREFIX=f"scale-{uuid.uuid4().hex[:8]}", DJANGO_SETTINGS_MODULE="traveloure.settings")
    procs = [subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                               "traveloure.asgi:application"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for port in PORTS]
    try:
        for port, proc in zip(PORTS, procs):
            _wait_for_port(port, proc)
        yield PORTS
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_change_through_one_server_reaches_a_client_on_the_other(servers):
    listen_port, act_port = servers
    world = make_world()
    client = Client()
    client.force_login(world.expert)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    token = Token.objects.create(user=world.traveler).key

    async def scenario():
        url = f"ws://127.0.0.1:{listen_port}/ws/requests/{world.request_id}/"
        headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{listen_port}"}
        async with websockets.connect(url, additional_headers=headers) as ws:
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), 10))
            async with httpx.AsyncClient() as http:
                response = await http.post(f"http://127.0.0.1:{act_port}/api/v1/requests/{world.request_id}/messages/",
                                           json={"body": "Booked the 9:00 slot"},
                                           headers={"Authorization": f"Token {token}"}, timeout=10)
            assert response.status_code == 201, response.text
            event = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return snapshot, event

    snapshot, event = asyncio.run(scenario())
    assert snapshot["type"] == "snapshot" and snapshot["version"] == 1
    assert (event["type"], event["event"], event["version"]) == ("event", "message.posted", 2)
    assert event["data"]["message"]["body"] == "Booked the 9:00 slot"
