"""The traveler changes their mind: new dates, interests or budget. Bookings that no longer
fit are cancelled under each vendor's policy, the rest are kept, and planning restarts
from the new requirements keeping what is still valid (kept bookings stay pinned)."""
from __future__ import annotations

from dataclasses import fields
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.requests.services import IntakeData, request_validate

from .. import engine
from ..models import Booking, CoordinationState
from ..access import ENDED_STATUSES
from ..phases import HOLDING_STATUSES, OPEN_PHASES, Phase
from .bookings import booking_cancel
from .experts import require_traveler
from .itinerary import itinerary_plan, itinerary_propose

CHANGEABLE = ("start_date", "end_date", "interests", "budget_min", "budget_max")
CHANGE_PHASES = (Phase.PLANNING, Phase.BOOKING, Phase.CONFIRMED)


def _intake_of(request, changes: dict) -> IntakeData:
    names = {f.name for f in fields(IntakeData)}
    return IntakeData(**{name: changes.get(name, getattr(request, name)) for name in names})


def _plain(value):
    return value if isinstance(value, list) else str(value)


def _outside_dates(state: CoordinationState) -> list[Booking]:
    request = state.request
    tz = ZoneInfo(request.time_zone)
    return [b for b in Booking.objects.filter(state=state, status__in=HOLDING_STATUSES, slot__isnull=False)
            .select_related("slot")
            if not request.start_date <= b.slot.start.astimezone(tz).date() <= request.end_date]


def requirements_change(*, state_id: int, actor, **changes) -> CoordinationState:
    """Apply new requirements (any of ``CHANGEABLE``), validated like an intake.

    One ``requirements.changed`` event (back to planning), then one ``booking.cancelled``
    per booking outside the new dates (refund by the vendor's policy), then the next
    itinerary version (``itinerary.proposed``) with the kept bookings pinned. All or nothing.
    Errors: DomainError ``requirements.unknown_field`` / ``request.invalid`` (with fields);
    403/404 not the traveler; Conflict outside planning/booking/confirmed.
    """
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown or not changes:
        raise DomainError(_("Change the dates, interests or budget."), code="requirements.unknown_field",
                          fields={name: _("Cannot be changed.") for name in unknown})
    state = engine.snapshot(state_id)
    require_traveler(state, actor)
    engine.require_phase(state, *CHANGE_PHASES)
    request = state.request
    request_validate(_intake_of(request, changes))
    before = {name: getattr(request, name) for name in changes}
    for name, value in changes.items():
        setattr(request, name, sorted(set(value)) if isinstance(value, list) else value)  # as at intake
    # Planned before the lock, for the new requirements: bookings outside the new dates are
    # not kept (kept pins lie within the trip), the others are.
    plan = itinerary_plan(state)
    affected = _outside_dates(state)
    kept = (Booking.objects.filter(state=state, status__in=HOLDING_STATUSES)
            .exclude(pk__in=[b.pk for b in affected]).values_list("pk", flat=True))
    with transaction.atomic():
        with engine.command(state_id, actor=actor, expected_version=state.version) as cmd:
            # The request's own fields: written here, inside the engine command that changes them.
            request.save(update_fields=[*changes, "updated_at"])
            if cmd.state.phase != Phase.PLANNING:
                cmd.transition(Phase.PLANNING)
            cmd.record("requirements.changed", {
                "changes": {name: {"from": _plain(before[name]), "to": _plain(getattr(request, name))}
                            for name in changes},
                "cancel": [b.pk for b in affected], "keep": sorted(kept)})
        for booking in affected:
            booking_cancel(booking_id=booking.pk, actor=actor,
                           reason=_("The traveler changed the trip's requirements."))
        return itinerary_propose(state_id=state_id, actor=actor, plan=plan)


VENDOR_NOTES_MAX = 1000


def vendor_notes_set(*, state_id: int, actor, notes: str) -> CoordinationState:
    """The traveler rewrites the notes addressed to vendors (an allergy, a late arrival).
    Only vendors with a live booking read them (``access.VENDOR_REQUEST_FIELDS``); they
    hear of the change. Same text → no change. Errors: DomainError ``request.invalid``
    (too long); 403/404 not the traveler; Conflict once the request is closed.
    Event ``request.vendor_notes_changed``."""
    notes = notes.strip()
    if len(notes) > VENDOR_NOTES_MAX:
        raise DomainError(_("Keep the notes under %(n)s characters.") % {"n": VENDOR_NOTES_MAX},
                          code="request.invalid", fields={"vendor_notes": _("Too long.")})
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        cmd.require_phase(*OPEN_PHASES)
        request = cmd.state.request
        if request.vendor_notes == notes:
            cmd.skip()
            return cmd.state
        request.vendor_notes = notes
        # The request's own field: written here, inside the engine command that changes it.
        request.save(update_fields=["vendor_notes", "updated_at"])
        live = (Booking.objects.filter(state=cmd.state).exclude(status__in=ENDED_STATUSES)
                .values_list("vendor_id", flat=True).distinct())
        cmd.record("request.vendor_notes_changed", {"vendor_notes": notes},
                   vendors={vendor_id: {"vendor_notes": notes} for vendor_id in live})
    return cmd.state
