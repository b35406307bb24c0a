"""Engine commands of the itinerary: generate the next version with the planner, approve it
(bookings are then requested for its vendor items), reject or move one item (re-plan).

The planner's inputs come from the coordination: approved/modified expert
recommendations and the traveler's browse wishes (pinned or preferred), offerings the
traveler rejected (excluded), the previous version (kept where still valid).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, NotFound
from apps.experts.models import RecommendationItem
from apps.integrations.currency import convert
from apps.itineraries.models import Item, ItineraryState
from apps.itineraries.planner.candidates import Candidate
from apps.itineraries.planner.conflicts import Pin
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.services import itinerary_create_from_plan, itinerary_save_state
from apps.vendors.models import OfferingKind, PriceUnit

from .. import engine
from ..models import Booking, CoordinationState, Event, ShortlistEntry
from ..phases import HOLDING_STATUSES, ITINERARIES, Phase
from .bookings import booking_request
from .browse import wish_inputs
from .experts import require_planner, require_traveler
from .recommendations import recommendation_inputs

GENERATE_PHASES = (Phase.MATCHING, Phase.PLANNING)


def rejected_offering_ids(state_id: int) -> set[int]:
    """Offerings the traveler rejected from a proposed itinerary (never planned again)."""
    return {p["offering"] for p in Event.objects.filter(state_id=state_id, type="itinerary.item_rejected")
            .values_list("payload", flat=True) if p.get("offering")}


def _moved_items(state: CoordinationState) -> list[RecommendationItem]:
    """Items the traveler moved, as pinned planner inputs (the latest move per offering wins)."""
    moves = {}
    for payload in (Event.objects.filter(state_id=state.pk, type="itinerary.item_modified").order_by("version")
                    .values_list("payload", flat=True)):
        moves[payload["offering"]] = payload
    return [RecommendationItem(offering_id=offering_id, title=p["title"], pinned=True,
                               day=dt.date.fromisoformat(p["day"]), start_time=dt.time.fromisoformat(p["time"]),
                               status="modified")
            for offering_id, p in moves.items()]


def planner_inputs(state: CoordinationState) -> list[RecommendationItem]:
    """Everything the next version should contain: moved items first (they win), then the
    expert's approved items and the traveler's wishes."""
    rejected = rejected_offering_ids(state.pk)
    seen, items = set(), []
    for item in [*_moved_items(state), *recommendation_inputs(state), *wish_inputs(state)]:
        key = item.offering_id or item.title
        if key in seen or item.offering_id in rejected:
            continue
        seen.add(key)
        items.append(item)
    return items


def _fixed_pin(request, offering, slot, price, currency: str, why: str) -> Pin | None:
    """A pin that keeps ``offering`` at ``slot`` as it is (no availability check)."""
    local = slot.start.astimezone(ZoneInfo(request.time_zone))
    if not request.start_date <= local.date() <= request.end_date:
        return None
    minute = local.hour * 60 + local.minute
    lat, lon = offering.location
    fixed = Candidate(
        key=f"offering:{offering.pk}", title=offering.title, lat=lat, lon=lon,
        kind="meal" if offering.kind == OfferingKind.MEAL else "activity",
        duration=int((slot.end - slot.start).total_seconds() // 60), windows={local.date(): ((minute, minute),)},
        indoor=offering.indoor, price=convert(price, currency, request.currency), offering_id=offering.pk,
        vendor_id=offering.vendor_id, slots={(local.date(), minute): slot.pk})
    return Pin(fixed.key, fixed.title, local.date(), minute, why, fixed=fixed)


def kept_pins(state: CoordinationState) -> list[Pin]:
    """What every new version keeps in place: bookings holding seats within the trip (the
    hotel is left to the planner's stay step) and, for events, the vendors whose price was
    agreed at the time they hold."""
    request = state.request
    bookings = (Booking.objects.filter(state=state, status__in=HOLDING_STATUSES, slot__isnull=False)
                .exclude(offering__kind=OfferingKind.STAY).select_related("slot", "offering__vendor"))
    pins = [_fixed_pin(request, b.offering, b.slot, b.price, b.currency, _("already booked")) for b in bookings]
    booked = {b.offering_id for b in bookings}
    agreed = (ShortlistEntry.objects.filter(state=state, status=ShortlistEntry.Status.AGREED, slot__isnull=False)
              .exclude(offering_id__in=booked).select_related("slot", "offering__vendor"))
    pins += [_fixed_pin(request, e.offering, e.slot, e.agreed_price, e.currency, _("agreed with the vendor"))
             for e in agreed]
    return [pin for pin in pins if pin]


def _planner_signals(request) -> dict | None:
    """Learned signals (vendor reliability, traveler history) from the provider named in
    settings; the insights app sits above coordination, so it is looked up, not imported."""
    path = settings.TRAVELOURE.get("PLANNER_SIGNALS")
    return import_string(path)(request) if path else None


def _summary(itinerary) -> dict:
    # Counted in the database: this runs inside the command, with the state row locked.
    return {"days": itinerary.days.count(), "items": Item.objects.filter(day__itinerary=itinerary).count(),
            "total": {"amount": f"{itinerary.total}", "currency": itinerary.currency},
            "left_out": len(itinerary.left_out), "conflicts": len(itinerary.conflicts)}


def itinerary_generate(*, state_id: int, actor, seed: int = 0) -> CoordinationState:
    """Plan the next itinerary version and make it the current one; ``itinerary.proposed``
    with the version and a summary.

    ``actor=None`` is the platform (its own plan while no expert is free, allowed while
    matching); otherwise the traveler or the accepted expert, in planning.
    Errors: 403/404 for others; Conflict in other phases.
    """
    with engine.command(state_id, actor=actor) as cmd:
        if actor is None:
            cmd.require_phase(*GENERATE_PHASES)
        else:
            require_planner(cmd.state, actor)
            cmd.require_phase(Phase.PLANNING)
        state = cmd.state
        plan = plan_for_request(state.request, recommendations=planner_inputs(state),
                                exclude_offering_ids=rejected_offering_ids(state.pk),
                                keep=kept_pins(state), signals=_planner_signals(state.request), seed=seed)
        role = "platform" if actor is None else ("expert" if state.expert and state.expert.user_id == actor.pk
                                                 else "traveler")
        if state.current_itinerary_id:
            ITINERARIES.move(state.current_itinerary, ItineraryState.SUPERSEDED)
            itinerary_save_state(itinerary=state.current_itinerary)
        itinerary = itinerary_create_from_plan(request=state.request, plan=plan, author_role=role)
        ITINERARIES.move(itinerary, ItineraryState.PROPOSED)
        itinerary_save_state(itinerary=itinerary)
        cmd.set(current_itinerary=itinerary)
        cmd.record("itinerary.proposed", {"itinerary": itinerary.pk, "version": itinerary.version,
                                          "author": role, "summary": _summary(itinerary)})
    return cmd.state


def _current_item(state: CoordinationState, item_id: int) -> Item:
    item = (Item.objects.filter(pk=item_id, day__itinerary_id=state.current_itinerary_id)
            .select_related("offering").first())
    if item is None:
        raise NotFound(_("This item is not in the current itinerary."), code="not_found")
    return item


def itinerary_approve(*, state_id: int, actor) -> CoordinationState:
    """The traveler approves the current version: planning → booking, ``itinerary.approved``;
    then each vendor item of it (an item with a slot) without a booking holding that slot
    is requested from its vendor through the booking engine (one ``booking.requested``
    each). With nothing left to book the request goes straight to confirmed. A slot that
    cannot be booked any more does not stop the others: it is listed in ``state.unbooked``.

    Errors: Conflict ``itinerary.none`` without a current version; phase errors.
    """
    with transaction.atomic():
        with engine.command(state_id, actor=actor) as cmd:
            require_traveler(cmd.state, actor)
            cmd.require_phase(Phase.PLANNING)
            itinerary = cmd.state.current_itinerary
            if itinerary is None:
                raise Conflict(_("There is no itinerary to approve yet."), code="itinerary.none")
            ITINERARIES.move(itinerary, ItineraryState.APPROVED)
            itinerary_save_state(itinerary=itinerary)
            to_book = _items_to_book(cmd.state)
            cmd.transition(Phase.BOOKING)
            if not to_book:
                cmd.transition(Phase.CONFIRMED)
            cmd.record("itinerary.approved", {"itinerary": itinerary.pk, "version": itinerary.version,
                                              "to_book": [item.pk for item in to_book], "phase": cmd.state.phase})
        state = cmd.state
        state.unbooked = [failure for item in to_book if (failure := _request_booking(state, item, actor))]
    return state


def _items_to_book(state: CoordinationState) -> list[Item]:
    """Vendor items of the current version whose slot no booking of the request holds."""
    held = Booking.objects.filter(state=state, status__in=HOLDING_STATUSES).values_list("slot_id", flat=True)
    return list(Item.objects.filter(day__itinerary_id=state.current_itinerary_id, slot__isnull=False)
                .exclude(slot_id__in=held).select_related("offering").order_by("start"))


def _request_booking(state: CoordinationState, item: Item, actor) -> dict | None:
    """Book one item; a refusal (sold out, too late…) is returned, not raised."""
    try:
        per_person = item.offering is None or item.offering.price_unit == PriceUnit.PER_PERSON
        booking_request(state_id=state.pk, actor=actor, slot_id=item.slot_id,
                        quantity=state.request.party_size if per_person else 1, item_id=item.pk,
                        idempotency_key=f"itinerary-item-{item.pk}")
    except DomainError as exc:
        return {"item": item.pk, "title": item.title, "code": exc.code, "reason": exc.message}
    return None


def itinerary_item_reject(*, state_id: int, actor, item_id: int, reason: str = "") -> CoordinationState:
    """The traveler rejects a vendor item of the proposed version: ``itinerary.item_rejected``,
    then the next version is planned without that offering (``itinerary.proposed``)."""
    with transaction.atomic():
        with engine.command(state_id, actor=actor) as cmd:
            require_traveler(cmd.state, actor)
            cmd.require_phase(Phase.PLANNING)
            item = _current_item(cmd.state, item_id)
            if item.offering_id is None:
                raise DomainError(_("Only a vendor's item can be rejected."), code="itinerary.not_an_offering")
            cmd.record("itinerary.item_rejected", {"item": item.pk, "offering": item.offering_id,
                                                   "title": item.title, "reason": reason})
        return itinerary_generate(state_id=state_id, actor=actor)


def itinerary_item_modify(*, state_id: int, actor, item_id: int, day: dt.date, time: dt.time,
                          note: str = "") -> CoordinationState:
    """The traveler moves a vendor item to another local day and time: ``itinerary.item_modified``
    (kept as a pin for every later version), then re-plan (``itinerary.proposed``)."""
    with transaction.atomic():
        with engine.command(state_id, actor=actor) as cmd:
            require_traveler(cmd.state, actor)
            cmd.require_phase(Phase.PLANNING)
            item = _current_item(cmd.state, item_id)
            request = cmd.state.request
            if item.offering_id is None or not request.start_date <= day <= request.end_date:
                raise DomainError(_("Move a vendor item to a day of your trip."), code="itinerary.bad_move",
                                  fields={"day": _("Choose a day of your trip.")})
            cmd.record("itinerary.item_modified", {"item": item.pk, "offering": item.offering_id,
                                                   "title": item.title, "day": day.isoformat(),
                                                   "time": time.strftime("%H:%M"), "note": note})
        return itinerary_generate(state_id=state_id, actor=actor)

