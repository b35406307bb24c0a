"""Requests that need staff (the admin's "Stuck requests" list): an expert who did not
answer in the promised time, a vendor who let a pending booking pass its deadline, a task
of the request that failed (django-q2 ``Failure``). The admin's actions call the same
commands as the portals and tasks."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.models import Failure

from .models import Booking, CoordinationState
from .phases import BookingStatus, Phase
from .services.bookings import CONFIRM_TASK, REPLAN_TASK
from .services.experts import expert_answer_status

BOOKING_TASKS = (CONFIRM_TASK, REPLAN_TASK)  # first argument: a booking id
STATE_TASKS = ("apps.coordination.flow_tasks.match_or_fallback",)  # first argument: a state id
FAILURE_WINDOW = dt.timedelta(days=7)


def stuck_reasons(now: dt.datetime | None = None) -> dict[int, list[str]]:
    """Why each stuck request is stuck: ``{state id: [sentence, …]}``."""
    now = now or timezone.now()
    reasons: dict[int, list[str]] = defaultdict(list)
    waiting = (CoordinationState.objects.filter(phase=Phase.MATCHING, expert__isnull=False,
                                                expert_accepted_at__isnull=True).select_related("expert__user"))
    for state in waiting:
        if expert_answer_status(state, now) is not None:
            reasons[state.pk].append(_("%(expert)s has not answered within %(hours)s hours")
                                     % {"expert": state.expert, "hours": state.expert.response_time_hours})
    for booking in Booking.objects.filter(status=BookingStatus.PENDING, deadline__lte=now).select_related("offering"):
        reasons[booking.state_id].append(_("%(offering)s: the vendor has not answered by the deadline")
                                         % {"offering": booking.offering.title})
    failures = Failure.objects.filter(stopped__gte=now - FAILURE_WINDOW, func__in=(*BOOKING_TASKS, *STATE_TASKS))
    booking_states = {}
    for failure in failures.order_by("-stopped")[:200]:
        first = (failure.args or (None,))[0]
        if failure.func in BOOKING_TASKS:
            state_id = booking_states.get(first) or Booking.objects.filter(pk=first).values_list(
                "state_id", flat=True).first()
            booking_states[first] = state_id
        else:
            state_id = first
        if isinstance(state_id, int):
            reasons[state_id].append(_("A task failed: %(task)s") % {"task": failure.func.rsplit(".", 1)[-1]})
    return dict(reasons)
