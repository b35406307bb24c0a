"""The outbox relay: at least once, backoff, no double publishing, and the fault path
from a failing channel layer to a client that receives the change exactly once."""
import asyncio
import json
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.coordination.models import OutboxMessage
from apps.coordination.relay import publish_event, relay_undelivered, retry_delay
from apps.coordination.services.chat import message_post
from tests.factories import phase_repair
from tests.factories.worlds import make_world
from tests.live.support import LiveClient, channel_layer, drain, ws_connect  # noqa: F401  (fixture)


class LayerDown:
    """Makes the real channel layer raise on ``group_send`` until ``recover()``."""

    def __init__(self, monkeypatch):
        self.layer = get_channel_layer()
        self._send = self.layer.group_send
        self.calls = 0
        monkeypatch.setattr(self.layer, "group_send", self._failing)

    async def _failing(self, group, message):
        self.calls += 1
        raise ConnectionError("channel layer down")

    def recover(self):
        self.layer.group_send = self._send


def _make_due(rows):
    """Test set-up: pretend the rows were written long enough ago for their next retry."""
    for row in rows:
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - retry_delay(row.attempts))


def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def _received(channel: str) -> list[dict]:
    layer = get_channel_layer()

    async def collect():
        out = []
        while True:
            try:
                out.append(await asyncio.wait_for(layer.receive(channel), 0.2))
            except asyncio.TimeoutError:
                return out
    return async_to_sync(collect)()


def test_retry_delay_grows_exponentially_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in range(5)] == [0, 2, 6, 14, 30]
    assert (retry_delay(20) - retry_delay(19)).total_seconds() == 600


@pytest.mark.django_db(transaction=True)
def test_failed_publish_keeps_the_row_and_backs_off(monkeypatch, channel_layer):
    world = make_world()
    channel = _listen(f"request.{world.request_id}")
    down = LayerDown(monkeypatch)
    phase_repair(state_id=world.state.pk, actor=world.staff, phase="planning", reason="x")
    rows = list(OutboxMessage.objects.filter(event__version=2).order_by("id"))
    # the first failure stops the batch: the other rows are not even tried
    assert down.calls == 1 and [r.attempts for r in rows] == [1] + [0] * (len(rows) - 1)
    assert "channel layer down" in rows[0].last_error and all(r.delivered_at is None for r in rows)
    down.recover()
    OutboxMessage.objects.filter(pk=rows[0].pk).update(created_at=timezone.now())
    # rows never tried are due at once, the failed one only after its backoff
    assert relay_undelivered() == len(rows) - 1
    assert relay_undelivered() == 0
    _make_due(OutboxMessage.objects.filter(pk=rows[0].pk))
    assert relay_undelivered() == 1
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert [m["version"] for m in _received(channel)] == [2]


@pytest.mark.django_db(transaction=True)
def test_after_commit_publishes_the_rows_as_stored_without_reading_them_back(channel_layer):
    world = make_world()
    channel = _listen(f"request.{world.request_id}")
    with CaptureQueriesContext(connection) as queries:
        phase_repair(state_id=world.state.pk, actor=world.staff, phase="planning", reason="x")
    assert not [q for q in queries if q["sql"].startswith("SELECT") and "coordination_outboxmessage" in q["sql"]]
    row = OutboxMessage.objects.get(event__version=2, group=f"request.{world.request_id}")
    assert row.delivered_at is not None and row.attempts == 1
    received = _received(channel)
    assert [{k: v for k, v in m.items() if k != "frame"} for m in received] == [row.payload]
    assert json.loads(received[0]["frame"]) == {**row.payload, "type": "event"}  # serialized once, for every socket


@pytest.mark.django_db(transaction=True)
def test_rows_past_max_attempts_are_left_for_staff(settings, channel_layer):
    settings.TRAVELOURE = {**settings.TRAVELOURE, "OUTBOX_RELAY_MAX_ATTEMPTS": 3}
    world = make_world()
    row = OutboxMessage.objects.filter(event__state=world.state).first()
    OutboxMessage.objects.filter(pk=row.pk).update(delivered_at=None, attempts=3,
                                                   created_at=timezone.now() - retry_delay(10))
    assert relay_undelivered() == 0
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=2)
    assert relay_undelivered() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_relay_skips_rows_another_relay_holds(channel_layer):
    world = make_world()
    channel = _listen(f"request.{world.request_id}")
    OutboxMessage.objects.update(delivered_at=None, attempts=0)  # as if the publish after commit had crashed
    locked, release, published = threading.Event(), threading.Event(), []

    def other_relay():
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update().filter(event__state=world.state))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=other_relay)
    holder.start()
    locked.wait(10)
    published.append(relay_undelivered())
    release.set()
    holder.join()
    published.append(relay_undelivered())
    rows = OutboxMessage.objects.filter(event__state=world.state).count()
    assert published == [OutboxMessage.objects.count() - rows, rows]
    assert [m["version"] for m in _received(channel)] == [1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_fault_change_committed_relayed_later_received_once(monkeypatch, channel_layer):
    world = await database_sync_to_async(make_world)()
    communicator, snapshot = await ws_connect(world.traveler, f"/ws/requests/{world.request_id}/")
    client = LiveClient(world.traveler.pk, snapshot)
    down = LayerDown(monkeypatch)
    message = await database_sync_to_async(message_post)(state_id=world.state.pk, actor=world.expert, body="Hello")
    assert down.calls == 1
    assert await database_sync_to_async(OutboxMessage.objects.filter(event__version=2, delivered_at=None).count)() > 0
    assert await drain(communicator) == []  # committed, not delivered
    down.recover()

    def relay_all():
        _make_due(OutboxMessage.objects.filter(delivered_at__isnull=True))
        return relay_undelivered()
    assert await database_sync_to_async(relay_all)() > 0
    # a crash after publishing but before marking delivered: the relay sends it again
    def republish():
        OutboxMessage.objects.filter(event__version=2).update(delivered_at=None)
        return publish_event(OutboxMessage.objects.filter(event__version=2).first().event_id)
    assert await database_sync_to_async(republish)() > 0
    received = await drain(communicator)
    assert [m["version"] for m in received] == [2]  # the consumer drops the re-sent copy
    assert [client.receive(m) for m in received + received] == [True, False]  # and so would the client
    assert client.snapshot["threads"][0]["last"]["id"] == message.pk and client.snapshot["version"] == 2
    await communicator.disconnect()
