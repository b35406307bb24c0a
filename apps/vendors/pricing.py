"""Prices of a slot for a party: base price by the offering's price unit, then price rules.

Rules (``PriceRule``) add their percent to the base price, each on its own (they do not
compound): ``advance`` applies when the slot starts at least ``threshold`` days after the
booking, ``group`` when the quantity is at least ``threshold``, ``season`` when the slot's
local month is in ``months``. A negative percent is a discount, a positive one a surcharge.

The planner prices its candidates with the same :func:`quote` (for the quantity
:func:`quantity_for` gives and the seats :func:`seats_taken` holds) as the booking that
approval makes: the price a traveler approves is the price booked.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject

from apps.core.money import quantize

from .models import PriceRule, PriceRuleKind, PriceUnit, Slot

RULE_FIELDS = ("id", "kind", "threshold", "months", "percent", "label")


@dataclass(frozen=True)
class Quote:
    """What a booking costs: ``total = base - discount``; ``rules`` explains each adjustment."""

    base: Decimal
    discount: Decimal
    currency: str
    rules: list[dict] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.base - self.discount


PEOPLE_PER_ROOM = 2


def quantity_for(price_unit: str, *, party: int, guests: int | None = None) -> int:
    """What a party books of an offering priced by ``price_unit``: a seat per person, a
    room per two people (room-nights), a plate per guest of the event (``guests``, else the
    party), else one booking."""
    if price_unit == PriceUnit.PER_PERSON:
        return party
    if price_unit == PriceUnit.PER_NIGHT:
        return math.ceil(party / PEOPLE_PER_ROOM)
    if price_unit == PriceUnit.PER_GUEST:
        return guests or party
    return 1


def seats_taken(price_unit: str, quantity: int) -> int:
    """How much of a slot's capacity a booking of ``quantity`` holds: a caterer's slot is
    one event whatever the number of guests it serves; otherwise one per unit booked."""
    return 1 if price_unit == PriceUnit.PER_GUEST else quantity


def _units(slot: Slot, quantity: int) -> int:
    unit = slot.offering.price_unit
    if unit == PriceUnit.PER_BOOKING:
        return 1
    if unit == PriceUnit.PER_NIGHT:
        tz = ZoneInfo(slot.offering.vendor.time_zone)
        nights = (slot.end.astimezone(tz).date() - slot.start.astimezone(tz).date()).days
        return quantity * max(nights, 1)
    return quantity


def _applies(rule, slot: Slot, quantity: int, booked_at: dt.datetime) -> bool:
    if rule.kind == PriceRuleKind.ADVANCE:
        return (slot.start - booked_at).days >= rule.threshold
    if rule.kind == PriceRuleKind.GROUP:
        return quantity >= rule.threshold
    if rule.kind == PriceRuleKind.SEASON:
        return slot.start.astimezone(ZoneInfo(slot.offering.vendor.time_zone)).month in (rule.months or [])
    return False


class _JSONList(Aggregate):
    """The aggregated values as one JSON array (PostgreSQL ``JSONB_AGG``, SQLite ``JSON_GROUP_ARRAY``)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def with_price_rules(slots: QuerySet[Slot]) -> QuerySet[Slot]:
    """``slots`` carrying their offering's price rules, read in the same query (a JSON list
    in ``offering_price_rules``) rather than one more query per offering: what
    :func:`quote` uses when it is there."""
    rules = (PriceRule.objects.filter(offering=OuterRef("offering")).values("offering")
             .annotate(rows=_JSONList(JSONObject(**{name: name for name in RULE_FIELDS}))).values("rows"))
    return slots.annotate(offering_price_rules=Subquery(rules))


def _rule(row: dict) -> PriceRule:
    """A rule from its row in ``offering_price_rules`` (SQLite nests the ``months`` JSON as text
    and numbers as JSON numbers: both are brought back to the model's types)."""
    months = row["months"]
    return PriceRule(**{**row, "months": json.loads(months) if isinstance(months, str) else months,
                        "percent": Decimal(str(row["percent"])).quantize(Decimal("0.01"))})


def _rules(slot: Slot) -> list[PriceRule]:
    """The slot's offering's price rules, in id order: those :func:`with_price_rules` read
    with the slot, else the offering's (prefetched rules stay in memory)."""
    if hasattr(slot, "offering_price_rules"):
        rules = [_rule(row) for row in slot.offering_price_rules or ()]
    else:
        rules = list(slot.offering.price_rules.all())
    return sorted(rules, key=lambda r: r.pk)


def quote(slot: Slot, quantity: int, *, booked_at: dt.datetime) -> Quote:
    """Price ``quantity`` of ``slot`` booked at ``booked_at`` (aware). Reads the slot's offering,
    vendor and price rules (unless the slot came with them, :func:`with_price_rules`); writes
    nothing."""
    base = quantize(slot.price * _units(slot, quantity))
    applied = []
    adjustment = Decimal("0")
    for rule in _rules(slot):
        if _applies(rule, slot, quantity, booked_at):
            amount = quantize(base * rule.percent / Decimal(100))
            adjustment += amount
            applied.append({"rule": rule.pk, "kind": rule.kind, "label": str(rule), "percent": f"{rule.percent}",
                            "amount": f"{amount}"})
    # A discount never makes the booking free or negative.
    discount = min(-adjustment, base)
    return Quote(base=base, discount=quantize(discount), currency=slot.currency, rules=applied)


def quote_stay(nights: Sequence[Slot], rooms: int, *, booked_at: dt.datetime) -> Quote:
    """Price ``rooms`` for every night of a stay: each night's slot is quoted on its own (its
    price, the rules of its date) and the nights are added up; each rule is listed once,
    with its amount over all nights."""
    quotes = [quote(night, rooms, booked_at=booked_at) for night in nights]
    rules: dict[int, dict] = {}
    for rule in (r for q in quotes for r in q.rules):
        if rule["rule"] in rules:
            rules[rule["rule"]]["amount"] = f"{Decimal(rules[rule['rule']]['amount']) + Decimal(rule['amount'])}"
        else:
            rules[rule["rule"]] = dict(rule)
    return Quote(base=sum((q.base for q in quotes), Decimal(0)), discount=sum((q.discount for q in quotes), Decimal(0)),
                 currency=nights[0].currency, rules=list(rules.values()))


def offer_refund(amount: Decimal, *, free_until: dt.datetime | None, now: dt.datetime) -> tuple[Decimal, Decimal]:
    """``(refund, percent)`` of a booked hotel provider's offer: all of it until its
    free-cancellation deadline, nothing after it; without one it was not refundable."""
    if free_until is not None and now < free_until:
        return quantize(amount), Decimal(100)
    return quantize(0), Decimal(0)


def refund(amount: Decimal, tiers: list[dict], *, hours_before: float) -> tuple[Decimal, Decimal]:
    """``(refund, percent)`` of ``amount`` under cancellation ``tiers``
    (``[{"hours": 72, "refund_pct": 100}, …]``): the tier with the most hours that the
    cancellation still meets applies; later than every tier → nothing back. A vendor
    without tiers refunds in full."""
    if not tiers:
        return quantize(amount), Decimal(100)
    for tier in sorted(tiers, key=lambda t: -t["hours"]):
        if hours_before >= tier["hours"]:
            percent = Decimal(str(tier["refund_pct"]))
            return quantize(amount * percent / Decimal(100)), percent
    return quantize(0), Decimal(0)
