"""Engine commands of the browse path: the traveler adds offerings they found to the plan
(their wishes); the planner fills and orders the days around them; bookings are then
self-service. A request waiting for an expert can switch to this path."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError
from apps.itineraries.planner.conflicts import Wish
from apps.vendors.models import Offering, Slot
from apps.vendors.pricing import quantity_for, seats_taken

from .. import engine
from ..models import CoordinationState, PlanWish
from ..phases import Phase
from .experts import require_traveler


def plan_item_add(*, state_id: int, actor, offering_id: int, slot_id: int | None = None, note: str = "") -> PlanWish:
    """The traveler adds an offering (optionally at one of its slots) to the plan;
    ``plan.item_added`` (vendors hear only of bookings, not of wishes).

    Errors: DomainError ``plan.unknown_offering`` (inactive, other city or unknown),
    ``plan.bad_slot`` (slot of another offering, full, or outside the trip); Conflict
    outside planning. Adding the same offering again changes nothing.
    """
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        cmd.require_phase(Phase.PLANNING)
        request = cmd.state.request
        offering = (Offering.objects.select_related("vendor")
                    .filter(pk=offering_id, is_active=True, vendor__is_active=True,
                            vendor__city__iexact=request.destination).first())
        if offering is None:
            raise DomainError(_("This offering is not available at your destination."), code="plan.unknown_offering",
                              fields={"offering": _("Choose an offering from the search.")})
        existing = PlanWish.objects.filter(state=cmd.state, offering=offering).first()
        if existing is not None:
            cmd.skip()
            return existing
        slot = None
        if slot_id is not None:
            needed = seats_taken(offering.price_unit, quantity_for(offering.price_unit, party=request.party_size,
                                                                   guests=request.guest_count))
            slot = Slot.objects.filter(pk=slot_id, offering=offering, capacity_available__gte=needed).first()
            tz = ZoneInfo(request.time_zone)
            if slot is None or not request.start_date <= slot.start.astimezone(tz).date() <= request.end_date:
                raise DomainError(_("This time is not available for your trip."), code="plan.bad_slot",
                                  fields={"slot": _("Choose a free time within your dates.")})
        wish = PlanWish.objects.create(state=cmd.state, offering=offering, slot=slot, note=note)
        cmd.record("plan.item_added", {"offering": offering.pk, "slot": slot.pk if slot else None, "wish": wish.pk,
                                       "title": offering.title, "note": note})
    return wish


def plan_item_remove(*, state_id: int, actor, wish_id: int) -> None:
    """The traveler drops a wish; ``plan.item_removed``. Unknown or already removed → no change."""
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        cmd.require_phase(Phase.PLANNING)
        wish = PlanWish.objects.filter(pk=wish_id, state=cmd.state).first()
        if wish is None:
            cmd.skip()
            return
        offering_id = wish.offering_id
        wish.delete()
        cmd.record("plan.item_removed", {"wish": wish_id, "offering": offering_id})


def wish_inputs(state: CoordinationState) -> list[Wish]:
    """The traveler's wishes as planner inputs: a wish with a slot is pinned at that local
    time, one without is preferred."""
    tz = ZoneInfo(state.request.time_zone)
    items = []
    for wish in PlanWish.objects.filter(state=state).select_related("offering", "slot"):
        local = wish.slot.start.astimezone(tz) if wish.slot else None
        items.append(Wish(offering_id=wish.offering_id, title=wish.offering.title, pinned=local is not None,
                          day=local.date() if local else None, start_time=local.time() if local else None,
                          by="traveler"))
    return items


def browse_start(*, state_id: int, actor) -> CoordinationState:
    """A traveler whose request waits for an expert takes the offered browse path:
    matching → planning without an expert; ``browse.started``.

    Conflict ``browse.expert_involved`` while an expert is asked or assigned.
    """
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        cmd.require_phase(Phase.MATCHING)
        if cmd.state.expert_id:
            raise Conflict(_("An expert is already answering your request."), code="browse.expert_involved")
        cmd.transition(Phase.PLANNING)
        cmd.set(queued_for_expert=False)
        cmd.record("browse.started", {"phase": Phase.PLANNING})
    return cmd.state
