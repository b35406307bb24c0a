import itertools
import threading

import pytest
from django.db import connection

from apps.accounts.models import Role
from apps.coordination import engine
from apps.coordination.models import CoordinationState, Event, OutboxMessage
from apps.coordination.phases import PHASE_TRANSITIONS, Phase
from apps.coordination.services.lifecycle import request_cancel, trip_complete, trip_start
from apps.core.errors import Conflict, DomainError
from tests.factories import make_expert, make_request, make_user, phase_repair

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(Phase.values, Phase.values))


def _put_in_phase(state, phase):
    """Test setup only: place a state in a phase without going through the engine."""
    CoordinationState.objects.filter(pk=state.pk).update(phase=phase)


def _snapshot(state_id):
    state = CoordinationState.objects.get(pk=state_id)
    return state.phase, state.version, Event.objects.filter(state_id=state_id).count(), OutboxMessage.objects.count()


def test_intake_opens_state_with_one_event():
    state = make_request()
    assert state.phase == Phase.MATCHING and state.version == 1
    events = list(Event.objects.filter(state=state))
    assert [(e.version, e.type) for e in events] == [(1, "request.submitted")]
    assert events[0].actor == state.request.traveler
    assert events[0].payload["destination"] == "Tokyo"


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_phase_transition(current, target, staff):
    state = make_request()
    _put_in_phase(state, current)
    phase, version, events, outbox = _snapshot(state.pk)
    if target in PHASE_TRANSITIONS[current]:
        result = phase_repair(state_id=state.pk, actor=staff, phase=target, reason="test")
        assert result.phase == target
        assert _snapshot(state.pk)[:3] == (target, version + 1, events + 1)
        event = Event.objects.get(state=state, version=version + 1)
        assert (event.type, event.payload["from"], event.payload["to"]) == ("state.repaired", current, target)
    else:
        with pytest.raises(Conflict) as exc:
            phase_repair(state_id=state.pk, actor=staff, phase=target, reason="test")
        assert exc.value.code == "state.transition_not_allowed"
        assert _snapshot(state.pk) == (phase, version, events, outbox)


def test_refused_command_writes_nothing(staff):
    state = make_request()
    before = _snapshot(state.pk)
    with pytest.raises(DomainError):
        with engine.command(state.pk, actor=staff) as cmd:
            cmd.transition(Phase.PLANNING)
            cmd.set(queued_for_expert=True)
            raise DomainError("no", code="test.refused")
    assert _snapshot(state.pk) == before
    assert CoordinationState.objects.get(pk=state.pk).queued_for_expert is False


