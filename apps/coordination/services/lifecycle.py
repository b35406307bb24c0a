"""Phase commands of a request: the trip's start and end, and cancellation (staff repair
in admin calls the same command). Expert matching, itineraries and bookings have their
own modules."""
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import NotFound

from .. import engine
from ..access import can_manage_bookings, require
from ..models import Booking, CoordinationState
from ..phases import HOLDING_STATUSES, Phase
from ..presenters import cancellation_json
from .bookings import booking_cancel, refund_due
from .experts import expert_release_on_end, require_traveler

# Phases a request can no longer be cancelled from (the trip has begun or is over).
NOT_CANCELLABLE = (Phase.CANCELLED, Phase.IN_PROGRESS, Phase.COMPLETED)


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
        if phase not in NOT_CANCELLABLE:
            for booking_id in Booking.objects.filter(state_id=state_id, status__in=HOLDING_STATUSES).values_list(
                    "pk", flat=True):
                booking_cancel(booking_id=booking_id, actor=actor, reason=reason or _("The request was cancelled."))
        return _enter(state_id, actor, Phase.CANCELLED, "request.cancelled", {"reason": reason}, ends=True)


def _cancellable_bookings(state_id: int, booking_id: int | None):
    bookings = (Booking.objects.filter(state_id=state_id, status__in=HOLDING_STATUSES)
                .select_related("vendor", "offering", "slot").order_by("slot__start", "pk"))
    return bookings.filter(pk=booking_id) if booking_id is not None else bookings


def cancellation_preview(*, state_id: int, actor, booking_id: int | None = None) -> dict:
    """What cancelling now would give back, before the traveler confirms: the whole request
    (every booking still holding seats) or, with ``booking_id``, that one booking, each
    under its vendor's policy through the same :func:`refund_due` the cancellation uses.
    Returns ``{"cancellable", "bookings": [cancellation_json…], "refund_total": [money per
    currency]}``. Writes nothing. Errors: like :func:`request_cancel` (whole request) or
    :func:`booking_cancel` (one booking; ``booking.not_found`` for one not holding seats)."""
    state = engine.snapshot(state_id)
    if booking_id is None:
        require_traveler(state, actor)
    else:
        require(can_manage_bookings(actor, state), actor, state, _("Only the traveler or the expert can do this."),
                code="booking.participant_only")
    rows = []
    for booking in _cancellable_bookings(state_id, booking_id):
        due = refund_due(booking)
        rows.append(cancellation_json(booking, due.amount, due.percent))
    if booking_id is not None and not rows:
        raise NotFound(_("No such booking."), code="booking.not_found")
    return {"cancellable": state.phase not in NOT_CANCELLABLE if booking_id is None else True,
            "bookings": rows, "refund_total": refund_totals(rows)}


def refund_totals(rows: list[dict]) -> list[dict]:
    """The refunds of ``rows`` (cancellation_json) added up per currency."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["refund"]["currency"]] += Decimal(row["refund"]["amount"])
    return [{"amount": f"{amount}", "currency": currency} for currency, amount in sorted(totals.items())]


def cancellation_outcome(*, state_id: int, booking_ids: list[int]) -> dict:
    """After a cancellation: the ``booking_ids`` it cancelled with the refunds given, in the
    shape of :func:`cancellation_preview` (the phase instead of ``cancellable``)."""
    bookings = Booking.objects.filter(state_id=state_id, pk__in=booking_ids).select_related("vendor", "offering",
                                                                                            "slot")
    rows = [cancellation_json(b, b.refund_amount if b.refund_amount is not None else Decimal(0))
            for b in bookings.order_by("slot__start", "pk")]
    phase = CoordinationState.objects.values_list("phase", flat=True).get(pk=state_id)
    return {"phase": phase, "bookings": rows, "refund_total": refund_totals(rows)}
