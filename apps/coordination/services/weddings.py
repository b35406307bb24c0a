"""Weddings and events on the same engine: a vendor shortlist per category, negotiated
prices (offers and counter-offers, each an event), then bookings at the agreed price with
a payment schedule. The day-of timeline is the itinerary of the event day: agreed vendors
are kept at their time (see :func:`.itinerary.kept_pins`).

Negotiation: the client side (couple or their planner expert) and the vendor alternate
offers on a :class:`ShortlistEntry`; the side that did not make the last offer accepts it.
The vendor's agreement is then applied to its booking as the booking's proposal (the
vendor agreed already), which the client accepts: the booking is confirmed at that price.
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, NotFound
from apps.requests.models import ExperienceType
from apps.vendors.models import Offering, Slot, VendorType
from apps.vendors.pricing import quantity_for

from .. import engine
from ..access import is_vendor_user
from ..models import Booking, CoordinationState, PriceOffer, ShortlistEntry
from ..phases import SHORTLIST, BookingStatus, Phase
from .bookings import booking_payment_schedule_set, booking_proposal_accept, booking_propose
from .experts import require_planner

CATEGORIES = (VendorType.VENUE, VendorType.CATERER, VendorType.PHOTOGRAPHER, VendorType.FLORIST, VendorType.MUSIC,
              VendorType.TRANSPORT, VendorType.HOTEL)
NEGOTIATION_PHASES = (Phase.PLANNING, Phase.BOOKING, Phase.CONFIRMED)


def _entry_data(entry: ShortlistEntry, **extra) -> dict:
    """What the entry's vendor may see (and the request too)."""
    return {"entry": entry.pk, "category": entry.category, "offering": entry.offering_id, "status": entry.status,
            "slot": entry.slot_id, **extra}


class Moves(NamedTuple):
    """Where a negotiation stands for one side: the last offer and what that side may do next."""

    last: PriceOffer | None
    offer: bool
    accept: bool


def negotiation_moves(entry: ShortlistEntry, party: str) -> Moves:
    """The buttons a page shows ``party`` (``PriceOffer.Party``): offer when it is its turn,
    accept the other side's last offer; the rules :func:`price_offer` and
    :func:`price_accept` enforce (reads the prefetched ``offers``)."""
    offers = list(entry.offers.all())
    last = offers[-1] if offers else None
    open_ = SHORTLIST.can(entry.status, ShortlistEntry.Status.NEGOTIATING)
    theirs = last is not None and last.party != party
    return Moves(last, open_ and (last is None or theirs), open_ and theirs)


def list_quantity(offering: Offering, request) -> int:
    """How many of the offering's price unit the event books (its guests for a per-guest
    caterer, 1 for a per-booking venue): its booking's quantity."""
    return quantity_for(offering.price_unit, party=request.party_size, guests=request.guest_count)


def list_total(offering: Offering, request) -> Decimal:
    """The vendor's list price for the whole event. Offers and the agreed price are such totals."""
    return offering.base_price * list_quantity(offering, request)


def _require_event(cmd: engine.Command) -> None:
    if cmd.state.request.experience_type == ExperienceType.TRAVEL:
        raise DomainError(_("Shortlists are for weddings and events."), code="wedding.not_an_event")
    cmd.require_phase(*NEGOTIATION_PHASES)


def shortlist_add(*, state_id: int, actor, offering_id: int, category: str, slot_id: int | None = None,
                  note: str = "") -> ShortlistEntry:
    """The couple or their planner shortlists a vendor's offering for a category (optionally at
    the slot the vendor holds for the day); ``shortlist.added`` (the vendor hears of it).

    Errors: DomainError ``wedding.bad_category`` / ``wedding.unknown_offering``; 403/404.
    The same offering again changes nothing.
    """
    if category not in CATEGORIES:
        raise DomainError(_("Choose one of: %(list)s.") % {"list": ", ".join(CATEGORIES)},
                          code="wedding.bad_category", fields={"category": _("Unknown category.")})
    with engine.command(state_id, actor=actor) as cmd:
        require_planner(cmd.state, actor)
        _require_event(cmd)
        offering = Offering.objects.filter(pk=offering_id, is_active=True, vendor__is_active=True).first()
        slot = Slot.objects.filter(pk=slot_id, offering_id=offering_id).first() if slot_id else None
        if offering is None or (slot_id and slot is None):
            raise DomainError(_("This offering is not available."), code="wedding.unknown_offering",
                              fields={"offering": _("Unknown offering or slot.")})
        entry, created = ShortlistEntry.objects.get_or_create(
            state=cmd.state, offering=offering,
            defaults={"category": category, "slot": slot, "currency": offering.currency, "note": note})
        if not created:
            cmd.skip()
            return entry
        data = _entry_data(entry, list_price={"amount": f"{list_total(offering, cmd.state.request)}",
                                              "currency": offering.currency})
        cmd.record("shortlist.added", data, vendors={offering.vendor_id: data})
    return entry


