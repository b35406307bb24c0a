"""How well a candidate fits the traveler, with the reasons that make up the score.

Signals are plain mappings so that other parts of the platform can feed them:
``reliability`` (vendor id → 0..1, e.g. from vendor metrics; falls back to the vendor's
rating), ``history`` (interest → affinity -1..1 from the traveler's past trips).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

BASE = 10.0
PER_INTEREST = 20.0
MAX_INTERESTS = 3
PER_RATING_STEP = 8.0  # per star above 3
RELIABILITY_WEIGHT = 10.0
HISTORY_WEIGHT = 10.0
WISH_BONUS = 30.0


@dataclass(frozen=True)
class Signals:
    """Optional inputs of the scorer; every mapping may be empty."""

    reliability: Mapping[int, float] = field(default_factory=dict)
    history: Mapping[str, float] = field(default_factory=dict)
    lived: bool = True  # False: ``history`` is only what the traveler told us (no trip with us yet)

    @classmethod
    def from_mapping(cls, raw: Mapping | None) -> Signals:
        raw = raw or {}
        return cls(reliability=dict(raw.get("reliability", {})), history=dict(raw.get("history", {})),
                   lived=bool(raw.get("lived", True)))


def score(*, interests: Collection[str], wanted: Collection[str], rating: float, vendor_id: int | None,
          vendor_rating: float, preferred_by: str, signals: Signals) -> tuple[float, list[str]]:
    """Score a candidate; returns (score > 0, reasons a traveler can read)."""
    reasons: list[str] = []
    total = BASE
    matched = [i for i in wanted if i in set(interests)][:MAX_INTERESTS]
    if matched:
        total += PER_INTEREST * len(matched)
        reasons.append(_("matches %(interests)s") % {"interests": ", ".join(matched)})
    if rating > 0:
        total += PER_RATING_STEP * (rating - 3)
        reasons.append(_("rated %(rating).1f") % {"rating": rating})
    if vendor_id is not None:
        reliability = signals.reliability.get(vendor_id)
        if reliability is None and vendor_rating > 0:
            reliability = vendor_rating / 5
        if reliability is not None:
            total += RELIABILITY_WEIGHT * (reliability - 0.5) * 2
            if reliability >= 0.8:
                reasons.append(_("reliable vendor (%(pct)d%%)") % {"pct": round(reliability * 100)})
    liked = sum(signals.history.get(i, 0.0) for i in interests)
    if liked:
        total += HISTORY_WEIGHT * liked
        if liked > 0:
            reasons.append(_("like things you enjoyed before") if signals.lived else _("what you told us you like"))
    if preferred_by:
        total += WISH_BONUS
        reasons.append(_("recommended by your expert") if preferred_by == "expert" else _("on your wish list"))
    return max(total, 1.0), reasons
