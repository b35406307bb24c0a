"""Booking commands: request, vendor answers, expiry, cancellation, completion, check-in,
payment schedules.

Each function is one engine command (one transaction, one event): it locks the state,
then the booking row (``select_for_update``), checks ``BOOKING_TRANSITIONS``, writes, and
records one event whose vendor copy holds only that booking's fields. A command whose
target is already reached writes nothing (idempotent retry).

Seats: ``booking_request`` holds them at once with one conditional UPDATE (pending holds
count against capacity); they are released exactly once, by the command that moves the
booking out of a holding status (declined, expired, cancelled) under the booking lock.

Phase coupling (no extra event): bookings may be requested while the request is in
``booking`` or ``confirmed``. After every booking command the phase follows the bookings
in the same command: a ``confirmed`` request with an open (requested/pending) booking goes
back to ``booking``; a ``booking`` request with no open booking and at least one confirmed
goes to ``confirmed``. The event payload then carries ``phase_changed_to``.

Lock order everywhere: state → booking → slot, so commands cannot deadlock.
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.commit import enqueue
from apps.core.errors import Conflict, DomainError, NotFound
from apps.core.ids import parse_int
from apps.experts.models import BookingPreference
from apps.itineraries.models import Item
from apps.requests.models import ExperienceType
from apps.vendors import inventory
from apps.vendors.models import Confirmation, Offering, PriceUnit, Slot
from apps.vendors.pricing import offer_refund, quote, quote_stay, refund, seats_taken, with_price_rules
from apps.vendors.selectors import slot_find_alternative, stay_nights
from apps.vendors.services import HOTELS, slot_hold, slot_release, slots_hold, slots_release
from apps.vendors.supplier import octo_settings, supplier_backed

from .. import engine
from ..access import can_manage_bookings, can_respond_to_booking, can_set_payment_schedule, require
from ..models import (
    Booking,
    HandledBy,
    PaymentInstallment,
    ShortlistEntry,
    SupplierReservation,
    VendorResponse,
)
from ..phases import (
    CHECK_IN_OPENS_HOURS,
    HOLDING_STATUSES,
    BOOKINGS,
    OPEN_PHASES,
    BookingStatus,
    Phase,
    check_in_open,
)
from ..presenters import alternative_json, booking_json, installment_json

OPEN_STATUSES = frozenset({BookingStatus.REQUESTED, BookingStatus.PENDING})
BOOKABLE_PHASES = (Phase.BOOKING, Phase.CONFIRMED)
CONFIRM_TASK = "apps.coordination.booking_tasks.confirm_instant_booking"
REPLAN_TASK = "apps.coordination.booking_tasks.replan_after_fallthrough"
SUPPLIER_TASK = "apps.coordination.booking_tasks.reconcile_supplier_booking"
REQUEST_NOT_FOUND = "booking.request_not_found"


# --- helpers -------------------------------------------------------------------------

def _require_participant(actor, booking: Booking | None, state) -> None:
    """The client side (traveler, expert of the request, staff); the booking's vendor → 403; others → 404."""
    require(can_manage_bookings(actor, state), actor, state, _("Only the traveler or the expert can do this."),
            booking=booking, code="booking.participant_only",
            missing_code="booking.not_found" if booking else REQUEST_NOT_FOUND,
            missing_message=_("No such booking.") if booking else _("No such request."))


def _require_vendor_side(actor, booking: Booking, state) -> None:
    """The booking's vendor, staff, or the system (``actor=None``); participants → 403; others → 404."""
    require(can_respond_to_booking(actor, booking), actor, state, _("Only the vendor can answer a booking request."),
            booking=booking, code="booking.vendor_only", missing_code="booking.not_found",
            missing_message=_("No such booking."))


def held_slot_ids(booking: Booking) -> list[int]:
    """Every slot the booking holds seats on: a stay's nights, else its one slot."""
    return list(booking.nights.values_list("pk", flat=True)) or ([booking.slot_id] if booking.slot_id else [])


def _move(booking: Booking, target: str) -> None:
    """Set the status if the table allows it; leaving a holding status releases the seats
    (on every night of a stay)."""
    held = booking.status in HOLDING_STATUSES
    BOOKINGS.move(booking, target)
    if held and target not in HOLDING_STATUSES and booking.slot_id:
        slots_release(slot_ids=held_slot_ids(booking), quantity=booking.seats)


