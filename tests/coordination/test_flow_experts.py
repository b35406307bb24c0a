"""Expert path commands: choose, accept (capacity), decline (rematch), consultations,
timeouts (reminder then rematch), the no-expert fallback and queue."""
import datetime as dt

import pytest
from django_q import signing
from django_q.brokers import get_broker

from apps.coordination import flow_tasks
from apps.coordination.models import CoordinationState, Event, OutboxMessage
from apps.coordination.phases import Phase
from apps.coordination.services import browse, experts
from apps.coordination.services.lifecycle import request_cancel, trip_complete
from apps.core.errors import Conflict, DomainError, Forbidden, NotFound
from apps.experts.models import Expert
from tests.factories import make_consultation_slot, make_expert, make_request, make_user

pytestmark = pytest.mark.django_db


def _snapshot(state_id):
    state = CoordinationState.objects.get(pk=state_id)
    return state.phase, state.version, state.expert_id, Event.objects.filter(state_id=state_id).count()


def _accepted(expert=None, traveler=None):
    expert = expert or make_expert()
    traveler = traveler or make_user()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    return CoordinationState.objects.get(pk=state.pk), expert, traveler


def _age_events(state, hours: float):
    """Test setup: pretend everything so far happened ``hours`` ago."""
    for event in Event.objects.filter(state=state):
        Event.objects.filter(pk=event.pk).update(created_at=event.created_at - dt.timedelta(hours=hours))


def _queued_funcs(broker) -> list[str]:
    funcs = []
    while broker.queue_size():
        funcs += [signing.SignedPackage.loads(payload)["func"] for _, payload in broker.dequeue()]
    return funcs


@pytest.mark.parametrize(("path", "queued"), [("expert", ["match_or_fallback"]), ("browse", [])])
def test_intake_queues_the_matching_check_after_commit_on_the_expert_path(path, queued,
                                                                         django_capture_on_commit_callbacks):
    broker = get_broker()
    broker.purge_queue()  # this run's own queue (ORM table, or the isolated Redis db)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_request(path=path)
    assert broker.queue_size() == 0
    for callback in callbacks:
        callback()
    funcs = _queued_funcs(broker)
    # Besides every event's follow-up (notifications, hooks, trip guard), only the matching check.
    assert [f.rsplit(".", 1)[1] for f in funcs if f.startswith("apps.coordination.flow_tasks.")
            and not f.endswith(".follow_up_event")] == queued
    assert "apps.coordination.flow_tasks.follow_up_event" in funcs


def test_choose_tells_the_expert_and_is_idempotent():
    traveler = make_user()
    expert = make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    event = Event.objects.get(state=state, type="expert.chosen")
    assert event.payload["expert"] == expert.pk and event.payload["by"] == "traveler"
    assert OutboxMessage.objects.filter(event=event, group=f"user.{expert.user_id}").exists()
    before = _snapshot(state.pk)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    assert _snapshot(state.pk) == before


def test_choose_refuses_non_matches_other_travelers_and_a_second_expert():
    traveler = make_user()
    state = make_request(traveler)
    expert = make_expert()
    paris = make_expert(destinations=["Paris"], specializations=["history"])
    before = _snapshot(state.pk)
    with pytest.raises(Conflict) as exc:
        experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=paris.pk)
    assert exc.value.code == "expert.not_a_match"
    with pytest.raises(NotFound):
        experts.expert_choose(state_id=state.pk, actor=make_user(), expert_id=expert.pk)
    assert _snapshot(state.pk) == before
    other = make_expert()
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    with pytest.raises(Conflict) as exc:
        experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=other.pk)
    assert exc.value.code == "expert.pending"


