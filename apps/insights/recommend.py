""""Travelers like you also booked": a transparent co-occurrence score.

Two offerings co-occur when one request kept bookings (confirmed or completed) of both.
With ``n(x)`` the travelers who kept ``x`` and ``n(s, c)`` those who kept both in one
request, a candidate ``c`` at the destination scores ``Σ_{s∈S} n(s, c) / √(n(s) · n(c))``
(cosine) for the offerings ``S`` already picked, and is explained by its strongest
partner: "booked together with X by N travelers".
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import ngettext

from apps.coordination.models import Booking, PlanWish
from apps.coordination.phases import HOLDING_STATUSES
from apps.itineraries.models import Item
from apps.vendors.models import Offering

from .metrics import SUCCESS

LIMIT = 10


@dataclass(frozen=True)
class Suggestion:
    offering: Offering
    score: float
    together: int
    partner: Offering
    reason: str

    def as_dict(self) -> dict:
        return {"offering": self.offering.pk, "title": self.offering.title, "vendor": self.offering.vendor.name,
                "score": self.score, "booked_together": self.together, "partner": self.partner.pk,
                "reason": self.reason}


def picked_offerings(state) -> set[int]:
    """What the request already contains: wishes, bookings holding seats, current itinerary."""
    picked = set(PlanWish.objects.filter(state=state).values_list("offering_id", flat=True))
    picked |= set(Booking.objects.filter(state=state, status__in=HOLDING_STATUSES)
                  .values_list("offering_id", flat=True))
    if state.current_itinerary_id:
        picked |= set(Item.objects.filter(day__itinerary_id=state.current_itinerary_id, offering__isnull=False)
                      .values_list("offering_id", flat=True))
    return picked


def also_booked(offering_ids: Iterable[int], *, city: str | None = None, exclude_state_id: int | None = None,
                limit: int = LIMIT) -> list[Suggestion]:
    """Offerings most often kept together with ``offering_ids`` in past requests, best
    first (ties: more travelers, then lower id), at ``city`` (default: the city of the
    first picked offering), active only. Read-only; empty without history."""
    picked = set(offering_ids)
    if not picked:
        return []
    kept = Booking.objects.filter(status__in=SUCCESS)
    if exclude_state_id is not None:
        kept = kept.exclude(state_id=exclude_state_id)
    states = kept.filter(offering_id__in=picked).values("state_id")
    baskets: dict[tuple[int, int], set[int]] = defaultdict(set)
    for state_id, traveler, offering_id in (kept.filter(state_id__in=states)
                                            .values_list("state_id", "state__request__traveler_id", "offering_id")):
        baskets[(state_id, traveler)].add(offering_id)
    pairs: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for (_state, traveler), basket in baskets.items():
        for s in basket & picked:
            for c in basket - picked:
                pairs[c][s].add(traveler)
    if not pairs:
        return []
    travelers: dict[int, set[int]] = defaultdict(set)
    for traveler, offering_id in kept.filter(offering_id__in=set(pairs) | picked).values_list(
            "state__request__traveler_id", "offering_id"):
        travelers[offering_id].add(traveler)
    offerings = Offering.objects.select_related("vendor").in_bulk(set(pairs) | picked)
    if city is None:
        city = offerings[min(picked & set(offerings))].vendor.city
    out = []
    for c, partners in pairs.items():
        offering = offerings[c]
        here = offering.vendor.city.casefold() == city.casefold()
        if not (here and offering.is_active and offering.vendor.is_active):
            continue
        score = sum(len(who) / math.sqrt(len(travelers[s]) * len(travelers[c])) for s, who in partners.items())
        best, who = min(partners.items(), key=lambda sw: (-len(sw[1]), sw[0]))
        reason = ngettext("booked together with %(title)s by %(n)d traveler",
                          "booked together with %(title)s by %(n)d travelers", len(who)) % {
            "title": offerings[best].title, "n": len(who)}
        out.append(Suggestion(offering, round(score, 4), len(who), offerings[best], reason))
    out.sort(key=lambda s: (-s.score, -s.together, s.offering.pk))
    return out[:limit]


def also_booked_for_request(state, *, limit: int = LIMIT) -> list[Suggestion]:
    """Suggestions for a request's browse path: from what it already picked, at its destination."""
    return also_booked(picked_offerings(state), city=state.request.destination, exclude_state_id=state.pk,
                       limit=limit)