def _couple_phase(cmd, booking: Booking) -> str | None:
    """Let the phase follow the bookings (see the module docstring); returns the new phase.

    When ``booking`` itself is open the answer does not depend on the others, so they are
    read only otherwise (this keeps ``booking_request`` a query shorter)."""
    if booking.status in OPEN_STATUSES:
        statuses = {booking.status}
    else:
        statuses = set(Booking.objects.filter(state=cmd.state).values_list("status", flat=True))
    phase = cmd.state.phase
    if phase == Phase.CONFIRMED and statuses & OPEN_STATUSES:
        cmd.transition(Phase.BOOKING)
        return Phase.BOOKING
    if phase == Phase.BOOKING and not statuses & OPEN_STATUSES and BookingStatus.CONFIRMED in statuses:
        cmd.transition(Phase.CONFIRMED)
        return Phase.CONFIRMED
    return None


def _finish(cmd, booking: Booking, event_type: str, **extra) -> None:
    """Record the command's one event: full payload for the request, booking-only for its vendor."""
    data = booking_json(booking)
    payload = {"booking": data, **extra}
    new_phase = _couple_phase(cmd, booking)
    if new_phase:
        payload["phase_changed_to"] = new_phase
    cmd.record(event_type, payload, vendors={booking.vendor_id: {"booking": data}},
               vendor_users={booking.vendor_id: booking.vendor.user_id})
    if supplier_backed(booking.vendor):  # its twin in the vendor's own system follows, after commit
        enqueue(SUPPLIER_TASK, booking.pk)


@contextmanager
def _booking_command(booking_id: int, actor):
    """Engine command on the booking's state with the booking row locked too."""
    state_id = Booking.objects.filter(pk=booking_id).values_list("state_id", flat=True).first()
    if state_id is None:
        raise NotFound(_("No such booking."), code="booking.not_found")
    with engine.command(state_id, actor=actor) as cmd:
        booking = (Booking.objects.select_for_update(of=("self",))
                   .select_related("vendor", "offering", "slot__offering").get(pk=booking_id))
        yield cmd, booking


def open_booking_request(cmd, actor, idempotency_key: str | None) -> Booking | None:
    """The checks every booking request starts with, in its command: a participant (else
    404/403); the first booking of the same ``idempotency_key`` if any (returned, nothing
    written); else the request must be booking or confirmed."""
    _require_participant(actor, None, cmd.state)
    if idempotency_key:
        existing = Booking.objects.filter(state=cmd.state, idempotency_key=idempotency_key).first()
        if existing is not None:
            cmd.skip()
            return existing
    cmd.require_phase(*BOOKABLE_PHASES)
    return None


def _deadline(hours: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours or settings.TRAVELOURE["BOOKING_DEFAULT_DEADLINE_HOURS"])


def _reference_prefix(booking: Booking) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", booking.offering.title).upper()[:3] or "BKG"
    day = booking.slot.start.astimezone(ZoneInfo(booking.vendor.time_zone)) if booking.slot_id else timezone.now()
    return f"{booking.vendor.code.upper()}-{letters}-{day:%Y%m%d}-"


def _save_with_reference(booking: Booking, fields: list[str], attempts: int = 5) -> None:
    """Save with a generated reference ``CODE-OFF-YYYYMMDD-NNN`` (vendor code, offering,
    local date, sequence), retrying the next number if another booking took it meanwhile."""
    prefix = _reference_prefix(booking)
    taken = Booking.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    seq = max((n for ref in taken if (n := parse_int(ref[len(prefix):])) is not None), default=0)
    for n in range(seq + 1, seq + 1 + attempts):
        booking.reference = f"{prefix}{n:03d}"
        try:
            with transaction.atomic():
                booking.save(update_fields=[*fields, "reference"])
            return
        except IntegrityError:
            continue
    raise Conflict(_("Could not allocate a booking reference; try again."), code="booking.reference_busy")


def _confirm(booking: Booking, actor, reference: str | None) -> None:
    _move(booking, BookingStatus.CONFIRMED)
    booking.confirmed_by = actor if getattr(actor, "pk", None) else None
    booking.confirmed_at = timezone.now()
    fields = ["status", "confirmed_by", "confirmed_at", "slot", "offering", "price", "discount", "updated_at"]
    if reference:
        if Booking.objects.filter(reference=reference).exclude(pk=booking.pk).exists():
            raise DomainError(_("This reference is already used by another booking."), code="booking.reference_taken",
                              fields={"reference": _("Already used.")})
        booking.reference = reference
        booking.save(update_fields=[*fields, "reference"])
    else:
        _save_with_reference(booking, fields)


class SlotOffer(NamedTuple):
    """A slot and what its vendor's inventory said of it (see :func:`slot_offer`); for a stay
    of several nights, ``nights`` holds every night's slot, ``slot`` first."""

    slot: Slot
    known: inventory.Availability
    nights: tuple[Slot, ...] = ()


