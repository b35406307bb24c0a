"""Engine commands of the itinerary: generate the next version with the planner (the
expert's starts as their draft, edited in :mod:`.drafts`, until they send it), approve it
(bookings are then requested for its vendor items), reject or move one item (re-plan).

The planner's inputs come from the coordination: approved/modified expert
recommendations and the traveler's browse wishes (pinned or preferred), offerings the
traveler rejected (excluded), the previous version (kept where still valid).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, NotFound
from apps.integrations.currency import convert
from apps.itineraries.models import Item, ItemKind, ItineraryState
from apps.itineraries.planner.candidates import Candidate
from apps.itineraries.planner.conflicts import Pin, Wish
from apps.itineraries.planner.plan import Plan
from apps.itineraries.planner.replan import Change, replan
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.selectors import itinerary_draft_for_request
from apps.itineraries.services import itinerary_create_from_plan, itinerary_save_state
from apps.vendors.models import OfferingKind, PriceUnit
from apps.vendors.pricing import quantity_for

from .. import engine, hooks
from ..access import can_edit_itinerary_draft, plans_as_draft, require
from ..models import Booking, CoordinationState, Event, ShortlistEntry
from ..phases import HOLDING_STATUSES, ITINERARIES, BookingStatus, Phase
from .bookings import SlotOffer, booking_request, slot_offer, stay_offer
from .hotel_offers import booking_request_offer
from .browse import wish_inputs
from .experts import require_planner, require_traveler
from .recommendations import recommendation_inputs

GENERATE_PHASES = (Phase.MATCHING, Phase.PLANNING)
# Bookings fall through while the request books; a re-planned version is accepted then too.
REPLAN_PHASES = (Phase.BOOKING, Phase.CONFIRMED)
FELL_THROUGH = (BookingStatus.DECLINED, BookingStatus.EXPIRED)


def _payloads(state_id: int, event_type: str, pending: Sequence[tuple[str, dict]]) -> list[dict]:
    """Payloads of the state's ``event_type`` events in order, then those of the ``pending``
    ``(type, payload)`` events a command is about to record."""
    stored = Event.objects.filter(state_id=state_id, type=event_type).order_by("version").values_list("payload",
                                                                                                     flat=True)
    return [*stored, *(payload for type_, payload in pending if type_ == event_type)]


def rejected_offering_ids(state_id: int, pending: Sequence[tuple[str, dict]] = ()) -> set[int]:
    """Offerings the traveler rejected from a proposed itinerary (never planned again)."""
    return {p["offering"] for p in _payloads(state_id, "itinerary.item_rejected", pending) if p.get("offering")}


def _moved_items(state: CoordinationState, pending: Sequence[tuple[str, dict]]) -> list[Wish]:
    """Items the traveler moved, as pinned planner inputs (the latest move per offering wins)."""
    moves = {p["offering"]: p for p in _payloads(state.pk, "itinerary.item_modified", pending)}
    return [Wish(offering_id=offering_id, title=p["title"], pinned=True, day=dt.date.fromisoformat(p["day"]),
                 start_time=dt.time.fromisoformat(p["time"]), by="traveler")
            for offering_id, p in moves.items()]


def _expert_wishes(state: CoordinationState) -> list[Wish]:
    """The expert's approved and modified recommendation items as planner inputs."""
    return [Wish(offering_id=item.offering_id, title=item.title, pinned=item.pinned, day=item.day,
                 start_time=item.start_time, by="expert") for item in recommendation_inputs(state)]


def _draft_pins(state: CoordinationState) -> list[Wish]:
    """The items the expert pinned (or moved, replaced, added) in their draft: kept where
    they are when the planner makes the next draft."""
    draft = itinerary_draft_for_request(state.request_id)
    if draft is None:
        return []
    tz = ZoneInfo(draft.time_zone)
    pinned = (Item.objects.filter(day__itinerary=draft, pinned=True).exclude(kind=ItemKind.STAY)
              .filter(Q(offering__isnull=False) | Q(place__isnull=False)))
    return [Wish(offering_id=item.offering_id, title=item.title, pinned=True, day=item.start.astimezone(tz).date(),
                 start_time=item.start.astimezone(tz).time(), by="expert") for item in pinned]


def planner_inputs(state: CoordinationState, pending: Sequence[tuple[str, dict]] = ()) -> list[Wish]:
    """Everything the next version should contain: moved items first (they win), then what
    the expert pinned in their draft, the expert's approved items and the traveler's wishes."""
    rejected = rejected_offering_ids(state.pk, pending)
    seen, items = set(), []
    for item in [*_moved_items(state, pending), *_draft_pins(state), *_expert_wishes(state), *wish_inputs(state)]:
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
    """Learned signals (vendor reliability, traveler history) from the provider an app
    above coordination registered (insights); None without one."""
    return hooks.planner_signals(request)


