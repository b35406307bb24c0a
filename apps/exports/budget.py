"""Budget breakdown in the traveler's currency on ECB reference rates. Decimal only."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from apps.core.money import Money, quantize
from apps.integrations import currency as fx


RATE_PLACES = Decimal("1e-8")  # the rate shown is the rate applied


@dataclass(frozen=True)
class CostLine:
    """One priced thing of the plan, in the currency it is charged in."""

    day: dt.date
    category: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class RateUsed:
    from_currency: str
    to_currency: str
    rate: Decimal
    on: dt.date  # the ECB fixing actually used (latest on or before the date asked)
    source: str


@dataclass(frozen=True)
class Budget:
    currency: str
    rates_on: dt.date
    by_category: list[tuple[str, Money]]
    by_day: list[tuple[dt.date, Money]]
    total: Money
    rates: list[RateUsed]
    budget_min: Money
    budget_max: Money
    remaining: Money
    status: str  # under | within | over
    status_label: str


class Converter:
    """Amounts into ``currency`` at the ECB rate of ``on`` (the rate shown is the rate
    applied, rounded half-up to cents); remembers each rate it used."""

    def __init__(self, currency: str, on: dt.date):
        self.currency, self.on = currency, on
        self.rates: dict[str, RateUsed] = {}

    def __call__(self, amount: Decimal, from_currency: str) -> Decimal:
        if from_currency not in self.rates:
            info = fx.rate_info(from_currency, self.currency, self.on)
            self.rates[from_currency] = RateUsed(from_currency, self.currency, info.rate.quantize(RATE_PLACES),
                                                 info.date, info.source)
        return quantize(amount * self.rates[from_currency].rate)

    def money(self, amount: Decimal, from_currency: str) -> Money | None:
        """The amount in this currency, or None when it is in this currency already."""
        return None if from_currency == self.currency else Money(self(amount, from_currency), self.currency)

    def rates_used(self) -> list[RateUsed]:
        return [used for src, used in sorted(self.rates.items()) if src != self.currency]


def _status(total: Decimal, low: Decimal, high: Decimal) -> tuple[str, str]:
    if total > high:
        return "over", _("Over budget")
    if total < low:
        return "under", _("Below the planned budget")
    return "within", _("Within budget")


def budget_breakdown(lines: list[CostLine], *, currency: str, budget_min: Decimal, budget_max: Decimal,
                     budget_currency: str, on: dt.date) -> Budget:
    """Convert every line to ``currency`` at the ECB rate of ``on`` and sum it by category and day.

    Each line is converted and rounded to cents first; sums add the rounded amounts, so
    the totals equal what the breakdown shows. The budget bounds are converted the same
    way. Raises DomainError (``currency.unsupported``) for a currency the ECB does not quote.
    """
    convert = Converter(currency, on)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    for line in lines:
        value = convert(line.amount, line.currency)
        by_category[line.category] += value
        by_day[line.day] += value
    total = sum(by_category.values(), Decimal("0.00"))
    low, high = convert(budget_min, budget_currency), convert(budget_max, budget_currency)
    status, label = _status(total, low, high)
    return Budget(
        currency=currency, rates_on=on,
        by_category=sorted(((c, Money(v, currency)) for c, v in by_category.items()), key=lambda cv: -cv[1].amount),
        by_day=[(d, Money(by_day[d], currency)) for d in sorted(by_day)],
        total=Money(total, currency),
        rates=convert.rates_used(),
        budget_min=Money(low, currency), budget_max=Money(high, currency),
        remaining=Money(high - total, currency), status=status, status_label=label,
    )
