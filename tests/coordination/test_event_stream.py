"""Event-stream property (as Zulip's test_events): for any sequence of commands, every
observer that applies the events it receives to the snapshot it started from (with the
client rules of live.js, mirrored by ``LiveClient``) ends with exactly the snapshot a fresh
fetch returns. Add new event types by adding a command to ``COMMANDS``."""
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.coordination.phases import PHASE_TRANSITIONS
from apps.coordination.services import bookings
from apps.coordination.services.chat import message_post
from apps.coordination.services.lifecycle import request_cancel, state_transition, trip_complete, trip_start
from apps.coordination.snapshot import live_access, me_snapshot, request_snapshot
from apps.core.errors import DomainError
from tests.factories import make_request, make_slot
from tests.live.support import LiveClient, drain, make_world, ws_connect


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
    return request_snapshot(user, live_access(user, world.request_id))


async def _scenario(names):
    world = await database_sync_to_async(make_world)()
    path = f"/ws/requests/{world.request_id}/"
    observers = [(u, path) for u in (world.traveler, world.expert, world.staff, world.vendor_a, world.vendor_b)]
    observers += [(world.traveler, "/ws/me/"), (world.expert, "/ws/me/")]
    clients = []
    for user, where in observers:
        communicator, snapshot = await ws_connect(user, where)
        clients.append((user, where, communicator, LiveClient(user.pk, snapshot)))
    await database_sync_to_async(_run)(world, names)
    for user, where, communicator, client in clients:
        for message in await drain(communicator, timeout=0.15):
            client.receive(message)
        await communicator.disconnect()
        assert not client.needs_resync, (where, user.role)
        assert client.snapshot == await database_sync_to_async(_fresh)(user, world, where), (where, user.role, names)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(sorted(COMMANDS)), min_size=1, max_size=4))
def test_applying_events_to_a_snapshot_gives_the_fresh_snapshot(names):
    async_to_sync(_scenario)(names)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_event_type_alone(name):
    async_to_sync(_scenario)([name])