def _summary(itinerary) -> dict:
    # Counted in the database: this runs inside the command, with the state row locked.
    return {"days": itinerary.days.count(), "items": Item.objects.filter(day__itinerary=itinerary).count(),
            "total": {"amount": f"{itinerary.total}", "currency": itinerary.currency},
            "left_out": len(itinerary.left_out), "conflicts": len(itinerary.conflicts)}


def _with_expert_tips(plan: Plan, state: CoordinationState) -> Plan:
    """The expert's recommendations live on as the tips of the items they recommended."""
    recommended = recommendation_inputs(state)
    by_offering = {r.offering_id: r for r in recommended if r.offering_id}
    by_title = {r.title.casefold(): r for r in recommended}
    for item in plan.items:
        found = by_offering.get(item.offering_id) or by_title.get(item.title.casefold())
        if found is not None:
            item.tips = list(dict.fromkeys([*found.tips, *item.tips]))
    return plan


def itinerary_plan(state: CoordinationState, *, seed: int = 0, pending: Sequence[tuple[str, dict]] = ()) -> Plan:
    """The next version's plan for ``state`` (an unlocked :func:`engine.snapshot`), as if the
    ``pending`` ``(type, payload)`` events were recorded. Calls the planner and its providers
    (weather, travel times, currency, events, inventories): never under the state's lock."""
    plan = plan_for_request(state.request, wishes=planner_inputs(state, pending),
                            exclude_offering_ids=rejected_offering_ids(state.pk, pending),
                            keep=kept_pins(state), signals=_planner_signals(state.request), seed=seed)
    return _with_expert_tips(plan, state)


def _author(state: CoordinationState, actor) -> str:
    if actor is None:
        return "platform"
    return "expert" if state.expert and state.expert.user_id == actor.pk else "traveler"


def _publish(cmd: engine.Command, itinerary, author: str, *, replanned: dict | None = None) -> None:
    """Make ``itinerary`` the version the traveler sees (the current one supersedes; bookings
    still holding seats follow it): ``itinerary.proposed`` with the version and a summary,
    which every stakeholder hears, or ``itinerary.replanned`` with ``replanned`` (why and
    what changed) when the platform re-planned around a booking that fell through."""
    state = cmd.state
    if state.current_itinerary_id:
        ITINERARIES.move(state.current_itinerary, ItineraryState.SUPERSEDED)
        itinerary_save_state(itinerary=state.current_itinerary)
    ITINERARIES.move(itinerary, ItineraryState.PROPOSED)
    itinerary_save_state(itinerary=itinerary)
    _carry_bookings(state, itinerary)
    cmd.set(current_itinerary=itinerary)
    cmd.record("itinerary.replanned" if replanned else "itinerary.proposed",
               {"itinerary": itinerary.pk, "version": itinerary.version, "author": author,
                "summary": _summary(itinerary), **(replanned or {})})


def itinerary_propose(*, state_id: int, actor, plan: Plan, expected_version: int | None = None,
                      replanned: dict | None = None) -> CoordinationState:
    """Store ``plan`` as the next version and make it the current one; ``itinerary.proposed``
    with the version and a summary, or ``itinerary.replanned`` with ``replanned`` (why and
    what changed) when the platform re-planned around a booking that fell through.

    Precondition: the actor and phase were checked on the snapshot at ``expected_version``
    the plan was made from (Conflict ``state.version_conflict`` if it moved), or, without
    it, by an earlier command of the caller's transaction, which holds the lock.
    """
    with engine.command(state_id, actor=actor, expected_version=expected_version) as cmd:
        author = _author(cmd.state, actor)
        _publish(cmd, itinerary_create_from_plan(request=cmd.state.request, plan=plan, author_role=author), author,
                 replanned=replanned)
    return cmd.state


def itinerary_draft(*, state_id: int, actor, plan: Plan, expected_version: int) -> CoordinationState:
    """Store ``plan`` as the expert's draft (the previous draft is superseded); the traveler
    sees nothing until :func:`itinerary_send`. ``itinerary.drafted``, heard by the expert and
    staff only. Precondition as :func:`itinerary_propose` (checked on the snapshot)."""
    with engine.command(state_id, actor=actor, expected_version=expected_version) as cmd:
        previous = itinerary_draft_for_request(cmd.state.request_id)
        if previous is not None:
            ITINERARIES.move(previous, ItineraryState.SUPERSEDED)
            itinerary_save_state(itinerary=previous)
        draft = itinerary_create_from_plan(request=cmd.state.request, plan=plan, author_role="expert")
        cmd.record("itinerary.drafted", {"itinerary": draft.pk, "version": draft.version,
                                         "summary": _summary(draft)})
    return cmd.state