def slot_offer(slot_id: int, *, nights: int = 1) -> SlotOffer:
    """Ask the slot's vendor inventory whether it still offers the slot (and, for a stay of
    ``nights`` nights starting with it, the slot of each following night). The adapter may
    wait on the network: call it before any transaction, and pass the answer to
    :func:`booking_request`. Errors: ``booking.slot_not_found`` (404), ``booking.unavailable``
    (409) when a night of the stay has no slot."""
    slot = with_price_rules(Slot.objects.select_related("offering__vendor")).filter(pk=slot_id).first()
    if slot is None:
        raise NotFound(_("No such slot."), code="booking.slot_not_found")
    if nights <= 1:
        return SlotOffer(slot, inventory.slot_availability(slot))
    offer = stay_offer(slot.offering_id, slot.start.astimezone(ZoneInfo(slot.offering.vendor.time_zone)).date(),
                       nights)
    if offer.slot.pk != slot.pk:
        raise Conflict(_("This slot is not the first night of the stay."), code="booking.invalid")
    return offer


def stay_offer(offering_id: int, first_night: dt.date, nights: int) -> SlotOffer:
    """:func:`slot_offer` for a stay of ``nights`` nights of a hotel offering from the local
    date ``first_night``. Errors: ``booking.unavailable`` (409) when a night has no slot."""
    stay = stay_nights(offering_id, first_night, nights)
    if len(stay) < nights:
        offering = Offering.objects.get(pk=offering_id)
        raise Conflict(_("%(offering)s has no room on every night from %(day)s.")
                       % {"offering": offering.title, "day": first_night.isoformat()}, code="booking.unavailable")
    known = inventory.slot_availability(*stay)
    return SlotOffer(stay[0], known, tuple(stay) if nights > 1 else ())


# --- commands ------------------------------------------------------------------------

