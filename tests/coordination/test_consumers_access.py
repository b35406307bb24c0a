"""Request feeds follow access changes while open, and reconnecting clients catch up with
``?since=`` instead of a snapshot (apps/coordination/consumers.py, snapshot.py)."""
import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from apps.coordination.models import CoordinationState
from apps.coordination.services import bookings
from apps.coordination.services.chat import message_post
from apps.coordination.services.experts import expert_decline
from apps.coordination.services.lifecycle import request_cancel
from tests.factories import phase_repair
from tests.factories.bookings import make_vendor_booking
from tests.factories.worlds import make_world
from tests.live.support import channel_layer, drain, ws_connect  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

world_db = database_sync_to_async(make_world)
run = database_sync_to_async


def _events(messages):
    return [(m["event"], m["version"]) for m in messages if m["type"] == "event"]


def _closed(messages):
    return [m["code"] for m in messages if m["type"] == "closed"]


async def test_replaced_expert_is_closed_and_never_hears_the_rematch(channel_layer):
    world = await world_db()
    await run(CoordinationState.objects.filter(pk=world.state.pk).update)(phase="planning")
    path = f"/ws/requests/{world.request_id}/"
    expert, _ = await ws_connect(world.expert, path)
    traveler, _ = await ws_connect(world.traveler, path)
    await run(expert_decline)(state_id=world.state.pk, actor=world.expert, reason="too busy")
    assert await drain(expert) == [{"type": "closed", "code": 4404}]
    assert _events(await drain(traveler)) == [("expert.declined", 2)]
    # Later events reach the traveler only; the expert's socket left the group.
    await run(message_post)(state_id=world.state.pk, actor=world.traveler, body="anyone?")
    assert _events(await drain(traveler)) == [("message.posted", 3)]
    _, again = await ws_connect(world.expert, path)
    assert again == {"type": "closed", "code": 4404}
    await traveler.disconnect()


@pytest.mark.parametrize("falls_through", ["declined", "cancelled"])
async def test_vendor_whose_last_booking_falls_through_is_closed(channel_layer, falls_through):
    world = await world_db()
    path = f"/ws/requests/{world.request_id}/"
    vendor_a, _ = await ws_connect(world.vendor_a, path)
    vendor_b, _ = await ws_connect(world.vendor_b, path)
    if falls_through == "declined":
        await run(bookings.booking_decline)(booking_id=world.booking_b.pk, actor=world.vendor_b, reason="full")
    else:
        await run(bookings.booking_cancel)(booking_id=world.booking_b.pk, actor=world.traveler)
    assert await drain(vendor_b) == [{"type": "closed", "code": 4404}]
    assert await drain(vendor_a) == []  # another vendor's booking: not its business
    _, again = await ws_connect(world.vendor_b, path)
    assert again == {"type": "closed", "code": 4404}
    await vendor_a.disconnect()


async def test_vendor_with_another_live_booking_keeps_its_feed(channel_layer):
    world = await world_db()
    second = await run(make_vendor_booking)(world.state, world.vendor_b)
    communicator, _ = await ws_connect(world.vendor_b, f"/ws/requests/{world.request_id}/")
    await run(bookings.booking_decline)(booking_id=world.booking_b.pk, actor=world.vendor_b, reason="full")
    received = await drain(communicator)
    assert _events(received) == [("booking.declined", 2)] and not _closed(received)
    assert received[0]["data"] == {"booking": received[0]["data"]["booking"]}
    assert received[0]["data"]["booking"]["id"] == world.booking_b.pk != second.pk
    await communicator.disconnect()


async def test_cancelled_request_stays_with_traveler_and_expert_but_not_with_vendors(channel_layer):
    world = await world_db()
    path = f"/ws/requests/{world.request_id}/"
    traveler, _ = await ws_connect(world.traveler, path)
    expert, _ = await ws_connect(world.expert, path)
    vendors = [(await ws_connect(user, path))[0] for user in (world.vendor_a, world.vendor_b)]
    await run(request_cancel)(state_id=world.state.pk, actor=world.traveler, reason="plans changed")
    # Each booking is cancelled first (its vendor hears of it: the access check closes the
    # feed instead), then the request.
    for communicator in (traveler, expert):
        assert _events(await drain(communicator)) == [("booking.cancelled", 2), ("booking.cancelled", 3),
                                                      ("request.cancelled", 4)]
        await communicator.disconnect()
    for communicator in vendors:
        assert await drain(communicator) == [{"type": "closed", "code": 4404}]
    _, again = await ws_connect(world.vendor_a, path)
    assert again == {"type": "closed", "code": 4404}


