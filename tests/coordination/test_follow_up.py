"""One follow-up task per engine event runs what the event sets off: notifications, the
apps subscribed in :mod:`apps.coordination.hooks`, the trip guard. A failing step does not
stop the others, and running the task again changes nothing more."""
import pytest

from apps.coordination import flow_tasks, hooks
from apps.coordination.models import Event, Notification
from apps.coordination.services.bookings import booking_request
from tests.factories import make_booking_state, make_expert, make_slot

pytestmark = pytest.mark.django_db


def _booking_event():
    state = make_booking_state(expert=make_expert())
    booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=make_slot().pk, quantity=1)
    return state, Event.objects.get(state=state, type="booking.requested")


def test_a_failing_step_does_not_stop_the_others_and_fails_the_task(monkeypatch):
    state, event = _booking_event()
    ran = []
    monkeypatch.setattr(flow_tasks, "notify_event", lambda event_id: 1 / 0)
    monkeypatch.setattr(hooks, "_event_subscribers", [lambda event_id: ran.append(("hook", event_id))])
    monkeypatch.setattr(flow_tasks, "checks_refresh", lambda *, state_id: ran.append(("guard", state_id)))
    with pytest.raises(ZeroDivisionError):
        flow_tasks.follow_up_event(event.pk, state.pk)
    assert ran == [("hook", event.pk), ("guard", state.pk)]


def test_the_follow_up_notifies_once_and_runs_the_guard_only_when_asked(monkeypatch):
    state, event = _booking_event()
    guarded = []
    monkeypatch.setattr(flow_tasks, "checks_refresh", lambda *, state_id: guarded.append(state_id) or False)
    assert flow_tasks.follow_up_event(event.pk)["notified"] == 2  # the expert and the vendor; the traveler acted
    assert guarded == []
    notified = Notification.objects.filter(event=event).count()
    assert flow_tasks.follow_up_event(event.pk, state.pk) == {"notified": 2, "hooks": None, "guard_changed": False}
    assert Notification.objects.filter(event=event).count() == notified > 0 and guarded == [state.pk]
