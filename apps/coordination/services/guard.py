"""Engine commands around the trip guard (:mod:`apps.coordination.checks`): run the guard
and store its result (queued after commands, and by the periodic sweep), set how the
traveler arrives and leaves, apply one of the guard's current suggestions."""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError
from apps.itineraries.models import Item, ItemKind
from apps.itineraries.planner.plan import Plan, PlanDay, PlanItem
from apps.itineraries.planner.replan import item_key
from apps.requests.services import request_legs_set

from .. import checks, engine
from ..access import can_plan, can_view_request, require
from ..models import CoordinationState
from ..phases import OPEN_PHASES, Phase
from .drafts import offering_entry
from .itinerary import itinerary_generate, itinerary_propose

log = logging.getLogger(__name__)


def checks_refresh(*, state_id: int, attempts: int = 3) -> bool:
    """The trip guard (run after each command that changed what it judges): evaluate the
    trip and, when the findings differ from the stored ones, store them with
    ``checks.changed`` (the findings; each vendor whose part changed hears its part).
    The trip is evaluated on a :func:`~apps.coordination.engine.snapshot`, outside the lock,
    and stored only if the state did not change meanwhile (else evaluated again, up to
    ``attempts`` times; then left to the periodic sweep). Idempotent: an unchanged result
    writes nothing and takes no lock. Returns whether it changed."""
    for attempt in range(1, attempts + 1):
        state = engine.snapshot(state_id)
        before, findings = state.checks, checks.evaluate(state)
        if findings == before:
            return False
        vendors = {vendor: checks.for_vendor(findings, vendor)
                   for vendor in sorted(checks.vendors_of(before) | checks.vendors_of(findings))}
        try:
            with engine.command(state_id, actor=None, expected_version=state.version) as cmd:
                cmd.set(checks=findings)
                cmd.record("checks.changed", {"checks": findings,
                                              "errors": sum(f["severity"] == checks.ERROR for f in findings)},
                           vendors={vendor: {"checks": mine} for vendor, mine in vendors.items()
                                    if mine != checks.for_vendor(before, vendor)})
            return True
        except Conflict as exc:
            if exc.code != "state.version_conflict":
                raise
            log.info("guard of state %s: the state changed while it was evaluated (attempt %s)", state_id, attempt)
    return False


def travel_set(*, state_id: int, actor, legs: dict[str, dict | None]) -> CoordinationState:
    """The traveler or their expert (or staff) sets or clears the arrival and/or departure
    (the keys of ``legs``, inputs as in the intake body): ``request.travel_changed``, then
    the guard runs. Errors: 404/403 for others; DomainError ``request.invalid`` with every
    bad field (``arrival.at``…), nothing written; Conflict once the request is closed."""
    with engine.command(state_id, actor=actor) as cmd:
        require(can_view_request(actor, cmd.state), actor, cmd.state,
                _("Only the traveler or their expert can change the travel details."))
        cmd.require_phase(*OPEN_PHASES)
        stored = request_legs_set(request=cmd.state.request, legs=legs)
        cmd.record("request.travel_changed", stored)
    return cmd.state


def _entry_of(item: Item, tz) -> PlanItem:
    return PlanItem(kind=item.kind, title=item.title, start=item.start.astimezone(tz), end=item.end.astimezone(tz),
                    key=item_key(item), place_name=item.place_name, lat=item.lat, lon=item.lon,
                    offering_id=item.offering_id, slot_id=item.slot_id, place_id=item.place_id, price=item.price,
                    travel_from_previous_min=item.travel_from_previous_min, reasoning=item.reasoning,
                    tips=list(item.tips), pinned=item.pinned, offer=item.offer)


def _nights(start: dt.datetime, end: dt.datetime, tz) -> int:
    return max((end.astimezone(tz).date() - start.astimezone(tz).date()).days, 1)