def booking_request(*, state_id: int | None = None, actor, slot_id: int, quantity: int, item_id: int | None = None,
                    request_id: int | None = None,
                    idempotency_key: str | None = None, offer: SlotOffer | None = None, nights: int = 1,
                    quoted_at: dt.datetime | None = None) -> Booking:
    """Hold ``quantity`` seats of a slot for the request and start the vendor's confirmation.
    A stay of ``nights`` nights is one booking holding ``quantity`` rooms on each night's
    slot (all or none), priced night by night. An offering priced per guest (a caterer)
    books ``quantity`` guests on one event of the slot, at most the offering's ``max_guests``.
    ``quoted_at``: when the price the traveler approved was quoted (the itinerary version):
    the price rules of that moment apply, so that the approved price is the price booked.

    The request is ``state_id``'s, or ``request_id`` (no such request, or one the actor may
    not see → NotFound ``booking.request_not_found``).

    Preconditions: actor is the traveler, the request's expert or staff (else 404); the
    request is in ``booking`` or ``confirmed``; the slot starts after the vendor's minimum
    notice. Asks the vendor's inventory first (outside the lock), unless the caller passes
    ``offer``, the :func:`slot_offer` of ``slot_id`` it asked before its own transaction; if
    the inventory is down the last known slots are used and the booking needs manual
    confirmation (the expert hears of it through the event's ``inventory_unavailable``).

    Side effects: seats taken with one conditional UPDATE; price from the slot and the
    price rules, or the price agreed in a wedding/event negotiation for this offering; instant vendors → status ``requested`` and a confirmation task enqueued
    after commit; manual ones → ``pending`` with a deadline. Event ``booking.requested``.
    The same ``idempotency_key`` on the same request returns the first booking.

    Errors: ``booking.sold_out`` (409), ``booking.too_late`` (409), ``booking.unavailable``
    (409), ``booking.invalid`` (400), ``state.wrong_phase`` (409).
    """
    if quantity < 1:
        raise DomainError(_("Book at least one seat."), code="booking.invalid", fields={"quantity": _("At least 1.")})
    slot, known, stay = offer or slot_offer(slot_id, nights=nights)
    held = [night.pk for night in stay] or [slot.pk]
    vendor = slot.offering.vendor
    if slot.offering.price_unit == PriceUnit.PER_GUEST and quantity > (slot.offering.max_guests or quantity):
        raise DomainError(_("%(offering)s serves at most %(n)s guests.") % {
            "offering": slot.offering.title, "n": slot.offering.max_guests}, code="booking.invalid",
            fields={"quantity": _("At most %(n)s.") % {"n": slot.offering.max_guests}})
    with engine.command(state_id, actor=actor, request_id=request_id, missing_code=REQUEST_NOT_FOUND) as cmd:
        state = cmd.state
        existing = open_booking_request(cmd, actor, idempotency_key)
        if existing is not None:
            return existing
        if item_id is not None and not Item.objects.filter(pk=item_id, day__itinerary__request_id=state.request_id).exists():
            raise DomainError(_("The item is not part of this request's itinerary."), code="booking.invalid",
                              fields={"item": _("Unknown item.")})
        if not (vendor.is_active and slot.offering.is_active) or not set(held) <= {s.pk for s in known.slots}:
            raise Conflict(_("This slot is no longer offered."), code="booking.unavailable")
        now = timezone.now()
        if slot.start - now < dt.timedelta(hours=vendor.min_notice_hours):
            raise Conflict(_("%(vendor)s needs at least %(hours)s hours' notice; this slot starts too soon.")
                           % {"vendor": vendor.name, "hours": vendor.min_notice_hours}, code="booking.too_late")
        # Priced before the seats are taken: the slot row stays locked from the hold to the
        # commit, so every statement after it delays the next booking of a busy slot.
        priced_at = min(quoted_at or now, now)
        price = (quote_stay(stay, quantity, booked_at=priced_at) if stay
                 else quote(slot, quantity, booked_at=priced_at))
        # Weddings and events negotiate prices on their shortlist; travel never does.
        agreed = None if state.request.experience_type == ExperienceType.TRAVEL else (
            ShortlistEntry.objects.filter(state=state, offering=slot.offering, status=ShortlistEntry.Status.AGREED)
            .values_list("agreed_price", "currency").first())
        per_guest = slot.offering.price_unit == PriceUnit.PER_GUEST
        if not slots_hold(slot_ids=held, quantity=seats_taken(slot.offering.price_unit, quantity)):
            raise Conflict(_("Sold out: fewer than %(n)s rooms are left on one of these nights.") % {"n": quantity}
                           if stay else _("Sold out: this event time is already taken.") if per_guest
                           else _("Sold out: fewer than %(n)s seats are left in this slot.") % {"n": quantity},
                           code="booking.sold_out")
        manual = vendor.confirmation == Confirmation.MANUAL or known.stale
        # A supplier-backed booking is held in the vendor's own system until this deadline.
        backed = supplier_backed(vendor)
        deadline = (_deadline(vendor.response_deadline_hours) if manual else
                    now + dt.timedelta(minutes=octo_settings()["hold_minutes"]) if backed else None)
        expert_handles = state.expert_id and state.expert.booking_preference == BookingPreference.HANDLE_ALL
        booking = Booking.objects.create(
            state=state, vendor=vendor, offering=slot.offering, slot=slot, item_id=item_id, quantity=quantity,
            status=BookingStatus.PENDING if manual else BookingStatus.REQUESTED,
            handled_by=HandledBy.EXPERT if expert_handles else HandledBy.TRAVELER,
            requested_by=actor, deadline=deadline,
            price=agreed[0] if agreed else price.total, discount=0 if agreed else price.discount,
            currency=agreed[1] if agreed else price.currency,
            needs_manual_confirmation=known.stale, idempotency_key=idempotency_key or None,
        )
        if stay:
            booking.nights.set(stay)
        # A new booking has no installments yet (a payment schedule comes later): whoever
        # answers with it (the REST create) does not read them.
        prefetch_related_objects([booking], Prefetch("installments", queryset=PaymentInstallment.objects.none()))
        extra = {"pricing": {"agreed": f"{agreed[0]}"} if agreed else
                 {"base": f"{price.base}", "discount": f"{price.discount}", "rules": price.rules}}
        if known.stale:
            extra["inventory_unavailable"] = {"error": known.error, "notify": "expert"}
        _finish(cmd, booking, "booking.requested", **extra)
        if not manual and not backed:
            enqueue(CONFIRM_TASK, booking.pk)
    return booking


def booking_confirm(*, booking_id: int, actor, reference: str | None = None) -> Booking:
    """The vendor (or, for instant vendors, the system with ``actor=None``) confirms.

    Without ``reference`` one is generated (``CODE-OFF-YYYYMMDD-NNN``). Already confirmed
    → no change. Errors: 404/403 by role, ``booking.transition_not_allowed``,
    ``booking.reference_taken``, ``state.wrong_phase`` (request closed). Event
    ``booking.confirmed``.
    """
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_vendor_side(actor, booking, cmd.state)
        if booking.status == BookingStatus.CONFIRMED:
            cmd.skip()
            return booking
        cmd.require_phase(*OPEN_PHASES)
        _confirm(booking, actor, reference)
        _finish(cmd, booking, "booking.confirmed")
    return booking