def _carry_bookings(state: CoordinationState, itinerary) -> None:
    """Bookings still holding seats follow the new version: each moves to the item that
    keeps its slot (a stay: the stay item of its hotel), so every output of the version
    shows its status and reference. Called inside the command that stores the version."""
    items = Item.objects.filter(day__itinerary=itinerary).filter(Q(slot__isnull=False) | Q(kind=ItemKind.STAY))
    by_slot = {i.slot_id: i.pk for i in items if i.slot_id}
    by_stay = {i.offering_id: i.pk for i in items if i.kind == ItemKind.STAY and i.offering_id}
    by_hotel = {provider_hotel_of(i.offer): i.pk for i in items if i.kind == ItemKind.STAY and i.offer}
    for booking in (Booking.objects.filter(state=state, status__in=HOLDING_STATUSES)
                    .select_related("offering", "vendor")):
        stay = booking.offering.kind == OfferingKind.STAY
        item_id = (by_hotel.get(booking.vendor.provider_hotel) or by_stay.get(booking.offering_id) if stay
                   else by_slot.get(booking.slot_id))
        if item_id and item_id != booking.item_id:
            Booking.objects.filter(pk=booking.pk).update(item_id=item_id)


def itinerary_generate(*, state_id: int, actor, seed: int = 0) -> CoordinationState:
    """Plan the next itinerary version (before taking the lock). The accepted expert's plan
    (or staff's on such a request) is a draft for them to edit and send
    (:func:`itinerary_draft`); the traveler's and the platform's is proposed at once
    (:func:`itinerary_propose`).

    ``actor=None`` is the platform (its own plan while no expert is free, allowed while
    matching); otherwise the traveler or the accepted expert, in planning.
    Errors: 403/404 for others; Conflict in other phases, ``state.version_conflict`` when
    another command changed the request while planning.
    """
    state = engine.snapshot(state_id)
    if actor is None:
        engine.require_phase(state, *GENERATE_PHASES)
    else:
        require_planner(state, actor)
        engine.require_phase(state, Phase.PLANNING)
    plan = itinerary_plan(state, seed=seed)
    store = itinerary_draft if actor is not None and plans_as_draft(actor, state) else itinerary_propose
    return store(state_id=state_id, actor=actor, plan=plan, expected_version=state.version)


def itinerary_send(*, state_id: int, actor) -> CoordinationState:
    """The expert sends their draft: it becomes the version the traveler sees
    (``itinerary.proposed``, which notifies the traveler).

    Errors: 403/404 for anyone but the accepted expert and staff; Conflict
    ``itinerary.no_draft`` without a draft; phase errors outside planning.
    """
    with engine.command(state_id, actor=actor) as cmd:
        _publish(cmd, require_draft(cmd.state, actor), "expert")
    return cmd.state


def require_draft(state: CoordinationState, actor):
    """The request's draft, if ``actor`` may edit it now; else the coded refusal."""
    require(can_edit_itinerary_draft(actor, state), actor, state, _("Only the request's expert can edit the draft."))
    engine.require_phase(state, Phase.PLANNING)
    draft = itinerary_draft_for_request(state.request_id)
    if draft is None:
        raise Conflict(_("There is no draft yet: generate one first."), code="itinerary.no_draft")
    return draft


