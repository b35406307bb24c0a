"""Phase commands of a request: the path from planning to completion, cancellation and
staff repair. Expert matching, itineraries and bookings have their own modules."""
from django.utils.translation import gettext as _

from apps.core.errors import DomainError

from .. import engine
from ..models import CoordinationState
from ..phases import Phase
from .experts import expert_release_on_end


def state_transition(*, state_id: int, actor, phase: str, reason: str) -> CoordinationState:
    """Staff repair: move a state to ``phase`` if the phase table allows it.

    Raises Conflict for a transition the table forbids; ``state.repaired`` event.
    """
    if phase not in Phase.values:
        raise DomainError(_("Unknown phase “%(phase)s”.") % {"phase": phase}, code="state.unknown_phase")
    if not reason.strip():
        raise DomainError(_("Say why the phase is changed."), code="state.reason_required",
                          fields={"reason": _("This field is required.")})
    with engine.command(state_id, actor=actor) as cmd:
        previous = cmd.state.phase
        cmd.transition(phase)
        cmd.record("state.repaired", {"from": previous, "to": phase, "reason": reason})
    return cmd.state


def trip_start(*, state_id: int, actor) -> CoordinationState:
    """The experience begins (confirmed → in_progress); ``trip.started``."""
    with engine.command(state_id, actor=actor) as cmd:
        if cmd.state.phase == Phase.IN_PROGRESS:
            cmd.skip()
            return cmd.state
        cmd.transition(Phase.IN_PROGRESS)
        cmd.record("trip.started")
    return cmd.state


def trip_complete(*, state_id: int, actor) -> CoordinationState:
    """The experience is over (in_progress → completed); ``trip.completed``. The expert's
    capacity is released."""
    with engine.command(state_id, actor=actor) as cmd:
        if cmd.state.phase == Phase.COMPLETED:
            cmd.skip()
            return cmd.state
        cmd.transition(Phase.COMPLETED)
        expert_release_on_end(cmd)
        cmd.record("trip.completed")
    return cmd.state


def request_cancel(*, state_id: int, actor, reason: str = "") -> CoordinationState:
    """The traveler (or staff) cancels the whole request; ``request.cancelled``.

    Allowed from every open phase but in_progress; already cancelled → no change. The
    expert's capacity is released.
    """
    with engine.command(state_id, actor=actor) as cmd:
        if cmd.state.phase == Phase.CANCELLED:
            cmd.skip()
            return cmd.state
        cmd.transition(Phase.CANCELLED)
        expert_release_on_end(cmd)
        cmd.record("request.cancelled", {"reason": reason})
    return cmd.state
