"""Phase commands of a request: the trip's start and end, and cancellation (staff repair
in admin calls the same command). Expert matching, itineraries and bookings have their
own modules."""
from django.db import transaction
from django.utils.translation import gettext as _

from .. import engine
from ..models import Booking, CoordinationState
from ..phases import HOLDING_STATUSES, Phase
from .bookings import booking_cancel
from .experts import expert_release_on_end, require_traveler


def _enter(state_id: int, actor, phase: str, event_type: str, payload: dict | None = None, *,
           ends: bool) -> CoordinationState:
    """Move the request to ``phase`` with one ``event_type`` event; already there → no
    change. ``ends``: the request is over, so the expert's capacity is released."""
    with engine.command(state_id, actor=actor) as cmd:
        if cmd.state.phase == phase:
            cmd.skip()
            return cmd.state
        cmd.transition(phase)
        if ends:
            expert_release_on_end(cmd)
        cmd.record(event_type, payload)
    return cmd.state


def trip_start(*, state_id: int, actor) -> CoordinationState:
    """The experience begins (confirmed → in_progress); ``trip.started``."""
    return _enter(state_id, actor, Phase.IN_PROGRESS, "trip.started", ends=False)


def trip_complete(*, state_id: int, actor) -> CoordinationState:
    """The experience is over (in_progress → completed); ``trip.completed``. The expert's
    capacity is released."""
    return _enter(state_id, actor, Phase.COMPLETED, "trip.completed", ends=True)


def request_cancel(*, state_id: int, actor, reason: str = "") -> CoordinationState:
    """The traveler (or staff) cancels the whole request; ``request.cancelled``.

    Allowed from every open phase but in_progress; already cancelled → no change. Every
    booking still holding seats is cancelled first under its vendor's policy (one
    ``booking.cancelled`` event each, with the refund, so each vendor hears of its own),
    then the expert's capacity is released. All of it commits or nothing does.
    Only the traveler or staff may cancel (403/404 for others, see ``access.require``).
    """
    require_traveler(engine.snapshot(state_id), actor)
    with transaction.atomic():
        phase = CoordinationState.objects.select_for_update().values_list("phase", flat=True).get(pk=state_id)
        if phase not in (Phase.CANCELLED, Phase.IN_PROGRESS, Phase.COMPLETED):
            for booking_id in Booking.objects.filter(state_id=state_id, status__in=HOLDING_STATUSES).values_list(
                    "pk", flat=True):
                booking_cancel(booking_id=booking_id, actor=actor, reason=reason or _("The request was cancelled."))
        return _enter(state_id, actor, Phase.CANCELLED, "request.cancelled", {"reason": reason}, ends=True)
