"""WebSocket feeds through the real ASGI stack (origin check, session auth, URL router),
on the in-memory layer and on Redis: who may connect, and who hears what."""
import pytest
from channels.db import database_sync_to_async

from apps.coordination import engine
from apps.coordination.services.chat import message_post
from tests.factories import phase_repair
from tests.factories.bookings import make_vendor_booking
from tests.factories.worlds import make_world
from tests.live.support import channel_layer, drain, ws_connect  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

world_db = database_sync_to_async(make_world)


async def _open(users_paths):
    return [await ws_connect(user, path) for user, path in users_paths]


async def _close(communicators):
    for communicator, _ in communicators:
        await communicator.disconnect()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "other_expert", "vendor_without_booking"])
async def test_refused_users_get_a_clear_close_code(channel_layer, who):
    world = await world_db()
    from tests.factories import make_user

    users = {"anonymous": None, "outsider": world.outsider, "other_expert": world.other_expert,
             "vendor_without_booking": await database_sync_to_async(make_user)("vendor")}
    communicator, first = await ws_connect(users[who], f"/ws/requests/{world.request_id}/")
    assert first == {"type": "closed", "code": 4401 if who == "anonymous" else 4404}
    await communicator.disconnect()


async def test_unknown_request_reads_as_not_found_and_vendor_login_without_vendor_has_no_feed(channel_layer):
    world = await world_db()
    _, first = await ws_connect(world.traveler, "/ws/requests/999999/")
    assert first == {"type": "closed", "code": 4404}
    from tests.factories import make_user

    lonely_vendor = await database_sync_to_async(make_user)("vendor")
    _, first = await ws_connect(lonely_vendor, "/ws/me/")
    assert first == {"type": "closed", "code": 4403}
    _, first = await ws_connect(None, "/ws/me/")
    assert first == {"type": "closed", "code": 4401}


async def test_foreign_origin_is_rejected(channel_layer):
    world = await world_db()
    _, first = await ws_connect(world.traveler, f"/ws/requests/{world.request_id}/", origin=b"http://evil.example")
    assert first == {"type": "rejected"}


async def test_snapshot_is_scoped_to_the_user(channel_layer):
    world = await world_db()
    path = f"/ws/requests/{world.request_id}/"
    opened = await _open([(world.traveler, path), (world.vendor_a, path)])
    (_, traveler_snap), (_, vendor_snap) = opened
    assert traveler_snap["type"] == "snapshot" and traveler_snap["complete"] is True
    assert (traveler_snap["state"], traveler_snap["version"], traveler_snap["phase"]) == (world.state.pk, 1, "booking")
    assert {b["id"] for b in traveler_snap["bookings"]} == {world.booking_a.pk, world.booking_b.pk}
    assert vendor_snap["complete"] is False and "phase" not in vendor_snap and "expert" not in vendor_snap
    assert [b["id"] for b in vendor_snap["bookings"]] == [world.booking_a.pk]
    await _close(opened)


async def test_each_stakeholder_hears_exactly_what_it_may_see(channel_layer):
    world = await world_db()
    path = f"/ws/requests/{world.request_id}/"
    opened = await _open([(world.traveler, path), (world.expert, path), (world.staff, path), (world.vendor_a, path),
                          (world.vendor_b, path), (world.traveler, "/ws/me/"), (world.vendor_a, "/ws/me/"),
                          (world.staff, "/ws/me/")])
    # 1. a phase change: the whole-request audience only
    await database_sync_to_async(phase_repair)(state_id=world.state.pk, actor=world.staff, phase="planning",
                                                   reason="re-plan")
    # 2. a vendor-limited event (as booking commands record it)
    def vendor_event():
        with engine.command(world.state.pk, actor=world.staff) as cmd:
            cmd.record("booking.noted", {"booking": {"id": world.booking_a.pk}, "traveler_note": "private"},
                       vendors={world.booking_a.vendor_id: {"booking": {"id": world.booking_a.pk}}})
    await database_sync_to_async(vendor_event)()
    # 3. chat in vendor B's booking thread
    await database_sync_to_async(message_post)(state_id=world.state.pk, actor=world.traveler, body="Gate 3?",
                                               booking_id=world.booking_b.pk)
    received = [await drain(communicator) for communicator, _ in opened]
    seen = [[(m["event"], m["version"], m["data"]) for m in messages] for messages in received]
    traveler_req, expert_req, staff_req, vendor_a_req, vendor_b_req, traveler_me, vendor_a_me, staff_me = seen
    full = [e[:2] for e in traveler_req]
    assert full == [("state.repaired", 2), ("booking.noted", 3), ("message.posted", 4)]
    for stream in (expert_req, staff_req, traveler_me, staff_me):
        assert [e[:2] for e in stream] == full
    assert traveler_req[1][2]["traveler_note"] == "private"
    assert vendor_a_req == vendor_a_me == [("booking.noted", 3, {"booking": {"id": world.booking_a.pk}})]
    assert [(e, v) for e, v, _ in vendor_b_req] == [("message.posted", 4)]
    assert vendor_b_req[0][2]["message"]["body"] == "Gate 3?"
    assert all(m["type"] == "event" and m["state"] == world.state.pk for messages in received for m in messages)
    await _close(opened)


async def test_vendor_request_feed_ignores_its_other_requests(channel_layer):
    world = await world_db()
    other = await database_sync_to_async(make_world)()
    communicator, _ = await ws_connect(world.vendor_a, f"/ws/requests/{world.request_id}/")

    def booking_thread_elsewhere():
        # vendor A also sells on another request: a booking there, and chat about it
        booking = make_vendor_booking(other.state, world.vendor_a)
        message_post(state_id=other.state.pk, actor=other.traveler, body="elsewhere", booking_id=booking.pk)
    await database_sync_to_async(booking_thread_elsewhere)()
    assert await drain(communicator) == []
    await communicator.disconnect()


async def test_resync_sends_a_fresh_snapshot(channel_layer):
    world = await world_db()
    communicator, snapshot = await ws_connect(world.expert, f"/ws/requests/{world.request_id}/")
    await database_sync_to_async(message_post)(state_id=world.state.pk, actor=world.traveler, body="hi")
    assert [m["version"] for m in await drain(communicator)] == [snapshot["version"] + 1]
    await communicator.send_json_to({"type": "resync"})
    fresh = await communicator.receive_json_from(timeout=5)
    assert fresh["type"] == "snapshot" and fresh["version"] == snapshot["version"] + 1
    assert fresh["threads"][0]["unread"] == 1 and fresh["threads"][0]["last"]["body"] == "hi"
    await communicator.disconnect()
