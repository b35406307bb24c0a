"""Engine commands of the expert path: choose, accept, decline, consult, remind, rematch,
queue when nobody is free. Also the role guards the flow's commands share.

Lifecycle of ``state.expert`` while matching: ``None`` (traveler chooses) → chosen and
waiting (``expert_accepted_at`` empty) → accepted (phase planning, capacity taken).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.commit import enqueue
from apps.core.errors import Conflict
from apps.experts import services as expert_services
from apps.experts.matching import expert_matches
from apps.experts.models import BookingPreference, ConsultationSlot, Expert

from .. import engine
from ..access import can_act_as_expert, can_act_as_traveler, can_plan, can_repair, require
from ..models import CoordinationState, Event, HandledBy
from ..phases import Phase

# Events after which an expert is not offered again for the same request.
DROPPED_EVENTS = ("expert.declined", "expert.timed_out")
ASSIGN_TASK = "apps.coordination.flow_tasks.assign_queued_experts"


def require_traveler(state: CoordinationState, actor) -> None:
    """The request's traveler (or staff acting for them) may run the command."""
    require(can_act_as_traveler(actor, state), actor, state, _("Only the traveler can do this."))


def require_expert(state: CoordinationState, actor) -> None:
    """The request's chosen expert (or staff) may run the command."""
    require(can_act_as_expert(actor, state), actor, state, _("Only the request's expert can do this."))


def require_planner(state: CoordinationState, actor) -> None:
    """The traveler, the accepted expert or staff may run the command."""
    require(can_plan(actor, state), actor, state, _("Only the traveler or their expert can do this."))


def handled_by(state: CoordinationState) -> str:
    """Who books the vendors: the expert when they handle all bookings, else the traveler."""
    if state.expert_accepted_at and state.expert.booking_preference == BookingPreference.HANDLE_ALL:
        return HandledBy.EXPERT
    return HandledBy.TRAVELER


def dropped_expert_ids(state_id: int) -> set[int]:
    """Experts who declined or did not answer for this request."""
    return {payload["expert"] for payload in
            Event.objects.filter(state_id=state_id, type__in=DROPPED_EVENTS).values_list("payload", flat=True)}


def request_matches(state: CoordinationState):
    """Top matches for the state's request, leaving out experts who dropped it."""
    return expert_matches(state.request, exclude_ids=dropped_expert_ids(state.pk))


def _respond_by(expert: Expert, since) -> str:
    return (since + dt.timedelta(hours=expert.response_time_hours)).isoformat()


def _choose(cmd: engine.Command, expert: Expert, *, by: str) -> None:
    cmd.require_phase(Phase.MATCHING)
    if cmd.state.expert_id is not None:
        raise Conflict(_("Waiting for %(name)s to answer.") % {"name": cmd.state.expert}, code="expert.pending")
    cmd.set(expert=expert, queued_for_expert=False)
    cmd.record("expert.chosen", {"expert": expert.pk, "name": str(expert), "by": by,
                                 "respond_by": _respond_by(expert, timezone.now())})


def expert_choose(*, state_id: int, actor, expert_id: int) -> CoordinationState:
    """The traveler picks one of the current top matches; ``expert.chosen`` (the expert hears of it).

    Errors: 404/403 not the traveler; Conflict outside matching or while another expert is
    asked; DomainError ``expert.not_a_match`` for an expert not among the matches.
    Choosing the expert already asked again changes nothing.
    """
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        if cmd.state.expert_id == expert_id and cmd.state.phase == Phase.MATCHING:
            cmd.skip()
            return cmd.state
        match = next((m for m in request_matches(cmd.state) if m.expert.pk == expert_id), None)
        if match is None:
            raise Conflict(_("This expert is not among your matches."), code="expert.not_a_match",
                           fields={"expert": _("Choose one of the proposed experts.")})
        _choose(cmd, match.expert, by="traveler")
    return cmd.state