def _with_alternative(cmd, booking: Booking, event_type: str, fields: list[str]) -> None:
    """Save a booking that fell through and record the event with the next best slot; the
    itinerary is re-planned around it after commit, as a change to accept (a task)."""
    booking.save(update_fields=[*fields, "updated_at"])
    alternative = slot_find_alternative(booking.slot, booking.seats) if booking.slot_id else None
    _finish(cmd, booking, event_type, alternative=alternative_json(alternative) if alternative else None)
    if booking.item_id:
        enqueue(REPLAN_TASK, booking.pk)


def booking_decline(*, booking_id: int, actor, reason: str) -> Booking:
    """The vendor declines with a reason; seats released; the next best slot is offered in
    the event (``alternative``). Already declined → no change. Event ``booking.declined``."""
    if not reason.strip():
        raise DomainError(_("Say why the request is declined."), code="booking.reason_required",
                          fields={"reason": _("This field is required.")})
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_vendor_side(actor, booking, cmd.state)
        if booking.status == BookingStatus.DECLINED:
            cmd.skip()
            return booking
        _move(booking, BookingStatus.DECLINED)
        booking.decline_reason = reason.strip()
        _with_alternative(cmd, booking, "booking.declined", ["status", "decline_reason"])
    return booking


def booking_propose(*, booking_id: int, actor, slot_id: int | None = None, price: Decimal | None = None,
                    note: str = "") -> Booking:
    """The vendor proposes another slot (its own) and/or price for a pending booking; the
    traveler or expert may accept it (:func:`booking_proposal_accept`) before the new
    deadline. Seats stay held on the original slot until then. The same proposal again →
    no change. Errors: ``booking.not_pending``, ``booking.invalid``. Event ``booking.proposed``."""
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_vendor_side(actor, booking, cmd.state)
        if booking.status != BookingStatus.PENDING:
            raise Conflict(_("Only a pending request can get a counter-proposal."), code="booking.not_pending")
        errors = {}
        alt = None
        if slot_id is not None:
            alt = Slot.objects.filter(pk=slot_id, offering__vendor_id=booking.vendor_id,
                                      start__gt=timezone.now()).select_related("offering").first()
            if alt is None or alt.capacity_available < booking.seats:
                errors["slot"] = _("Choose one of your future slots with enough free seats.")
        if price is not None and price <= 0:
            errors["price"] = _("The price must be positive.")
        if slot_id is None and price is None:
            errors["slot"] = _("Propose another slot or another price.")
        if slot_id is not None and booking.nights.exists():
            errors["slot"] = _("A stay's nights follow the trip: propose another price.")
        if errors:
            raise DomainError(_("The proposal has invalid fields."), code="booking.invalid", fields=errors)
        proposal = {"slot": alt.pk if alt else None, "start": alt.start.isoformat() if alt else None,
                    "price": f"{price}" if price is not None else None, "currency": booking.currency,
                    "note": note.strip()}
        if booking.proposal == proposal:
            cmd.skip()
            return booking
        booking.proposal = proposal
        booking.deadline = _deadline(0)
        booking.save(update_fields=["proposal", "deadline", "updated_at"])
        _finish(cmd, booking, "booking.proposed")
    return booking


def booking_proposal_accept(*, booking_id: int, actor) -> Booking:
    """The traveler or expert accepts the vendor's proposal: the seats move to the proposed
    slot (held there first, so never oversold), the price becomes the proposed one (or the
    new slot's quote), and the booking is confirmed with a generated reference.
    Errors: ``booking.no_proposal``, ``booking.sold_out``. Event ``booking.proposal_accepted``."""
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_participant(actor, booking, cmd.state)
        if booking.status == BookingStatus.CONFIRMED and booking.proposal.get("accepted"):
            cmd.skip()
            return booking
        if booking.status != BookingStatus.PENDING or not booking.proposal:
            raise Conflict(_("There is no open proposal for this booking."), code="booking.no_proposal")
        cmd.require_phase(*OPEN_PHASES)
        new_slot_id = booking.proposal.get("slot")
        if new_slot_id and new_slot_id != booking.slot_id:
            if not slot_hold(slot_id=new_slot_id, quantity=booking.seats):
                raise Conflict(_("The proposed slot is sold out meanwhile."), code="booking.sold_out")
            slot_release(slot_id=booking.slot_id, quantity=booking.seats)
            booking.slot = Slot.objects.select_related("offering").get(pk=new_slot_id)
            booking.offering = booking.slot.offering
            price = quote(booking.slot, booking.quantity, booked_at=timezone.now())
            booking.price, booking.discount = price.total, price.discount
        if booking.proposal.get("price"):
            booking.price, booking.discount = Decimal(booking.proposal["price"]), Decimal("0")
        booking.proposal = {**booking.proposal, "accepted": True}
        _confirm(booking, actor, None)
        booking.save(update_fields=["proposal"])
        _finish(cmd, booking, "booking.proposal_accepted")
    return booking


