"""django-q2 tasks of the coordination flow. Each takes ids, re-reads, calls engine
services and is idempotent (running it twice changes nothing more)."""
from __future__ import annotations

from apps.core.errors import Conflict

from .models import CoordinationState
from .phases import Phase
from .services.experts import (expert_answer_status, expert_assign_queued, expert_queue, expert_remind,
                               expert_timeout, request_matches)
from .services.itinerary import itinerary_generate


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