async def test_a_version_gap_rechecks_access_before_forwarding(channel_layer):
    """The access-changing event was lost on the way (the layer drops messages): the next
    event arrives after a gap, access is checked again and nothing is forwarded."""
    world = await world_db()
    communicator, snapshot = await ws_connect(world.expert, f"/ws/requests/{world.request_id}/")
    # Set-up: the expert was dropped by a command whose message never arrived.
    await run(CoordinationState.objects.filter(pk=world.state.pk).update)(expert=None, version=2)
    leaked = {"type": "coordination.event", "state": world.state.pk, "request": world.request_id, "version": 3,
              "event": "message.posted", "phase": "booking", "data": {"secret": "traveler only"}, "at": "now"}
    await get_channel_layer().group_send(f"request.{world.request_id}", leaked)
    assert await drain(communicator) == [{"type": "closed", "code": 4404}]
    assert snapshot["version"] == 1


async def test_reconnect_with_since_replays_the_missed_events_of_its_scope(channel_layer):
    world = await world_db()
    path = f"/ws/requests/{world.request_id}/"
    await run(message_post)(state_id=world.state.pk, actor=world.traveler, body="main thread")     # v2
    await run(bookings.booking_confirm)(booking_id=world.booking_a.pk, actor=world.vendor_a)      # v3
    await run(message_post)(state_id=world.state.pk, actor=world.traveler, body="to B",
                            booking_id=world.booking_b.pk)                                       # v4
    await run(phase_repair)(state_id=world.state.pk, actor=world.staff, phase="planning", reason="re-plan")
    traveler, first = await ws_connect(world.traveler, f"{path}?since=1")
    replay = [first, *await drain(traveler)]
    assert _events(replay) == [("message.posted", 2), ("booking.confirmed", 3), ("message.posted", 4),
                               ("state.repaired", 5)]
    # Each with the phase at its version, as it was published.
    assert [m["phase"] for m in replay[:4]] == ["booking", "booking", "booking", "planning"]
    assert replay[-1] == {"type": "caught_up", "state": world.state.pk, "version": 5}
    vendor_a, first = await ws_connect(world.vendor_a, f"{path}?since=1")
    replay = [first, *await drain(vendor_a)]
    assert _events(replay) == [("booking.confirmed", 3)] and set(replay[0]["data"]) == {"booking"}
    assert replay[-1] == {"type": "caught_up", "state": world.state.pk, "version": 3}
    vendor_b, first = await ws_connect(world.vendor_b, f"{path}?since=1")
    replay = [first, *await drain(vendor_b)]
    assert _events(replay) == [("message.posted", 4)] and replay[0]["data"]["message"]["body"] == "to B"
    # Live events follow the replay without duplicates.
    await run(message_post)(state_id=world.state.pk, actor=world.expert, body="live")
    assert _events(await drain(traveler)) == [("message.posted", 6)]
    for communicator in (traveler, vendor_a, vendor_b):
        await communicator.disconnect()


@pytest.mark.parametrize("since", ["0", "1", "2", "9", "-1", "x"])
async def test_since_outside_the_window_gets_a_snapshot(channel_layer, settings, since):
    """Window of 2 events; the state is at version 3: ``since`` 1 and 2 replay, 0 (3
    missed), one ahead of the state or garbage → snapshot."""
    settings.TRAVELOURE = {**settings.TRAVELOURE, "LIVE_CATCH_UP_EVENTS": 2}
    world = await world_db()
    for body in ("one", "two"):
        await run(message_post)(state_id=world.state.pk, actor=world.traveler, body=body)
    communicator, first = await ws_connect(world.expert, f"/ws/requests/{world.request_id}/?since={since}")
    messages = [first, *await drain(communicator)]
    if since in ("1", "2"):
        assert [m["version"] for m in messages] == list(range(int(since) + 1, 4)) + [3]
        assert messages[-1]["type"] == "caught_up"
    else:
        assert [(m["type"], m["version"]) for m in messages] == [("snapshot", 3)]
    await communicator.disconnect()