def _record_and_replan(state: CoordinationState, actor, event: tuple[str, dict]) -> CoordinationState:
    """Record ``event`` (type, payload) on ``state`` (an unlocked snapshot) and the next version
    planned as if it were recorded, both or neither; planned before the lock."""
    plan = itinerary_plan(state, pending=[event])
    with transaction.atomic():
        with engine.command(state.pk, actor=actor, expected_version=state.version) as cmd:
            cmd.record(*event)
        return itinerary_propose(state_id=state.pk, actor=actor, plan=plan)


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
    The vendors' inventories are asked before the lock.

    Errors: Conflict ``itinerary.none`` without a current version; phase errors;
    ``state.version_conflict`` when another command changed the request meanwhile.
    """
    state = engine.snapshot(state_id)
    require_traveler(state, actor)
    engine.require_phase(state, Phase.PLANNING)
    return _approve_and_book(state, actor, "itinerary.approved")


def itinerary_change_accept(*, state_id: int, actor) -> CoordinationState:
    """The expert or the traveler accepts the version the platform re-planned while booking
    (:func:`itinerary_replan_fallthrough`): ``itinerary.change_accepted``, then its new
    vendor items are requested like an approval's (``state.unbooked`` lists refusals).
    Errors: like :func:`itinerary_approve`; ``itinerary.transition_not_allowed`` when the
    current version is not a proposal."""
    state = engine.snapshot(state_id)
    require_planner(state, actor)
    engine.require_phase(state, *REPLAN_PHASES)
    return _approve_and_book(state, actor, "itinerary.change_accepted")


def _approve_and_book(state: CoordinationState, actor, event_type: str) -> CoordinationState:
    """Approve the current version of ``state`` (a snapshot checked by the caller) with one
    ``event_type`` event, planning → booking (→ confirmed with nothing to book), then book
    its vendor items; the inventories are asked before the lock."""
    itinerary = state.current_itinerary
    if itinerary is None:
        raise Conflict(_("There is no itinerary to approve yet."), code="itinerary.none")
    # A slot deleted since the snapshot was read refuses the approval (404): nothing is written yet.
    to_book = [(item, _offer(item)) for item in _items_to_book(state)]
    with transaction.atomic():
        with engine.command(state.pk, actor=actor, expected_version=state.version) as cmd:
            ITINERARIES.move(itinerary, ItineraryState.APPROVED)
            itinerary_save_state(itinerary=itinerary)
            if cmd.state.phase == Phase.PLANNING:
                cmd.transition(Phase.BOOKING)
                if not to_book:
                    cmd.transition(Phase.CONFIRMED)
            cmd.record(event_type, {"itinerary": itinerary.pk, "version": itinerary.version,
                                    "to_book": [item.pk for item, offer in to_book], "phase": cmd.state.phase})
        state = cmd.state
        state.unbooked = [failure for item, offer in to_book
                          if (failure := _request_booking(state, item, actor, offer))]
    return state


def itinerary_replan_fallthrough(*, booking_id: int) -> CoordinationState | None:
    """A vendor declined or a hold expired (a task after ``booking.declined`` /
    ``booking.expired``): re-plan the current version around it with the planner's
    :func:`~apps.itineraries.planner.replan.replan` (confirmed items stay, others keep their
    place, the gap gets the best alternative; the offering that fell through is left out),
    planned before the lock, and propose it as ``itinerary.replanned`` for the expert or the
    traveler to accept (:func:`itinerary_change_accept`): never a silent edit. Nothing to do
    (returns None) when the booking was not of the current version or the request is no
    longer booking. Errors: ``state.version_conflict`` when the request changed meanwhile."""
    booking = Booking.objects.select_related("item__day", "offering").get(pk=booking_id)
    state = engine.snapshot(booking.state_id)
    item = booking.item
    if (state.phase not in REPLAN_PHASES or booking.status not in FELL_THROUGH or item is None
            or item.day.itinerary_id != state.current_itinerary_id):
        return None
    plan, changes = replan(state.current_itinerary, change=Change(declined_offering_ids=[booking.offering_id]),
                           wishes=planner_inputs(state))
    because = {"booking": booking.pk, "title": booking.offering.title, "status": booking.status,
               "day": item.day.date.isoformat()}
    return itinerary_propose(state_id=state.pk, actor=None, plan=plan, expected_version=state.version,
                             replanned={"because": because, "changes": changes})


def _items_to_book(state: CoordinationState) -> list[Item]:
    """Vendor items of the current version that no booking of the request holds: items
    with a slot not held, and stays (one item from check-in to check-out) whose hotel
    (a platform offering, or a hotel provider's offer) holds no booking."""
    holding = Booking.objects.filter(state=state, status__in=HOLDING_STATUSES)
    held_hotels = set(holding.exclude(vendor__provider_hotel="").values_list("vendor__provider_hotel", flat=True))
    items = (Item.objects.filter(day__itinerary_id=state.current_itinerary_id)
             .filter(Q(slot__isnull=False) | Q(kind=ItemKind.STAY, offering__isnull=False)
                     | Q(kind=ItemKind.STAY, offer__isnull=False))
             .exclude(slot_id__in=holding.filter(slot__isnull=False).values("slot_id"))
             .exclude(kind=ItemKind.STAY, offering_id__in=holding.values("offering_id"))
             .select_related("offering__vendor", "day__itinerary").order_by("start"))
    return [item for item in items if not item.offer or provider_hotel_of(item.offer) not in held_hotels]


def provider_hotel_of(offer: dict) -> str:
    """The ``Vendor.provider_hotel`` key of the hotel a provider's offer is for."""
    return f"{offer['provider']}:{offer['hotel_id']}"[:96]


def stay_nights_of(item: Item) -> tuple[dt.date, int]:
    """A stay item's first night and number of nights, in the hotel's time zone."""
    tz = ZoneInfo(item.offering.vendor.time_zone)
    first = item.start.astimezone(tz).date()
    return first, max((item.end.astimezone(tz).date() - first).days, 1)


def _offer(item: Item) -> SlotOffer | DomainError | None:
    """What the vendor's inventory says of the item's slot; for a stay, of its first night's
    slot and the nights after it, where a missing night is a refusal (returned, not raised,
    as :func:`_request_booking` reports it); None for a hotel provider's offer (its
    provider is asked after the booking is written)."""
    if item.offer:
        return None
    if item.kind != ItemKind.STAY:
        return slot_offer(item.slot_id)
    try:
        return stay_offer(item.offering_id, *stay_nights_of(item))
    except DomainError as exc:
        return exc


def seats_for(request, price_unit: str) -> int:
    """The quantity the request books of an offering priced by ``price_unit``
    (:func:`apps.vendors.pricing.quantity_for`: guests of a wedding or event per guest)."""
    return quantity_for(price_unit, party=request.party_size, guests=request.guest_count)


def _quantity(state: CoordinationState, item: Item) -> int:
    return seats_for(state.request, item.offering.price_unit if item.offering else PriceUnit.PER_PERSON)


def _request_booking(state: CoordinationState, item: Item, actor, offer: SlotOffer | DomainError | None) -> dict | None:
    """Book one item (a stay: one booking for all its nights; a hotel provider's offer: at
    that provider); a refusal (sold out, too late, a night without a room…) is returned,
    not raised."""
    try:
        if isinstance(offer, DomainError):
            raise offer
        if offer is None:
            booking_request_offer(state_id=state.pk, actor=actor, item_id=item.pk,
                                  quantity=seats_for(state.request, PriceUnit.PER_NIGHT),
                                  idempotency_key=f"itinerary-item-{item.pk}")
            return None
        booking_request(state_id=state.pk, actor=actor, slot_id=offer.slot.pk, quantity=_quantity(state, item),
                        item_id=item.pk, idempotency_key=f"itinerary-item-{item.pk}", offer=offer,
                        quoted_at=item.day.itinerary.created_at)
    except DomainError as exc:
        return {"item": item.pk, "title": item.title, "code": exc.code, "reason": exc.message}
    return None


def _item_to_change(state: CoordinationState, actor, item_id: int) -> Item:
    """The item of the current version the traveler rejects or moves, checked on ``state``."""
    require_traveler(state, actor)
    engine.require_phase(state, Phase.PLANNING)
    return _current_item(state, item_id)


def itinerary_item_reject(*, state_id: int, actor, item_id: int, reason: str = "") -> CoordinationState:
    """The traveler rejects a vendor item of the proposed version: ``itinerary.item_rejected``,
    then the next version is planned without that offering (``itinerary.proposed``)."""
    state = engine.snapshot(state_id)
    item = _item_to_change(state, actor, item_id)
    if item.offering_id is None:
        raise DomainError(_("Only a vendor's item can be rejected."), code="itinerary.not_an_offering")
    return _record_and_replan(state, actor, ("itinerary.item_rejected", {
        "item": item.pk, "offering": item.offering_id, "title": item.title, "reason": reason}))


def itinerary_item_modify(*, state_id: int, actor, item_id: int, day: dt.date, time: dt.time,
                          note: str = "") -> CoordinationState:
    """The traveler moves a vendor item to another local day and time: ``itinerary.item_modified``
    (kept as a pin for every later version), then re-plan (``itinerary.proposed``)."""
    state = engine.snapshot(state_id)
    item = _item_to_change(state, actor, item_id)
    request = state.request
    if item.offering_id is None or not request.start_date <= day <= request.end_date:
        raise DomainError(_("Move a vendor item to a day of your trip."), code="itinerary.bad_move",
                          fields={"day": _("Choose a day of your trip.")})
    return _record_and_replan(state, actor, ("itinerary.item_modified", {
        "item": item.pk, "offering": item.offering_id, "title": item.title, "day": day.isoformat(),
        "time": time.strftime("%H:%M"), "note": note}))