def booking_expire(*, booking_id: int, actor=None) -> Booking:
    """A pending booking passed its deadline: expire it, release the seats and offer the
    next best slot (``alternative`` in the event). Already expired → no change.
    Errors: ``booking.not_overdue``. Event ``booking.expired``."""
    with _booking_command(booking_id, actor) as (cmd, booking):
        if booking.status == BookingStatus.EXPIRED:
            cmd.skip()
            return booking
        if booking.status != BookingStatus.PENDING or booking.deadline is None or booking.deadline > timezone.now():
            raise Conflict(_("This booking is not overdue."), code="booking.not_overdue")
        _move(booking, BookingStatus.EXPIRED)
        _with_alternative(cmd, booking, "booking.expired", ["status"])
    return booking


class Refund(NamedTuple):
    amount: Decimal
    percent: Decimal
    hours_before: float


def refund_due(booking: Booking, *, now: dt.datetime | None = None) -> Refund:
    """What cancelling ``booking`` at ``now`` gives back: a booking its vendor has not
    confirmed yet in full, a confirmed one under the vendor's cancellation tiers by the hours
    left before its start. :func:`booking_cancel` and the cancellation preview both ask
    here, so the refund previewed is the refund given. Reads the booking's slot and vendor."""
    now = now or timezone.now()
    offer = provider_offer(booking)
    if offer is not None:  # a hotel provider's offer: its own terms
        check_in = dt.datetime.combine(dt.date.fromisoformat(offer["check_in"]), dt.time(),
                                       ZoneInfo(booking.vendor.time_zone))
        free_until = offer.get("free_cancellation_until")
        amount, percent = (offer_refund(booking.price, now=now, free_until=free_until and dt.datetime.fromisoformat(
            free_until)) if booking.status == BookingStatus.CONFIRMED else refund(booking.price, [], hours_before=0))
        return Refund(amount, percent, (check_in - now).total_seconds() / 3600)
    hours_before = (booking.slot.start - now).total_seconds() / 3600 if booking.slot_id else 0
    tiers = booking.vendor.cancellation_tiers if booking.status == BookingStatus.CONFIRMED else []
    amount, percent = refund(booking.price, tiers, hours_before=hours_before)
    return Refund(amount, percent, hours_before)


def provider_offer(booking: Booking) -> dict | None:
    """The hotel provider's offer a booking was made from (its terms), else None (one query
    for such a booking only)."""
    if booking.vendor.inventory_adapter != HOTELS:
        return None
    return SupplierReservation.objects.filter(booking=booking).values_list("offer", flat=True).first()


def booking_cancel(*, booking_id: int, actor, reason: str = "") -> Booking:
    """The traveler, expert or staff cancels; seats released; the refund follows the vendor's
    cancellation tiers by the hours left before the start (a booking the vendor has not
    confirmed yet is refunded in full). Already cancelled → no change. Event
    ``booking.cancelled`` with ``refund`` and ``refund_percent``."""
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_participant(actor, booking, cmd.state)
        if booking.status == BookingStatus.CANCELLED:
            cmd.skip()
            return booking
        due = refund_due(booking)
        _move(booking, BookingStatus.CANCELLED)
        booking.refund_amount, percent, hours_before = due
        booking.save(update_fields=["status", "refund_amount", "updated_at"])
        _finish(cmd, booking, "booking.cancelled", reason=reason, refund_percent=f"{percent}",
                hours_before=round(hours_before, 1))
    return booking


def booking_complete(*, booking_id: int, actor) -> Booking:
    """The vendor, staff or system closes a confirmed booking once it has started.
    Errors: ``booking.not_started``. Event ``booking.completed``."""
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_vendor_side(actor, booking, cmd.state)
        if booking.status == BookingStatus.COMPLETED:
            cmd.skip()
            return booking
        if booking.slot_id and booking.slot.start > timezone.now():
            raise Conflict(_("A booking can be completed once it has started."), code="booking.not_started")
        _move(booking, BookingStatus.COMPLETED)
        booking.save(update_fields=["status", "updated_at"])
        _finish(cmd, booking, "booking.completed")
    return booking


