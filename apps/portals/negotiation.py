"""What the traveler and vendor portals share about weddings and events: the price
negotiation of a shortlist entry as a page shows it (whose turn, both currencies) and the
forms for an offer and for a payment schedule (shape only; the services check the rules)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import ShortlistEntry
from apps.coordination.services.weddings import Moves, list_quantity, negotiation_moves
from apps.core.money import Money
from apps.exports.budget import Converter


class PriceOfferForm(forms.Form):
    amount = forms.DecimalField(label=_("Your price"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class ScheduleForm(forms.Form):
    """A deposit now and the balance some days before the day (one payment at 100 %)."""

    deposit_percent = forms.DecimalField(label=_("Deposit (%)"), max_digits=5, decimal_places=2, initial=30,
                                         min_value=1, max_value=100)
    balance_due_days = forms.IntegerField(label=_("Balance due (days before)"), initial=30, min_value=0,
                                          max_value=3650)


@dataclass
class Negotiation:
    """One shortlist entry for a page: the list price and each offer in the entry's
    currency and in ``home`` (the traveler's), and what ``party`` may do next."""

    entry: ShortlistEntry
    moves: Moves
    list_price: Money  # for the whole event (per guest × guests)
    list_home: Money | None
    list_unit: str  # how the total comes ("85.00 EUR per guest × 60"), when it is not one unit
    offers: list[tuple[object, Money | None]]
    agreed_home: Money | None


def negotiations(entries, *, party: str, home_currency: str) -> list[Negotiation]:
    """``entries`` (offers, offering and request selected) as :class:`Negotiation` rows for
    ``party`` (``PriceOffer.Party``), amounts also shown in ``home_currency`` at today's ECB rate."""
    home = Converter(home_currency, timezone.localdate())
    rows = []
    for entry in entries:
        offering = entry.offering
        quantity = list_quantity(offering, entry.state.request)
        total = offering.base_price * quantity
        rows.append(Negotiation(
            entry=entry, moves=negotiation_moves(entry, party),
            list_price=Money(total, offering.currency), list_home=home.money(total, offering.currency),
            list_unit="" if quantity == 1 else
            f"{Money(offering.base_price, offering.currency)} {offering.get_price_unit_display()} × {quantity}",
            offers=[(offer, home.money(offer.amount, offer.currency)) for offer in entry.offers.all()],
            agreed_home=home.money(entry.agreed_price, entry.currency) if entry.agreed_price is not None else None))
    return rows
