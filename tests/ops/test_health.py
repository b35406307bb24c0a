"""``/healthz`` answers without touching anything; ``/readyz`` checks the database, a
channel-layer round trip, the broker and a recent worker, and is 503 while one fails."""
import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from apps.coordination.schedules import ensure_schedules

from .support import free_port, wait_for_port

pytestmark = pytest.mark.django_db


def test_healthz_is_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_each_check_on_the_configured_stack(client):
    ensure_schedules()
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker", "worker"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())


def test_readyz_is_503_when_no_worker_was_seen(client):
    ensure_schedules()
    Schedule.objects.filter(name="outbox-relay").update(next_run=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/readyz")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and "no worker seen" in worker["detail"]


@pytest.fixture
def own_redis(settings, monkeypatch):
    """A Redis server of the test's own on a free port, used as channel layer and broker;
    yields (port, start) where ``start()`` (re)starts it after the test stopped it."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [url]}}}
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", url)
    servers = []

    def start():
        servers.append(subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL))
        wait_for_port(port, servers[-1])
        return servers[-1]

    start()
    yield servers, start
    for server in servers:
        server.kill()
        server.wait()


def test_readyz_is_503_while_redis_is_down_and_200_when_it_is_back(client, own_redis):
    servers, start = own_redis
    ensure_schedules()
    assert client.get("/readyz").status_code == 200

    servers[-1].terminate()
    servers[-1].wait()
    down = client.get("/readyz")
    assert down.status_code == 503
    checks = down.json()["checks"]
    assert (checks["channel_layer"]["ok"], checks["broker"]["ok"]) == (False, False)
    assert checks["database"]["ok"] and checks["worker"]["ok"]

    start()
    assert client.get("/readyz").status_code == 200
