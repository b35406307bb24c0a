"""Event-stream property (as Zulip's test_events): for any sequence of commands, every
observer that applies the events it receives to the snapshot it started from (with the
client rules of live.js, mirrored by ``LiveClient``) ends with exactly the snapshot a fresh
fetch returns — whether it stayed connected or reconnected with ``?since=`` after missing
some commands — or, if it lost access to the request, was closed with 4404 and a fresh
fetch refuses it too. Each step runs a command accepted in the current phase and booking
statuses, and tries one that is refused there: the refusal must carry the expected code
and record nothing. Add new event types by adding a command to ``COMMANDS``."""
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.coordination.access import live_access
from apps.coordination.models import Booking, CoordinationState
from apps.coordination.phases import BOOKINGS, OPEN_PHASES, PHASE_TRANSITIONS, BookingStatus, Phase
from apps.coordination.services import bookings
from apps.coordination.services.chat import message_post
from apps.coordination.services.guard import checks_refresh, travel_set
from apps.coordination.services.lifecycle import request_cancel, trip_complete, trip_start
from apps.coordination.snapshot import me_snapshot, request_snapshot
from apps.core.errors import DomainError
from tests.factories import make_request, make_slot, phase_repair
from tests.factories.worlds import make_world
from tests.live.support import LiveClient, drain, ws_connect

WRONG_PHASE, NOT_ALLOWED, BOOKING_NOT_ALLOWED = ("state.wrong_phase", "state.transition_not_allowed",
                                                 "booking.transition_not_allowed")


@dataclass(frozen=True)
class Now:
    """What decides whether a command is accepted: the phase and the two bookings' statuses."""

    phase: str
    a: str
    b: str


def _now(w) -> Now:
    statuses = dict(Booking.objects.filter(pk__in=[w.booking_a.pk, w.booking_b.pk]).values_list("pk", "status"))
    return Now(phase=CoordinationState.objects.get(pk=w.state.pk).phase, a=statuses[w.booking_a.pk],
               b=statuses[w.booking_b.pk])


def _repair(w):
    targets = sorted(PHASE_TRANSITIONS[_now(w).phase]) or [Phase.PLANNING]  # none: the refusal
    phase_repair(state_id=w.state.pk, actor=w.staff, phase=targets[0], reason="property test")


def _book_again(w):
    slot = make_slot(w.booking_a.offering)
    bookings.booking_request(state_id=w.state.pk, actor=w.traveler, slot_id=slot.pk, quantity=1)


def _phase_refusal(target: str):
    """A phase command: accepted in ``target`` (no change) or where the table leads there."""
    return lambda now: None if now.phase == target or target in PHASE_TRANSITIONS[now.phase] else NOT_ALLOWED


def _booking_refusal(status_of, target: str, *, open_phase: bool = False):
    """A vendor's answer: accepted when already ``target`` (no change) or where the booking
    table leads there (and, if ``open_phase``, while the request is open)."""
    def refusal(now):
        status = status_of(now)
        if status == target:
            return None
        if open_phase and now.phase not in OPEN_PHASES:
            return WRONG_PHASE
        return None if BOOKINGS.can(status, target) else BOOKING_NOT_ALLOWED
    return refusal


@dataclass(frozen=True)
class Command:
    run: Callable
    refusal: Callable[[Now], str | None] = lambda now: None  # the error code it is refused with now