def _moved(request, item: Item, start: dt.datetime, end: dt.datetime, tz) -> PlanItem:
    """``item`` at its new time: a vendor's visit takes its offering's free slot nearest to
    it (Conflict ``itinerary.no_slot`` when none); a stay keeps its nightly price."""
    reason = _("Moved to fit the trip (trip check).")
    if item.offering_id and item.kind != ItemKind.STAY:
        entry = offering_entry(request, item.offering, start.astimezone(tz), reason)
        entry.title, entry.tips, entry.kind = item.title, list(item.tips), item.kind
        return entry
    entry = _entry_of(item, tz)
    if item.kind == ItemKind.STAY and item.price is not None:
        per_night = item.price / _nights(item.start, item.end, tz)
        entry.price = (per_night * _nights(start, end, tz)).quantize(item.price)
    entry.start, entry.end, entry.reasoning, entry.pinned = start.astimezone(tz), end.astimezone(tz), reason, True
    return entry


def _plan_with(itinerary, request, item_id: int, change: tuple[dt.datetime, dt.datetime] | None) -> Plan:
    """The current version again with item ``item_id`` moved to ``change`` (None: removed)."""
    tz = ZoneInfo(itinerary.time_zone)
    days = {d.date: PlanDay(d.date, d.weather, notes=d.notes, route=d.route) for d in itinerary.days.all()}
    items = list(Item.objects.filter(day__itinerary=itinerary).select_related("day", "offering__vendor")
                 .order_by("start", "position"))
    target = next((i for i in items if i.pk == item_id), None)
    if target is None:
        raise Conflict(_("This item is no longer in the plan."), code="checks.suggestion_gone")
    for item in items:
        if item.pk == item_id and change is None:
            continue
        entry = _moved(request, item, *change, tz) if item.pk == item_id else _entry_of(item, tz)
        day = days.get(item.day.date if item.kind == ItemKind.STAY else entry.start.date())
        if day is None:
            raise DomainError(_("Choose a day of the trip."), code="itinerary.bad_move")
        if item.pk == item_id:
            day.route = []
        day.items.append(entry)
    for day in days.values():
        day.items.sort(key=lambda e: (e.kind == ItemKind.STAY, e.start))
    plan_days = [days[d] for d in sorted(days)]
    total = sum((e.price for d in plan_days for e in d.items if e.price is not None), Decimal(0))
    return Plan(itinerary.time_zone, itinerary.currency, plan_days, list(itinerary.left_out),
                list(itinerary.conflicts), total, data_notes=list(itinerary.data_notes))


def checks_apply(*, state_id: int, actor, suggestion_id: str) -> CoordinationState:
    """Apply the guard's current suggestion ``suggestion_id`` through the command it names:
    ``move``/``remove`` an item of the plan (a new version, ``itinerary.proposed``),
    ``replan`` (:func:`itinerary_generate`), ``fix_leg`` (:func:`travel_set`). The guard then
    runs again. Errors: 404/403 for anyone but the traveler, the accepted expert and staff;
    Conflict ``checks.suggestion_gone`` for a suggestion the guard no longer makes; the
    command's own errors (phase, ``itinerary.no_slot``, ``state.version_conflict``)."""
    state = engine.snapshot(state_id)
    require(can_plan(actor, state), actor, state, _("Only the traveler or their expert can change the plan."))
    found = checks.find_suggestion(state.checks, suggestion_id)
    if found is None:
        raise Conflict(_("The trip check no longer suggests this; reload to see what it says now."),
                       code="checks.suggestion_gone")
    suggestion = found[1]
    action = suggestion["action"]
    if action == "fix_leg":
        leg = getattr(state.request, suggestion["leg"])
        return travel_set(state_id=state_id, actor=actor, legs={suggestion["leg"]: {
            "at": suggestion["at"], "mode": leg["mode"], "place": leg["place"], "reference": leg["reference"]}})
    if action == "replan":
        return itinerary_generate(state_id=state_id, actor=actor)
    engine.require_phase(state, Phase.PLANNING)
    change = None if action == "remove" else (dt.datetime.fromisoformat(suggestion["start"]),
                                              dt.datetime.fromisoformat(suggestion["end"]))
    plan = _plan_with(state.current_itinerary, state.request, suggestion["item"], change)
    return itinerary_propose(state_id=state_id, actor=actor, plan=plan, expected_version=state.version)