def booking_mark_arrived(*, booking_id: int, actor) -> Booking:
    """Day-of check-in by the vendor: a confirmed booking whose slot starts within
    ``CHECK_IN_OPENS_HOURS`` or started earlier that day (vendor's time zone). Already
    checked in → no change. Errors: ``booking.not_confirmed``, ``booking.not_today``. Event ``booking.arrived`` (traveler and expert see it)."""
    with _booking_command(booking_id, actor) as (cmd, booking):
        _require_vendor_side(actor, booking, cmd.state)
        if booking.arrived_at is not None:
            cmd.skip()
            return booking
        if booking.status != BookingStatus.CONFIRMED:
            raise Conflict(_("Only confirmed bookings can be checked in."), code="booking.not_confirmed")
        if booking.slot_id is None or not check_in_open(booking.slot.start, booking.vendor.time_zone):
            raise Conflict(_("Check-in opens %(hours)s hours before the start and closes at the end of that day.")
                           % {"hours": CHECK_IN_OPENS_HOURS}, code="booking.not_today")
        booking.arrived_at = timezone.now()
        booking.save(update_fields=["arrived_at", "updated_at"])
        _finish(cmd, booking, "booking.arrived")
    return booking


def booking_remind_vendor(*, booking_id: int) -> Booking:
    """System: remind the vendor of a pending request's deadline and escalate to the expert
    (both hear of event ``booking.reminder_sent``). Once per booking; else no change."""
    with _booking_command(booking_id, None) as (cmd, booking):
        if booking.status != BookingStatus.PENDING or booking.reminded_at is not None:
            cmd.skip()
            return booking
        booking.reminded_at = timezone.now()
        booking.save(update_fields=["reminded_at", "updated_at"])
        _finish(cmd, booking, "booking.reminder_sent", escalated_to_expert=bool(cmd.state.expert_id))
    return booking


def booking_supplier_trouble(*, booking_id: int, error: str) -> Booking:
    """System: the vendor's own booking system keeps failing on this booking, or dropped a
    seat we hold: a person must look. The booking waits for a manual confirmation from now
    on (no automatic one) and the traveler and expert hear of event ``booking.supplier_trouble``
    (``notify: expert``). Its caller says it once per trouble (the reconcile claims
    ``SupplierReservation.surfaced_at`` first)."""
    with _booking_command(booking_id, None) as (cmd, booking):
        booking.needs_manual_confirmation = True
        booking.save(update_fields=["needs_manual_confirmation", "updated_at"])
        _finish(cmd, booking, "booking.supplier_trouble", error=error[:200], notify="expert")
    return booking