# name → command on the world and the code it is refused with (None: accepted).
COMMANDS = {
    "request.submitted": Command(lambda w: make_request(w.traveler)),
    "state.repaired": Command(_repair, lambda now: None if PHASE_TRANSITIONS[now.phase] else NOT_ALLOWED),
    "trip.started": Command(lambda w: trip_start(state_id=w.state.pk, actor=w.staff),
                            _phase_refusal(Phase.IN_PROGRESS)),
    "trip.completed": Command(lambda w: trip_complete(state_id=w.state.pk, actor=w.staff),
                              _phase_refusal(Phase.COMPLETED)),
    "request.cancelled": Command(lambda w: request_cancel(state_id=w.state.pk, actor=w.traveler),
                                 _phase_refusal(Phase.CANCELLED)),
    "message.posted": Command(lambda w: message_post(state_id=w.state.pk, actor=w.traveler, body="main thread")),
    "message.posted/expert": Command(lambda w: message_post(state_id=w.state.pk, actor=w.expert,
                                                            body="from the expert")),
    "message.posted/vendor": Command(lambda w: message_post(state_id=w.state.pk, actor=w.vendor_a,
                                                            body="vendor A here", booking_id=w.booking_a.pk)),
    "booking.requested": Command(_book_again,
                                 lambda now: None if now.phase in bookings.BOOKABLE_PHASES else WRONG_PHASE),
    "booking.confirmed": Command(lambda w: bookings.booking_confirm(booking_id=w.booking_a.pk, actor=w.vendor_a),
                                 _booking_refusal(lambda now: now.a, BookingStatus.CONFIRMED, open_phase=True)),
    "request.travel_changed": Command(lambda w: travel_set(state_id=w.state.pk, actor=w.traveler, legs={
        "arrival": {"at": f"{w.state.request.start_date}T22:05:00+01:00", "mode": "flight", "place": "NRT"}}),
        lambda now: None if now.phase in OPEN_PHASES else WRONG_PHASE),
    "checks.changed": Command(lambda w: checks_refresh(state_id=w.state.pk)),
    "booking.declined": Command(lambda w: bookings.booking_decline(booking_id=w.booking_b.pk, actor=w.vendor_b,
                                                                   reason="full"),
                                _booking_refusal(lambda now: now.b, BookingStatus.DECLINED)),
}


def _attempt(world, name: str) -> None:
    """Run command ``name``: accepted when the model says so, else refused with the
    model's code and nothing recorded."""
    command = COMMANDS[name]
    now = _now(world)
    expected = command.refusal(now)
    if expected is None:
        command.run(world)
        return
    version = CoordinationState.objects.get(pk=world.state.pk).version
    with pytest.raises(DomainError) as refused:
        command.run(world)
    assert refused.value.code == expected, (name, now)
    assert CoordinationState.objects.get(pk=world.state.pk).version == version, (name, now)


def _run(world, steps: list[int | str]) -> None:
    """A name runs that command. A number ``k`` picks by the world's current state: the
    k-th (cyclically) of the commands refused now, which must be refused as expected, then
    the k-th of the commands accepted now."""
    for step in steps:
        if isinstance(step, str):
            _attempt(world, step)
            continue
        now = _now(world)
        refused = [name for name in sorted(COMMANDS) if COMMANDS[name].refusal(now) is not None]
        accepted = [name for name in sorted(COMMANDS) if name not in refused]
        if refused:
            _attempt(world, refused[step % len(refused)])
        _attempt(world, accepted[step % len(accepted)])


def _fresh(user, world, path):
    if path == "/ws/me/":
        return me_snapshot(user)
    access = live_access(user, world.request_id)
    return None if access is None else request_snapshot(user, access)


def _receive(client: LiveClient, messages: list[dict]) -> None:
    for message in messages:
        client.receive(message)


async def _scenario(live: list[int | str], missed: list[int | str]):
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
@given(live=st.lists(st.integers(0, len(COMMANDS)), max_size=3),
       missed=st.lists(st.integers(0, len(COMMANDS)), max_size=3))
def test_applying_events_to_a_snapshot_gives_the_fresh_snapshot(live, missed):
    assume(live or missed)
    async_to_sync(_scenario)(live, missed)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("connected", [True, False], ids=["live", "missed"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_event_type_alone(name, connected):
    async_to_sync(_scenario)([name] if connected else [], [] if connected else [name])