def test_accept_takes_capacity_atomically_and_full_expert_is_refused():
    expert = make_expert(capacity_max=1)
    state, _, _ = _accepted(expert)
    assert state.phase == Phase.PLANNING and state.expert_accepted_at is not None
    assert Expert.objects.get(pk=expert.pk).capacity_current == 1
    accepted = Event.objects.get(state=state, type="expert.accepted").payload
    assert accepted["handled_by"] == "expert" and accepted["channel"] == "chat"

    second = make_request()
    Expert.objects.filter(pk=expert.pk).update(capacity_current=0)
    experts.expert_choose(state_id=second.pk, actor=second.request.traveler, expert_id=expert.pk)
    Expert.objects.filter(pk=expert.pk).update(capacity_current=1)  # someone else took the last place meanwhile
    before = _snapshot(second.pk)
    with pytest.raises(Conflict) as exc:
        experts.expert_accept(state_id=second.pk, actor=expert.user)
    assert exc.value.code == "expert.full"
    assert _snapshot(second.pk) == before and Expert.objects.get(pk=expert.pk).capacity_current == 1


def test_only_the_chosen_expert_answers():
    traveler = make_user()
    expert = make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    with pytest.raises(Forbidden):
        experts.expert_accept(state_id=state.pk, actor=traveler)
    with pytest.raises(NotFound):
        experts.expert_accept(state_id=state.pk, actor=make_expert().user)


def test_decline_rematches_without_the_declining_expert_and_keeps_history():
    traveler = make_user()
    first, second = make_expert(), make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=first.pk)
    experts.expert_decline(state_id=state.pk, actor=first.user, reason="Fully booked that week")
    state.refresh_from_db()
    assert (state.phase, state.expert_id, state.queued_for_expert) == (Phase.MATCHING, None, False)
    declined = Event.objects.get(state=state, type="expert.declined").payload
    assert [m["expert"] for m in declined["matches"]] == [second.pk]
    assert [m.expert.pk for m in experts.request_matches(state)] == [second.pk]
    with pytest.raises(Conflict):
        experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=first.pk)
    assert [t for _, t in Event.objects.filter(state=state).values_list("version", "type")] == [
        "request.submitted", "expert.chosen", "expert.declined"]
    # The expert who stepped out hears of it on their own feed, without the request's details.
    row = OutboxMessage.objects.get(event__type="expert.declined", group=f"user.{first.user_id}")
    assert row.payload["event"] == "expert.declined" and row.payload["data"] == {}


def test_stepping_back_after_accepting_releases_capacity_after_commit(django_capture_on_commit_callbacks):
    state, expert, _ = _accepted()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        experts.expert_decline(state_id=state.pk, actor=expert.user)
    state.refresh_from_db()
    assert state.phase == Phase.MATCHING and Expert.objects.get(pk=expert.pk).capacity_current == 0
    assert len(callbacks) == 2  # publish the event, enqueue the queued-request assignment


@pytest.mark.parametrize("end", ["cancel", "complete"])
def test_capacity_released_when_the_request_ends(end, staff):
    state, expert, traveler = _accepted()
    if end == "cancel":
        request_cancel(state_id=state.pk, actor=traveler)
    else:
        CoordinationState.objects.filter(pk=state.pk).update(phase=Phase.IN_PROGRESS)
        trip_complete(state_id=state.pk, actor=staff)
    assert Expert.objects.get(pk=expert.pk).capacity_current == 0


def test_consultation_slot_is_held_by_one_request_only():
    expert = make_expert(capacity_max=3)
    state, _, traveler = _accepted(expert)
    other, _, other_traveler = _accepted(expert)
    slot = make_consultation_slot(expert)
    experts.consultation_book(state_id=state.pk, actor=traveler, slot_id=slot.pk)
    before = _snapshot(state.pk)
    experts.consultation_book(state_id=state.pk, actor=traveler, slot_id=slot.pk)
    assert _snapshot(state.pk) == before
    with pytest.raises(Conflict) as exc:
        experts.consultation_book(state_id=other.pk, actor=other_traveler, slot_id=slot.pk)
    assert exc.value.code == "consultation.taken"
    slot.refresh_from_db()
    assert slot.request_id == state.request_id


