"""Event-stream property (as Zulip's test_events): for any sequence of commands, every
observer that applies the events it receives to the snapshot it started from (with the
client rules of live.js, mirrored by ``LiveClient``) ends with exactly the snapshot a fresh
fetch returns — whether it stayed connected or reconnected with ``?since=`` after missing
some commands — or, if it lost access to the request, was closed with 4404 and a fresh
fetch refuses it too. Add new event types by adding a command to ``COMMANDS``."""
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.coordination.phases import PHASE_TRANSITIONS
from apps.coordination.services import bookings
from apps.coordination.services.chat import message_post
from apps.coordination.services.lifecycle import request_cancel, state_transition, trip_complete, trip_start
from apps.coordination.snapshot import live_access, me_snapshot, request_snapshot
from apps.core.errors import DomainError
from tests.factories import make_request, make_slot
from tests.factories.worlds import make_world
from tests.live.support import LiveClient, drain, ws_connect


def _repair(w):
    targets = sorted(PHASE_TRANSITIONS[w.state.__class__.objects.get(pk=w.state.pk).phase])
    if targets:
        state_transition(state_id=w.state.pk, actor=w.staff, phase=targets[0], reason="property test")


def _book_again(w):
    slot = make_slot(w.booking_a.offering)
    bookings.booking_request(state_id=w.state.pk, actor=w.traveler, slot_id=slot.pk, quantity=1)


# name → command on the world; a DomainError (refused in this phase) emits nothing.
COMMANDS = {
    "request.submitted": lambda w: make_request(w.traveler),
    "state.repaired": _repair,
    "trip.started": lambda w: trip_start(state_id=w.state.pk, actor=w.staff),
    "trip.completed": lambda w: trip_complete(state_id=w.state.pk, actor=w.staff),
    "request.cancelled": lambda w: request_cancel(state_id=w.state.pk, actor=w.traveler),
    "message.posted": lambda w: message_post(state_id=w.state.pk, actor=w.traveler, body="main thread"),
    "message.posted/expert": lambda w: message_post(state_id=w.state.pk, actor=w.expert, body="from the expert"),
    "message.posted/vendor": lambda w: message_post(state_id=w.state.pk, actor=w.vendor_a, body="vendor A here",
                                                    booking_id=w.booking_a.pk),
    "booking.requested": _book_again,
    "booking.confirmed": lambda w: bookings.booking_confirm(booking_id=w.booking_a.pk, actor=w.vendor_a),
    "booking.declined": lambda w: bookings.booking_decline(booking_id=w.booking_b.pk, actor=w.vendor_b,
                                                           reason="full"),
}


def _run(world, names):
    for name in names:
        try:
            COMMANDS[name](world)
        except DomainError:
            pass


def _fresh(user, world, path):
    if path == "/ws/me/":
        return me_snapshot(user)
    access = live_access(user, world.request_id)
    return None if access is None else request_snapshot(user, access)


def _receive(client: LiveClient, messages: list[dict]) -> None:
    for message in messages:
        client.receive(message)


async def _scenario(live: list[str], missed: list[str]):
    """Every observer follows ``live``; then the request feeds disconnect, ``missed`` runs,
    and they reconnect where live.js would (``?since=``): the server must replay what they
    missed (not a snapshot)."""
    world = await database_sync_to_async(make_world)()
    path = f"/ws/requests/{world.request_id}/"
    observers = [(u, path) for u in (world.traveler, world.expert, world.staff, world.vendor_a, world.vendor_b)]
    observers += [(world.traveler, "/ws/me/"), (world.expert, "/ws/me/")]
    clients = []
    for user, where in observers:
        communicator, snapshot = await ws_connect(user, where)
        clients.append([user, where, communicator, LiveClient(user.pk, snapshot)])
    await database_sync_to_async(_run)(world, live)
    for entry in clients:
        user, where, communicator, client = entry
        _receive(client, await drain(communicator, timeout=0.15))
        if where == path:
            await communicator.disconnect()
    await database_sync_to_async(_run)(world, missed)
    for entry in clients:
        user, where, communicator, client = entry
        if where == path and client.closed is None:
            communicator, first = await ws_connect(user, client.url(where))
            entry[2] = communicator
            assert first["type"] != "snapshot", (user.role, "expected a replay of the missed events")
            _receive(client, [first])
        if client.closed is None:
            _receive(client, await drain(communicator, timeout=0.15))
            await communicator.disconnect()
        fresh = await database_sync_to_async(_fresh)(user, world, where)
        if client.closed is not None:
            assert (client.closed, fresh) == (4404, None), (where, user.role, live, missed)
            continue
        assert not client.needs_resync, (where, user.role)
        assert client.snapshot == fresh, (where, user.role, live, missed)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(live=st.lists(st.sampled_from(sorted(COMMANDS)), max_size=3),
       missed=st.lists(st.sampled_from(sorted(COMMANDS)), max_size=3))
def test_applying_events_to_a_snapshot_gives_the_fresh_snapshot(live, missed):
    assume(live or missed)
    async_to_sync(_scenario)(live, missed)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("connected", [True, False], ids=["live", "missed"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_event_type_alone(name, connected):
    async_to_sync(_scenario)([name] if connected else [], [] if connected else [name])