def _entry_for(cmd: engine.Command, entry_id: int) -> ShortlistEntry:
    entry = (ShortlistEntry.objects.select_for_update().select_related("offering__vendor")
             .filter(pk=entry_id, state=cmd.state).first())
    if entry is None:
        raise NotFound(_("No such shortlist entry."), code="not_found")
    return entry


def _party(cmd: engine.Command, entry: ShortlistEntry, actor) -> str:
    """The entry's vendor speaks for the vendor side; the couple, their expert or staff for the client."""
    if is_vendor_user(actor, entry.offering.vendor):
        return PriceOffer.Party.VENDOR
    require_planner(cmd.state, actor)
    return PriceOffer.Party.CLIENT


def price_offer(*, state_id: int, actor, entry_id: int, amount: Decimal, note: str = "") -> PriceOffer:
    """An offer (client) or counter-offer (vendor) on a shortlisted entry, in its currency;
    ``price.offered`` with the party, amount and round.

    Errors: DomainError ``wedding.bad_amount``; Conflict ``wedding.not_your_turn`` (same side
    twice) or ``shortlist.transition_not_allowed`` (the price is already agreed).
    """
    amount = Decimal(amount)
    if amount <= 0:
        raise DomainError(_("The price must be positive."), code="wedding.bad_amount",
                          fields={"amount": _("The price must be positive.")})
    with engine.command(state_id, actor=actor) as cmd:
        _require_event(cmd)
        entry = _entry_for(cmd, entry_id)
        party = _party(cmd, entry, actor)
        SHORTLIST.move(entry, ShortlistEntry.Status.NEGOTIATING)
        last = entry.offers.last()
        if last is not None and last.party == party:
            raise Conflict(_("Wait for the other side's answer."), code="wedding.not_your_turn")
        offer = PriceOffer.objects.create(entry=entry, party=party, author=actor, amount=amount,
                                          currency=entry.currency, note=note)
        entry.save(update_fields=["status"])
        data = _entry_data(entry, party=party, round=entry.offers.count(), note=note,
                           amount={"amount": f"{amount}", "currency": entry.currency})
        cmd.record("price.offered", data, vendors={entry.offering.vendor_id: data})
    return offer


def price_accept(*, state_id: int, actor, entry_id: int) -> ShortlistEntry:
    """The side that did not make the last offer accepts it: the entry's price is agreed;
    ``price.agreed``. Conflict ``wedding.no_offer`` / ``wedding.not_your_turn``."""
    with engine.command(state_id, actor=actor) as cmd:
        _require_event(cmd)
        entry = _entry_for(cmd, entry_id)
        party = _party(cmd, entry, actor)
        if entry.status == ShortlistEntry.Status.AGREED:
            cmd.skip()
            return entry
        last = entry.offers.last()
        if last is None:
            raise Conflict(_("There is no offer to accept yet."), code="wedding.no_offer")
        if last.party == party:
            raise Conflict(_("The other side must accept your offer."), code="wedding.not_your_turn")
        SHORTLIST.move(entry, ShortlistEntry.Status.AGREED)
        entry.agreed_price = last.amount
        entry.save(update_fields=["status", "agreed_price"])
        data = _entry_data(entry, amount={"amount": f"{last.amount}", "currency": entry.currency})
        cmd.record("price.agreed", data, vendors={entry.offering.vendor_id: data})
    return entry


def negotiated_bookings_settle(*, state_id: int, actor, deposit_percent: Decimal = Decimal(30),
                               balance_due_days: int = 30) -> list[Booking]:
    """After the day-of timeline is approved: every pending booking of an agreed vendor gets
    the agreed price as the vendor's proposal (the system records the vendor's agreement),
    the client accepts it (confirmed at that price), and a deposit/balance schedule is set.
    Each step is its own booking command and event; all or nothing."""
    state = CoordinationState.objects.select_related("request").get(pk=state_id)
    agreed = dict(ShortlistEntry.objects.filter(state=state, status=ShortlistEntry.Status.AGREED)
                  .values_list("offering_id", "agreed_price"))
    settled = []
    with transaction.atomic():
        for booking in Booking.objects.filter(state=state, status=BookingStatus.PENDING, offering_id__in=agreed):
            booking_propose(booking_id=booking.pk, actor=None, price=agreed[booking.offering_id],
                            note=_("Price agreed in the negotiation."))
            booking_proposal_accept(booking_id=booking.pk, actor=actor)
            booking_payment_schedule_set(booking_id=booking.pk, actor=actor, deposit_percent=Decimal(deposit_percent),
                                         balance_due_days=balance_due_days)
            booking.refresh_from_db()
            settled.append(booking)
    return settled