def _decimal_or_none(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise DomainError(_("Enter a number."), code="booking.invalid", fields={"price": _("Enter a number.")}) from None


def vendor_respond(*, booking_id: int, vendor, channel: str, action: str, dedupe_key: str,
                   payload: dict) -> tuple[Booking, bool]:
    """A vendor's answer from any channel (portal, API, signed webhook), applied at most once.

    ``action`` is ``accept`` (``payload["reference"]`` optional), ``decline``
    (``payload["reason"]``) or ``propose`` (``payload["slot"]`` and/or ``payload["price"]``,
    ``payload["note"]``). The answer is stored as a :class:`VendorResponse` unique per
    ``(booking, dedupe_key)`` in the same transaction as the command: a replay returns
    ``(booking, True)`` and changes nothing; a refused command stores nothing.
    Errors: 404 for another vendor's booking, else those of the command.
    """
    if action not in VendorResponse.Action.values:
        raise DomainError(_("Choose accept, decline or propose."), code="booking.invalid",
                          fields={"action": _("Unknown action.")})
    if not Booking.objects.filter(pk=booking_id, vendor=vendor).exists():
        raise NotFound(_("No such booking."), code="booking.not_found")
    actor = vendor.user
    with transaction.atomic():
        try:
            with transaction.atomic():
                VendorResponse.objects.create(booking_id=booking_id, channel=channel, action=action,
                                              dedupe_key=dedupe_key, payload=payload)
        except IntegrityError:
            return Booking.objects.get(pk=booking_id), True
        if action == VendorResponse.Action.ACCEPT:
            booking = booking_confirm(booking_id=booking_id, actor=actor, reference=payload.get("reference") or None)
        elif action == VendorResponse.Action.DECLINE:
            booking = booking_decline(booking_id=booking_id, actor=actor, reason=payload.get("reason") or "")
        else:
            booking = booking_propose(booking_id=booking_id, actor=actor, slot_id=payload.get("slot") or None,
                                      price=_decimal_or_none(payload.get("price")), note=payload.get("note") or "")
    return booking, False


# --- payment schedules ---------------------------------------------------------------

def booking_payment_schedule_set(*, booking_id: int, actor, deposit_percent: Decimal,
                                 balance_due_days: int) -> list[PaymentInstallment]:
    """Replace the booking's payment schedule: a deposit of ``deposit_percent`` of the price
    due today, the balance due ``balance_due_days`` before the start (not before today);
    100 % → one full payment. Allowed to participants, the vendor and staff while the
    booking holds seats and nothing is paid yet. Errors: ``booking.invalid``,
    ``booking.schedule_paid``, ``booking.transition_not_allowed``. Event
    ``booking.payment_schedule_set``."""
    if not Decimal(0) < deposit_percent <= Decimal(100) or balance_due_days < 0:
        raise DomainError(_("The deposit is a percent from 1 to 100 and the days are 0 or more."),
                          code="booking.invalid", fields={"deposit_percent": _("1 to 100.")})
    with _booking_command(booking_id, actor) as (cmd, booking):
        require(can_set_payment_schedule(actor, booking), actor, cmd.state, booking=booking,
                missing_code="booking.not_found", missing_message=_("No such booking."))
        if booking.status not in HOLDING_STATUSES:
            raise Conflict(_("This booking no longer needs payments."), code="booking.transition_not_allowed")
        if booking.installments.filter(paid_at__isnull=False).exists():
            raise Conflict(_("A payment was already recorded; the schedule is fixed."), code="booking.schedule_paid")
        booking.installments.all().delete()
        tz = ZoneInfo(booking.vendor.time_zone)
        today = timezone.now().astimezone(tz).date()
        start_day = booking.slot.start.astimezone(tz).date() if booking.slot_id else today
        deposit = (booking.price * deposit_percent / Decimal(100)).quantize(Decimal("0.01"))
        parts = [(PaymentInstallment.Kind.FULL if deposit == booking.price else PaymentInstallment.Kind.DEPOSIT,
                  deposit, today)]
        if deposit < booking.price:
            parts.append((PaymentInstallment.Kind.BALANCE, booking.price - deposit,
                          max(today, start_day - dt.timedelta(days=balance_due_days))))
        rows = PaymentInstallment.objects.bulk_create([
            PaymentInstallment(booking=booking, kind=kind, amount=amount, currency=booking.currency, due_date=due)
            for kind, amount, due in parts])
        _finish(cmd, booking, "booking.payment_schedule_set", installments=[installment_json(i) for i in rows])
    return rows


@contextmanager
def _installment_command(installment_id: int, actor):
    booking_id = PaymentInstallment.objects.filter(pk=installment_id).values_list("booking_id", flat=True).first()
    if booking_id is None:
        raise NotFound(_("No such payment."), code="booking.installment_not_found")
    with _booking_command(booking_id, actor) as (cmd, booking):
        yield cmd, booking, PaymentInstallment.objects.select_for_update().get(pk=installment_id)


def installment_record_payment(*, installment_id: int, actor, paid_at: dt.datetime | None = None) -> PaymentInstallment:
    """The vendor or staff records that an installment was paid (no gateway). Already paid
    → no change. Event ``booking.payment_recorded``."""
    with _installment_command(installment_id, actor) as (cmd, booking, installment):
        _require_vendor_side(actor, booking, cmd.state)
        if installment.paid_at is not None:
            cmd.skip()
            return installment
        installment.paid_at = paid_at or timezone.now()
        installment.save(update_fields=["paid_at"])
        _finish(cmd, booking, "booking.payment_recorded", installment=installment_json(installment))
    return installment


def installment_remind(*, installment_id: int) -> PaymentInstallment:
    """System: remind the payer of an installment due soon (``booking.payment_reminder``) or
    overdue (``booking.payment_overdue``), dates in the vendor's time zone. At most one
    reminder before and one after the due date; paid installments → no change."""
    with _installment_command(installment_id, None) as (cmd, booking, installment):
        tz = ZoneInfo(booking.vendor.time_zone)
        overdue = installment.due_date < timezone.now().astimezone(tz).date()
        reminded_on = installment.reminded_at.astimezone(tz).date() if installment.reminded_at else None
        already = reminded_on is not None and (not overdue or reminded_on > installment.due_date)
        if installment.paid_at is not None or already:
            cmd.skip()
            return installment
        installment.reminded_at = timezone.now()
        installment.save(update_fields=["reminded_at"])
        _finish(cmd, booking, "booking.payment_overdue" if overdue else "booking.payment_reminder",
                installment=installment_json(installment))
    return installment