def expert_assign_queued(*, state_id: int) -> CoordinationState | None:
    """A queued request gets its best match now that someone is free (platform's choice).

    Returns None (nothing written) when the state is no longer queued or still nobody fits.
    """
    with engine.command(state_id, actor=None) as cmd:
        waiting = cmd.state.queued_for_expert and cmd.state.phase == Phase.MATCHING and not cmd.state.expert_id
        matches = request_matches(cmd.state) if waiting else []
        if not matches:
            cmd.skip()
            return None
        _choose(cmd, matches[0].expert, by="platform")
    return cmd.state


def expert_accept(*, state_id: int, actor) -> CoordinationState:
    """The chosen expert takes the request: capacity is taken atomically, matching → planning;
    ``expert.accepted``. Conflict ``expert.full`` when the expert has no capacity left."""
    with engine.command(state_id, actor=actor) as cmd:
        require_expert(cmd.state, actor)
        if cmd.state.expert_accepted_at:
            cmd.skip()
            return cmd.state
        cmd.require_phase(Phase.MATCHING)
        expert = cmd.state.expert
        if not expert_services.expert_capacity_take(expert_id=expert.pk):
            raise Conflict(_("You have no free capacity for another request."), code="expert.full")
        cmd.transition(Phase.PLANNING)
        cmd.set(expert_accepted_at=timezone.now())
        cmd.record("expert.accepted", {"expert": expert.pk, "name": str(expert),
                                       "booking_preference": expert.booking_preference, "channel": expert.channel,
                                       "handled_by": handled_by(cmd.state)})
    return cmd.state


def _rematch(cmd: engine.Command, event_type: str, extra: dict) -> None:
    """Drop the current expert (releasing capacity if taken), go back to matching and tell
    the traveler the new matches; queue the request when there are none."""
    expert = cmd.state.expert
    if cmd.state.expert_accepted_at:
        expert_services.expert_capacity_release(expert_id=expert.pk)
        enqueue(ASSIGN_TASK)
    if cmd.state.phase != Phase.MATCHING:
        cmd.transition(Phase.MATCHING)
    cmd.set(expert=None, expert_accepted_at=None)
    excluded = dropped_expert_ids(cmd.state.pk) | {expert.pk}
    matches = [m.as_dict() for m in expert_matches(cmd.state.request, exclude_ids=excluded)]
    cmd.set(queued_for_expert=not matches)
    cmd.record(event_type, {"expert": expert.pk, **extra, "matches": matches, "queued": not matches,
                            "browse_offered": not matches})


def expert_decline(*, state_id: int, actor, reason: str = "") -> CoordinationState:
    """The chosen expert declines (or steps back after accepting): back to matching with
    fresh matches; ``expert.declined``. Conflict once the plan is approved."""
    with engine.command(state_id, actor=actor) as cmd:
        require_expert(cmd.state, actor)
        cmd.require_phase(Phase.MATCHING, Phase.PLANNING)
        _rematch(cmd, "expert.declined", {"reason": reason})
    return cmd.state


def _chosen_at(state_id: int, expert_id: int):
    return (Event.objects.filter(state_id=state_id, type="expert.chosen", payload__expert=expert_id)
            .order_by("-version").values_list("created_at", flat=True).first())


def expert_answer_status(state: CoordinationState, now=None) -> str | None:
    """``"remind"`` once the promised response time passed without an answer, ``"rematch"``
    once it passed again after the reminder, else None."""
    if state.phase != Phase.MATCHING or not state.expert_id or state.expert_accepted_at:
        return None
    now = now or timezone.now()
    chosen = _chosen_at(state.pk, state.expert_id)
    promised = dt.timedelta(hours=state.expert.response_time_hours)
    if chosen is None or now < chosen + promised:
        return None
    reminded = (Event.objects.filter(state_id=state.pk, type="expert.reminded", created_at__gte=chosen)
                .values_list("created_at", flat=True).first())
    if reminded is None:
        return "remind"
    return "rematch" if now >= reminded + promised else None


def expert_remind(*, state_id: int) -> CoordinationState:
    """Remind the chosen expert who has not answered in time; ``expert.reminded``."""
    with engine.command(state_id, actor=None) as cmd:
        if expert_answer_status(cmd.state) != "remind":
            cmd.skip()
            return cmd.state
        cmd.record("expert.reminded", {"expert": cmd.state.expert_id,
                                       "respond_by": _respond_by(cmd.state.expert, timezone.now())})
    return cmd.state


