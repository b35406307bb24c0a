"""Expert matching: who can help with a request, ranked, with reasons the traveler reads.

Candidates are active experts with a specialization in the destination, the request's
interests or its experience type, free capacity, a rating above
``settings.TRAVELOURE["EXPERT_RATING_FLOOR"]`` and at least one free day in the trip.
Local knowledge is the point of an expert: while any candidate knows the destination,
only those who do are offered; the others step in when no local one is free.
The score (0–100) weighs the match, platform performance (see
:func:`apps.experts.selectors.expert_signals`), availability and affinity.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from apps.requests.models import TravelerProfile

from .models import Expert
from .selectors import ExpertSignals, consultation_slot_list_free, expert_signals

WEIGHTS = {"match": 40.0, "performance": 30.0, "availability": 20.0, "affinity": 10.0}
TOP = 3


@dataclass(frozen=True)
class Match:
    """One ranked expert: ``reasons`` (fit, availability, affinity) and the one rating and
    one response time a card shows (the platform's measured figures, else the profile's)."""

    expert: Expert
    score: float
    reasons: list[str] = field(default_factory=list)
    rating: float = 0.0
    response_hours: int = 0
    booking_success: float | None = None

    @property
    def performance(self) -> list[str]:
        """The figures as sentences (for clients that read reasons only)."""
        out = [_("Rated %(rating).1f by travelers") % {"rating": self.rating}]
        if self.booking_success is not None:
            out.append(_("%(pct)d%% of their bookings confirmed") % {"pct": round(self.booking_success * 100)})
        out.append(_("Usually answers within %(hours)d hours") % {"hours": self.response_hours})
        return out

    def as_dict(self) -> dict:
        return {"expert": self.expert.pk, "name": str(self.expert), "score": self.score,
                "reasons": self.reasons + self.performance, "rating": round(self.rating, 1),
                "response_hours": self.response_hours}


def _lower(values) -> set[str]:
    return {str(v).strip().lower() for v in values}


def _trip_days(request) -> set[str]:
    days = (request.end_date - request.start_date).days + 1
    return {(request.start_date + dt.timedelta(days=n)).isoformat() for n in range(days)}


def _knows_destination(expert: Expert, request) -> bool:
    return request.destination.lower() in _lower(expert.destinations) | _lower(expert.specializations)


def _match_part(expert: Expert, request) -> tuple[float, list[str]]:
    specs = _lower(expert.specializations)
    reasons, value = [], 0.0
    if _knows_destination(expert, request):
        value += 0.5
        reasons.append(_("Specializes in %(place)s") % {"place": request.destination})
    if request.experience_type in specs:
        value += 0.2
        reasons.append(_("Plans %(kind)s experiences") % {"kind": request.get_experience_type_display().lower()})
    shared = sorted(specs & _lower(request.interests))
    if shared:
        value += 0.3 * len(shared) / len(request.interests)
        reasons.append(_("Knows your interests: %(list)s") % {"list": ", ".join(shared)})
    return value, reasons


def _performance_part(expert: Expert, signals: ExpertSignals) -> tuple[float, dict]:
    """The performance score and the figures a card shows (measured, else the profile's)."""
    satisfaction = signals.satisfaction if signals.satisfaction is not None else float(expert.rating)
    parts = [satisfaction / 5]
    if signals.booking_success is not None:
        parts.append(signals.booking_success)
    hours = signals.response_hours if signals.response_hours is not None else float(expert.response_time_hours)
    parts.append(1 / (1 + hours / 24))
    figures = {"rating": satisfaction, "response_hours": max(1, round(hours)),
               "booking_success": signals.booking_success}
    return sum(parts) / len(parts), figures


def _availability_part(expert: Expert, request, free_slot_experts: set[int]) -> tuple[float, list[str]]:
    days = _trip_days(request)
    free = len(days - set(expert.unavailable_dates)) / len(days)
    reasons = [_("Available on all your dates") if free == 1 else
               _("Available on %(pct)d%% of your dates") % {"pct": round(free * 100)}]
    consultation = expert.pk in free_slot_experts
    if consultation:
        reasons.append(_("Has a consultation slot before your trip"))
    return 0.7 * free + 0.3 * consultation, reasons


def _affinity(traveler_id: int, expert_ids: list[int]) -> set[int]:
    """Experts who completed a request with this traveler and got a review of 4 or more
    (the traveler's learned ``expert_affinity``, see ``apps.insights``)."""
    learned = (TravelerProfile.objects.filter(traveler_id=traveler_id).values_list("expert_affinity", flat=True)
               .first())
    return set(expert_ids) & set(learned or ())


def expert_candidates(request, *, exclude_ids=()) -> list[Expert]:
    """Experts eligible for ``request`` (see module docstring), unranked."""
    floor = settings.TRAVELOURE["EXPERT_RATING_FLOOR"]
    experts = (Expert.objects.filter(is_active=True, capacity_current__lt=F("capacity_max"), rating__gt=floor)
               .exclude(pk__in=list(exclude_ids)).select_related("user"))
    days = _trip_days(request)
    eligible = [e for e in experts if _match_part(e, request)[0] > 0 and days - set(e.unavailable_dates)]
    local = [e for e in eligible if _knows_destination(e, request)]
    return local or eligible


def expert_matches(request, *, exclude_ids=(), limit: int = TOP) -> list[Match]:
    """The best ``limit`` candidates for ``request``, best first (ties: lower id first)."""
    candidates = expert_candidates(request, exclude_ids=exclude_ids)
    ids = [e.pk for e in candidates]
    signals = expert_signals(ids)
    affinity = _affinity(request.traveler_id, ids)
    with_slots = set(consultation_slot_list_free(ids).filter(start__date__lt=request.start_date)
                     .values_list("expert_id", flat=True))
    matches = []
    for expert in candidates:
        match, reasons = _match_part(expert, request)
        performance, figures = _performance_part(expert, signals[expert.pk])
        availability, avail_reasons = _availability_part(expert, request, with_slots)
        liked = expert.pk in affinity
        if liked:
            reasons.append(_("Worked well with you before"))
        score = (WEIGHTS["match"] * match + WEIGHTS["performance"] * performance
                 + WEIGHTS["availability"] * availability + WEIGHTS["affinity"] * liked)
        matches.append(Match(expert=expert, score=round(score, 1), reasons=reasons + avail_reasons, **figures))
    matches.sort(key=lambda m: (-m.score, m.expert.pk))
    return matches[:limit]
