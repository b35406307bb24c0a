"""The request's own phase commands: who may cancel, and that each is idempotent."""
import pytest

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState, Event
from apps.coordination.phases import Phase
from apps.coordination.services.experts import expert_accept, expert_choose
from apps.coordination.services.lifecycle import request_cancel, trip_complete, trip_start
from apps.core.errors import Forbidden, NotFound
from tests.factories import make_expert, make_request, make_user, phase_repair

pytestmark = pytest.mark.django_db


def _with_expert():
    state = make_request()
    expert = make_expert()
    expert_choose(state_id=state.pk, actor=state.request.traveler, expert_id=expert.pk)
    expert_accept(state_id=state.pk, actor=expert.user)
    return state, expert


def test_only_the_traveler_or_staff_cancel_a_request_and_nothing_is_written_for_the_others(staff):
    state, expert = _with_expert()
    version = CoordinationState.objects.get(pk=state.pk).version
    with pytest.raises(Forbidden):
        request_cancel(state_id=state.pk, actor=expert.user)
    with pytest.raises(NotFound):
        request_cancel(state_id=state.pk, actor=make_user(Role.TRAVELER))
    with pytest.raises(NotFound):
        request_cancel(state_id=state.pk, actor=make_user(Role.VENDOR))
    assert CoordinationState.objects.get(pk=state.pk).version == version

    cancelled = request_cancel(state_id=state.pk, actor=state.request.traveler, reason="plans changed")
    assert cancelled.phase == Phase.CANCELLED
    expert.refresh_from_db()
    assert expert.capacity_current == 0
    assert request_cancel(state_id=state.pk, actor=staff).version == cancelled.version  # already cancelled


def test_trip_start_and_complete_move_once_and_release_the_expert_at_the_end(staff):
    state, expert = _with_expert()
    phase_repair(state_id=state.pk, actor=staff, phase=Phase.BOOKING)
    phase_repair(state_id=state.pk, actor=staff, phase=Phase.CONFIRMED)
    started = trip_start(state_id=state.pk, actor=None)
    assert started.phase == Phase.IN_PROGRESS
    assert trip_start(state_id=state.pk, actor=None).version == started.version
    expert.refresh_from_db()
    assert expert.capacity_current == 1
    completed = trip_complete(state_id=state.pk, actor=None)
    assert completed.phase == Phase.COMPLETED
    assert trip_complete(state_id=state.pk, actor=None).version == completed.version
    expert.refresh_from_db()
    assert expert.capacity_current == 0
    assert list(Event.objects.filter(state=state, version__gt=started.version - 1).values_list("type", flat=True)
                .order_by("version")) == ["trip.started", "trip.completed"]