def expert_timeout(*, state_id: int) -> CoordinationState:
    """The expert stayed silent after a reminder: rematch; ``expert.timed_out``."""
    with engine.command(state_id, actor=None) as cmd:
        if expert_answer_status(cmd.state) != "rematch":
            cmd.skip()
            return cmd.state
        _rematch(cmd, "expert.timed_out", {})
    return cmd.state


def expert_reassign(*, state_id: int, actor, reason: str = "") -> CoordinationState:
    """Staff take the request from its expert (silent, unavailable) and rematch it: fresh
    matches for the traveler, or the queue; ``expert.reassigned``. Only before the plan is
    approved. Errors: 403/404 for anyone but staff; ``request.no_expert``; phase errors."""
    with engine.command(state_id, actor=actor) as cmd:
        require(can_repair(actor, cmd.state), actor, cmd.state, _("Only staff can reassign the expert."))
        cmd.require_phase(Phase.MATCHING, Phase.PLANNING)
        if not cmd.state.expert_id:
            raise Conflict(_("This request has no expert to reassign."), code="request.no_expert")
        _rematch(cmd, "expert.reassigned", {"reason": reason})
    return cmd.state


def expert_queue(*, state_id: int) -> CoordinationState:
    """Nobody fits the request now: queue it for the next free expert and offer the browse
    path; ``expert.queued``. Skips if an expert is involved or it is already queued."""
    with engine.command(state_id, actor=None) as cmd:
        if cmd.state.queued_for_expert or cmd.state.expert_id or cmd.state.phase != Phase.MATCHING:
            cmd.skip()
            return cmd.state
        cmd.set(queued_for_expert=True)
        cmd.record("expert.queued", {"queued": True, "browse_offered": True})
    return cmd.state


def expert_release_on_end(cmd: engine.Command) -> None:
    """Inside a command ending the request: give the accepted expert's capacity back and let
    a queued request have it (after commit)."""
    if cmd.state.expert_accepted_at:
        expert_services.expert_capacity_release(expert_id=cmd.state.expert_id)
        enqueue(ASSIGN_TASK)


def _local(value, tz_name: str) -> str:
    return value.astimezone(ZoneInfo(tz_name)).isoformat()


def consultation_times(slot: ConsultationSlot, state: CoordinationState) -> dict:
    """A consultation's start/end in UTC and in the traveler's and the expert's time zones."""
    traveler_tz, expert_tz = state.request.traveler.time_zone, slot.expert.time_zone
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "traveler": {"time_zone": traveler_tz, "start": _local(slot.start, traveler_tz),
                         "end": _local(slot.end, traveler_tz)},
            "expert": {"time_zone": expert_tz, "start": _local(slot.start, expert_tz),
                       "end": _local(slot.end, expert_tz)}}


def consultation_book(*, state_id: int, actor, slot_id: int) -> CoordinationState:
    """The traveler books a free consultation slot of their accepted expert (held by this
    request only, conditional UPDATE); ``consultation.booked`` with the time in both zones.

    Conflict ``consultation.taken`` if the slot is held, past or not this expert's.
    """
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        if not cmd.state.expert_accepted_at:
            raise Conflict(_("Book a consultation once your expert has accepted."), code="consultation.no_expert")
        slot = ConsultationSlot.objects.select_related("expert").filter(pk=slot_id).first()
        if slot is not None and slot.request_id == cmd.state.request_id:
            cmd.skip()
            return cmd.state
        if (slot is None or slot.start <= timezone.now()
                or not expert_services.consultation_slot_hold(slot_id=slot_id, expert_id=cmd.state.expert_id,
                                                              request=cmd.state.request)):
            raise Conflict(_("This consultation slot is no longer available."), code="consultation.taken",
                           fields={"slot": _("Choose another slot.")})
        cmd.record("consultation.booked", {"slot": slot.pk, **consultation_times(slot, cmd.state)})
    return cmd.state