def test_each_command_bumps_version_by_one_and_appends_one_event(staff):
    state = make_request()
    steps = [
        lambda: phase_repair(state_id=state.pk, actor=staff, phase=Phase.PLANNING, reason="expert found"),
        lambda: phase_repair(state_id=state.pk, actor=staff, phase=Phase.BOOKING, reason="plan approved"),
        lambda: phase_repair(state_id=state.pk, actor=staff, phase=Phase.CONFIRMED, reason="all confirmed"),
        lambda: trip_start(state_id=state.pk, actor=staff),
        lambda: trip_complete(state_id=state.pk, actor=staff),
    ]
    for step in steps:
        _, version, events, _ = _snapshot(state.pk)
        step()
        _, new_version, new_events, _ = _snapshot(state.pk)
        assert (new_version, new_events) == (version + 1, events + 1)
    assert list(Event.objects.filter(state=state).values_list("version", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_idempotent_commands_write_nothing_twice(staff):
    state = make_request()
    request_cancel(state_id=state.pk, actor=staff, reason="changed plans")
    before = _snapshot(state.pk)
    request_cancel(state_id=state.pk, actor=staff, reason="again")
    assert _snapshot(state.pk) == before


def test_cancelled_request_refuses_further_commands(staff):
    state = make_request()
    request_cancel(state_id=state.pk, actor=staff)
    with pytest.raises(Conflict):
        trip_start(state_id=state.pk, actor=staff)


def test_outbox_rows_per_stakeholder(staff):
    state = make_request()
    expert = make_expert()
    CoordinationState.objects.filter(pk=state.pk).update(expert=expert)
    with engine.command(state.pk, actor=staff) as cmd:
        cmd.record("test.happened", {"x": 1}, vendors={})
    groups = set(OutboxMessage.objects.filter(event=cmd.event).values_list("group", flat=True))
    assert groups == {f"request.{state.request_id}", "staff", f"user.{state.request.traveler_id}",
                      f"user.{expert.user_id}"}
    payload = OutboxMessage.objects.filter(event=cmd.event).first().payload
    assert payload["version"] == cmd.event.version and payload["state"] == state.pk and payload["data"] == {"x": 1}


def test_publish_happens_only_after_commit(staff, django_capture_on_commit_callbacks):
    state = make_request()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        trip = phase_repair(state_id=state.pk, actor=staff, phase=Phase.PLANNING, reason="go")
    assert trip.version == 2
    assert not OutboxMessage.objects.filter(event__version=2, delivered_at__isnull=False).exists()
    for callback in callbacks:
        callback()
    assert not OutboxMessage.objects.filter(event__version=2, delivered_at__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_commands_serialize_on_postgres():
    staff = make_user(Role.STAFF)
    state = make_request()
    start_version = state.version
    barrier = threading.Barrier(2)
    errors = []

    def run(target):
        try:
            barrier.wait()
            with engine.command(state.pk, actor=staff) as cmd:
                cmd.record("test.concurrent", {"target": target})
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    state.refresh_from_db()
    assert state.version == start_version + 2
    assert Event.objects.filter(state=state, type="test.concurrent").count() == 2
    assert sorted(Event.objects.filter(state=state).values_list("version", flat=True)) == [1, 2, 3]


def test_cancelling_a_request_cancels_its_bookings_under_each_policy():
    from decimal import Decimal

    from apps.coordination.models import Booking
    from apps.coordination.services.bookings import booking_confirm, booking_request
    from tests.factories import make_booking_state, make_offering, make_slot, make_vendor

    state = make_booking_state()
    traveler = state.request.traveler
    strict = make_vendor(confirmation="manual", cancellation_tiers=[{"hours": 24 * 30, "refund_pct": 100},
                                                                    {"hours": 0, "refund_pct": 25}])
    relaxed = make_vendor(confirmation="manual")
    confirmed_slot = make_slot(make_offering(strict, base_price=Decimal("100.00")), capacity=4)
    pending_slot = make_slot(make_offering(relaxed, base_price=Decimal("40.00")), capacity=4)
    confirmed = booking_request(state_id=state.pk, actor=traveler, slot_id=confirmed_slot.pk, quantity=1)
    booking_confirm(booking_id=confirmed.pk, actor=strict.user, reference="STRICT-1")
    pending = booking_request(state_id=state.pk, actor=traveler, slot_id=pending_slot.pk, quantity=2)

    request_cancel(state_id=state.pk, actor=traveler, reason="plans changed")

    state.refresh_from_db()
    assert state.phase == Phase.CANCELLED
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    # 10 days before the start: the strict vendor refunds 25 %, an unconfirmed hold in full.
    assert (confirmed.status, confirmed.refund_amount) == ("cancelled", Decimal("25.00"))
    assert (pending.status, pending.refund_amount) == ("cancelled", pending.price)
    confirmed_slot.refresh_from_db()
    pending_slot.refresh_from_db()
    assert (confirmed_slot.capacity_available, pending_slot.capacity_available) == (4, 4)
    types = list(Event.objects.filter(state=state).order_by("version").values_list("type", flat=True))
    assert types[-3:] == ["booking.cancelled", "booking.cancelled", "request.cancelled"]
    assert not Booking.objects.filter(state=state, status__in=["requested", "pending", "confirmed"]).exists()
