"""The clocks (``apps.coordination.clock``) that views cached per request or per user are keyed by."""
import pytest
from django.core.cache import cache

from apps.coordination.clock import request_clock, tick, user_clock
from apps.coordination.phases import Phase
from tests.factories import make_request, make_user, phase_repair

pytestmark = pytest.mark.django_db


def test_a_command_ticks_its_requests_and_its_peoples_clocks_inside_the_transaction_and_after_the_commit(
        django_capture_on_commit_callbacks):
    state, other = make_request(), make_request()
    traveler, bystander = state.request.traveler_id, make_user().pk
    clocks = [lambda: request_clock(state.request_id), lambda: user_clock(traveler)]
    untouched = [lambda: request_clock(other.request_id), lambda: user_clock(bystander)]
    before, still = [c() for c in clocks], [c() for c in untouched]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        phase_repair(state_id=state.pk, actor=None, phase=Phase.PLANNING)
    inside = [c() for c in clocks]
    for callback in callbacks:
        callback()
    after = [c() for c in clocks]
    assert all(b < i < a for b, i, a in zip(before, inside, after))
    assert [c() for c in untouched] == still


def test_a_lost_clock_starts_again_past_every_value_it_had():
    state = make_request()
    seen = request_clock(state.request_id)
    tick(request_id=state.request_id)
    cache.delete(f"request-clock:{state.request_id}")  # evicted
    assert request_clock(state.request_id) > seen + 1
    cache.delete(f"request-clock:{state.request_id}")
    tick(request_id=state.request_id)  # a tick on a lost clock starts it too
    assert request_clock(state.request_id) > seen + 1