def test_consultation_needs_an_accepted_expert_and_their_own_slot():
    state = make_request()
    expert = make_expert()
    slot = make_consultation_slot(expert)
    with pytest.raises(Conflict):
        experts.consultation_book(state_id=state.pk, actor=state.request.traveler, slot_id=slot.pk)
    accepted, _, traveler = _accepted()
    with pytest.raises(Conflict):
        experts.consultation_book(state_id=accepted.pk, actor=traveler, slot_id=slot.pk)


def test_silent_expert_is_reminded_then_replaced():
    traveler = make_user()
    slow = make_expert(response_time_hours=4)
    backup = make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=slow.pk)
    assert flow_tasks.expert_response_overdue() == {"reminded": 0, "rematched": 0}
    _age_events(state, 5)
    assert flow_tasks.expert_response_overdue() == {"reminded": 1, "rematched": 0}
    assert flow_tasks.expert_response_overdue() == {"reminded": 0, "rematched": 0}
    _age_events(state, 5)
    assert flow_tasks.expert_response_overdue() == {"reminded": 0, "rematched": 1}
    state.refresh_from_db()
    assert (state.phase, state.expert_id) == (Phase.MATCHING, None)
    timed_out = Event.objects.get(state=state, type="expert.timed_out").payload
    assert timed_out["expert"] == slow.pk and [m["expert"] for m in timed_out["matches"]] == [backup.pk]
    assert [t for t in Event.objects.filter(state=state).values_list("type", flat=True)] == [
        "request.submitted", "expert.chosen", "expert.reminded", "expert.timed_out"]


def test_no_expert_fallback_queues_plans_offers_browse_then_assigns_when_capacity_frees():
    busy = make_expert(capacity_max=1)
    _, _, first_traveler = holder = _accepted(busy)
    state = make_request()
    assert flow_tasks.match_or_fallback(state.pk) is True
    state.refresh_from_db()
    assert state.queued_for_expert and state.current_itinerary is not None
    assert state.current_itinerary.author_role == "platform"
    assert [t for t in Event.objects.filter(state=state).values_list("type", flat=True)] == [
        "request.submitted", "expert.queued", "itinerary.proposed"]
    assert Event.objects.get(state=state, type="expert.queued").payload["browse_offered"] is True
    assert flow_tasks.match_or_fallback(state.pk) is False  # idempotent
    assert flow_tasks.assign_queued_experts() == 0

    request_cancel(state_id=holder[0].pk, actor=first_traveler)
    assert flow_tasks.assign_queued_experts() == 1
    state.refresh_from_db()
    assert (state.expert_id, state.queued_for_expert, state.phase) == (busy.pk, False, Phase.MATCHING)
    chosen = Event.objects.filter(state=state, type="expert.chosen").get()
    assert chosen.payload["by"] == "platform"
    assert state.current_itinerary.version == 1  # the platform's plan is kept


def test_queued_traveler_can_take_the_browse_path():
    state = make_request()
    flow_tasks.match_or_fallback(state.pk)
    browse.browse_start(state_id=state.pk, actor=state.request.traveler)
    state.refresh_from_db()
    assert (state.phase, state.queued_for_expert) == (Phase.PLANNING, False)
    with pytest.raises(DomainError):
        browse.browse_start(state_id=state.pk, actor=state.request.traveler)


def test_expert_answers_feed_response_time_signal():
    from apps.experts.selectors import expert_signals
    from apps.insights.metrics import experts_refresh

    state, expert, _ = _accepted()
    for event in Event.objects.filter(state=state, type="expert.accepted"):
        Event.objects.filter(pk=event.pk).update(created_at=event.created_at + dt.timedelta(hours=6))
    experts_refresh([expert.pk])  # what the insights task does after the event
    assert expert_signals([expert.pk])[expert.pk].response_hours == pytest.approx(6, abs=0.01)
