"""django-q2 tasks of the coordination flow. Each takes ids, re-reads, calls engine
services and is idempotent (running it twice changes nothing more)."""
from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from apps.core.errors import Conflict, DomainError

from . import hooks
from .models import CoordinationState
from .notifications import notify_event
from .phases import OPEN_PHASES, Phase
from .selectors import booking_ids_ended, trips_to_advance
from .services.bookings import booking_complete
from .services.guard import checks_refresh
from .services.experts import (expert_answer_status, expert_assign_queued, expert_queue, expert_remind,
                               expert_timeout, request_matches)
from .services.itinerary import itinerary_generate
from .services.lifecycle import trip_complete, trip_start
from .services.reviews import review_request

log = logging.getLogger(__name__)


def match_or_fallback(state_id: int) -> bool:
    """After intake on the expert path: when no expert fits, queue the request for the next
    free one, offer the browse path and generate the platform's own plan. Returns whether
    the fallback was taken."""
    state = CoordinationState.objects.select_related("request", "expert").get(pk=state_id)
    if state.phase != Phase.MATCHING or state.expert_id or state.queued_for_expert or request_matches(state):
        return False
    expert_queue(state_id=state_id)
    if state.current_itinerary_id is None:
        _platform_plan(state_id)
    return True


def _platform_plan(state_id: int, attempts: int = 3) -> None:
    """The platform's own plan. It is planned before the lock, so a command that got in
    meanwhile refuses it (``state.version_conflict``): plan again on the new state."""
    for attempt in range(1, attempts + 1):
        try:
            itinerary_generate(state_id=state_id, actor=None)
            return
        except Conflict as exc:
            if exc.code != "state.version_conflict" or attempt == attempts:
                raise


def expert_response_overdue() -> dict:
    """Periodic: remind experts past their promised response time, then rematch the ones
    still silent one response time after the reminder."""
    done = {"reminded": 0, "rematched": 0}
    waiting = (CoordinationState.objects.filter(phase=Phase.MATCHING, expert__isnull=False,
                                                expert_accepted_at__isnull=True)
               .select_related("expert"))
    for state in waiting:
        status = expert_answer_status(state)
        if status == "remind":
            expert_remind(state_id=state.pk)
            done["reminded"] += 1
        elif status == "rematch":
            expert_timeout(state_id=state.pk)
            done["rematched"] += 1
    return done


def assign_queued_experts() -> int:
    """Queued requests (oldest first) get the best expert who is free now; returns how many."""
    queued = (CoordinationState.objects.filter(phase=Phase.MATCHING, queued_for_expert=True, expert__isnull=True)
              .order_by("created_at").values_list("pk", flat=True))
    return sum(expert_assign_queued(state_id=state_id) is not None for state_id in queued)


def advance_trips(now: dt.datetime | None = None) -> dict:
    """Periodic: by each destination's local date at ``now``, start confirmed trips on their
    first day; mark confirmed bookings completed once they ended; complete trips after
    their last day and ask their travelers for reviews. One refusal (a request changed
    meanwhile) does not stop the others; the next run retries it."""
    now = now or timezone.now()
    done = {"started": 0, "bookings_completed": 0, "completed": 0}
    to_start, to_complete = trips_to_advance(now)
    steps = [("started", to_start, lambda pk: trip_start(state_id=pk, actor=None)),
             ("bookings_completed", booking_ids_ended(now), lambda pk: booking_complete(booking_id=pk, actor=None)),
             ("completed", to_complete, _complete)]
    for key, ids, step in steps:
        for pk in ids:
            try:
                step(pk)
                done[key] += 1
            except DomainError as exc:
                log.info("advance_trips %s %s refused: %s", key, pk, exc.code)
    return done


def _complete(state_id: int) -> None:
    trip_complete(state_id=state_id, actor=None)
    review_request(state_id=state_id)


def follow_up_event(event_id: int, guard_state_id: int | None = None) -> dict[str, object]:
    """What an engine event sets off, in one task per event (queued by the engine after it
    publishes the event): notify the people it addresses, tell the apps subscribed in
    :mod:`.hooks` (insights) and, when ``guard_state_id`` is given (the command changed what
    the guard judges), run the trip guard on that state. Each step is idempotent and runs
    even when an earlier one failed; the task then fails with the first error (so it shows
    among the failed tasks) and its periodic sweeps (``notify_pending``,
    ``refresh_recent_checks``, the nightly insights rebuild) catch up. Returns each step's
    result."""
    steps = {"notified": lambda: notify_event(event_id), "hooks": lambda: hooks.event_committed(event_id)}
    if guard_state_id is not None:
        steps["guard_changed"] = lambda: checks_refresh(state_id=guard_state_id)
    done, failure = {}, None
    for name, step in steps.items():
        try:
            done[name] = step()
        except Exception as exc:  # one failing step must not stop the others
            log.exception("follow-up %s of event %s failed", name, event_id)
            failure = failure or exc
    if failure is not None:
        raise failure
    return done


def refresh_recent_checks(minutes: int = 15) -> int:
    """The guard's safety net (every 5 minutes): the guard again on open requests changed in
    the last ``minutes``, for a guard task that could not be queued after its command (an
    unchanged result writes nothing). Returns how many results changed."""
    since = timezone.now() - dt.timedelta(minutes=minutes)
    ids = CoordinationState.objects.filter(phase__in=OPEN_PHASES, updated_at__gte=since).values_list("pk", flat=True)
    return sum(checks_refresh(state_id=state_id) for state_id in ids)
