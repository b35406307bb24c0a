"""insights plugs into coordination through :mod:`apps.coordination.hooks` (registered in
``InsightsConfig.ready``): an update per committed event, in the event's one follow-up
task, and the learned signals the planner reads."""
from decimal import Decimal

import pytest

from apps.coordination import hooks
from apps.coordination.engine import FOLLOW_UP_TASK
from apps.coordination.flow_tasks import follow_up_event
from apps.coordination.models import Event
from apps.coordination.phases import Phase
from apps.insights.metrics import vendors_refresh
from apps.vendors.models import VendorMetrics
from tests.factories import make_request, make_vendor, phase_repair

pytestmark = pytest.mark.django_db


def test_a_command_queues_one_follow_up_task_that_updates_insights(staff, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kwargs: queued.append((func, args)))
    vendor = make_vendor()
    state = make_request()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        phase_repair(state_id=state.pk, actor=staff, phase=Phase.PLANNING, reason="go")
    assert len(callbacks) == 1 and queued == []
    callbacks[0]()
    event = Event.objects.get(state=state, version=2)
    assert queued == [(FOLLOW_UP_TASK, (event.pk, None))]  # notifications, insights and guard: one task
    calls = []
    monkeypatch.setattr("apps.insights.tasks.vendors_refresh", lambda ids: calls.append(set(ids)) or len(ids))
    Event.objects.filter(pk=event.pk).update(payload={"vendor": vendor.pk})
    follow_up_event(*queued[0][1])
    assert calls == [{vendor.pk}]


def test_the_planner_reads_the_signals_insights_provides():
    vendor = make_vendor(lat=35.68, lon=139.76)
    VendorMetrics.objects.create(vendor=vendor, bookings=1, reliability=Decimal("0.5"))
    request = make_request().request
    assert hooks.planner_signals(request)["reliability"] == {vendor.pk: 0.5}
    vendors_refresh([vendor.pk])  # no bookings, no reviews: the row goes
    assert hooks.planner_signals(request)["reliability"] == {}
