"""The request clock (``apps.coordination.clock``) that views cached per request are keyed by."""
import pytest
from django.core.cache import cache

from apps.coordination.clock import request_changed, request_clock
from apps.coordination.phases import Phase
from tests.factories import make_request, phase_repair

pytestmark = pytest.mark.django_db


def test_a_command_ticks_its_requests_clock_inside_the_transaction_and_after_the_commit(
        django_capture_on_commit_callbacks):
    state, other = make_request(), make_request()
    before, untouched = request_clock(state.request_id), request_clock(other.request_id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        phase_repair(state_id=state.pk, actor=None, phase=Phase.PLANNING)
    inside = request_clock(state.request_id)
    for callback in callbacks:
        callback()
    assert before < inside < request_clock(state.request_id)
    assert request_clock(other.request_id) == untouched


def test_a_lost_clock_starts_again_past_every_value_it_had():
    state = make_request()
    seen = request_clock(state.request_id)
    request_changed(state.request_id)
    cache.delete(f"request-clock:{state.request_id}")  # evicted
    assert request_clock(state.request_id) > seen + 1
    cache.delete(f"request-clock:{state.request_id}")
    request_changed(state.request_id)  # a tick on a lost clock starts it too
    assert request_clock(state.request_id) > seen + 1
