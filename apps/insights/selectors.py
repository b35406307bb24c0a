"""Reads of platform intelligence for portals, the API, matching and the planner.

Each selector is scoped by its argument: pass the caller's own expert, vendor or user
(portals get them from the signed-in user), never an id from the URL.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from apps.requests.models import TravelerProfile
from apps.vendors.models import VendorMetrics

from .metrics import LONG_TRANSFER_MIN
from .models import ItineraryPattern, SeasonalTrend
from .patterns import destination_key

MORNING_SHARE = 0.6
NEARBY_DEGREES = 0.6  # about 65 km: the planner searches candidates within a similar radius
MIN_TIMED_BOOKINGS = 3
MIN_LONG_REJECTIONS = 2


@dataclass(frozen=True)
class Preferences:
    """A traveler's effective preferences: learned ones with the traveler's overrides on top.
    ``edited`` names the preferences the traveler set themselves."""

    prefers_mornings: bool = False
    avoids_long_transfers: bool = False
    interests: dict[str, float] = field(default_factory=dict)
    expert_affinity: list[int] = field(default_factory=list)
    edited: frozenset[str] = frozenset()
    long_transfer_min: int = LONG_TRANSFER_MIN


def preferences_of(profile: TravelerProfile | None) -> Preferences:
    """Learned rules: mornings when ≥ 60 % of at least 3 kept bookings start before noon;
    long transfers when at least 2 rejected items, and half of all rejections, followed a
    transfer of ``LONG_TRANSFER_MIN`` minutes or more."""
    if profile is None:
        return Preferences()
    learned_mornings = (profile.morning_share is not None and profile.bookings_kept >= MIN_TIMED_BOOKINGS
                        and float(profile.morning_share) >= MORNING_SHARE)
    learned_transfers = (profile.long_transfer_rejections >= MIN_LONG_REJECTIONS
                         and 2 * profile.long_transfer_rejections >= profile.rejections)
    overrides = profile.overrides or {}
    return Preferences(
        prefers_mornings=overrides.get("prefers_mornings", learned_mornings),
        avoids_long_transfers=overrides.get("avoids_long_transfers", learned_transfers),
        interests={**profile.interests, **overrides.get("interests", {})},
        expert_affinity=list(profile.expert_affinity), edited=frozenset(overrides))


def traveler_profile_for(user) -> tuple[TravelerProfile | None, Preferences]:
    """The user's own profile row (None before any history) and effective preferences."""
    profile = TravelerProfile.objects.filter(traveler=user).first()
    return profile, preferences_of(profile)


def planner_signals(request) -> dict:
    """``signals`` for :func:`apps.itineraries.planner.service.plan_for_request`: vendor
    reliability at the destination and the traveler's interest history."""
    # A box around the destination: vendor.city names regions ("Tuscany") that intake resolves to a city.
    reliability = {pk: float(value) for pk, value in VendorMetrics.objects.filter(
        vendor__lat__range=(request.lat - NEARBY_DEGREES, request.lat + NEARBY_DEGREES),
        vendor__lon__range=(request.lon - NEARBY_DEGREES, request.lon + NEARBY_DEGREES),
        reliability__isnull=False).values_list("vendor_id", "reliability")}
    profile, preferences = traveler_profile_for(request.traveler)
    # The plan says "like things you enjoyed before" only once the traveler has kept bookings
    # or completed a trip with us; before, the interests are only what they told us.
    lived = bool(profile is not None and (profile.trips_completed or profile.bookings_kept))
    return {"reliability": reliability, "history": dict(preferences.interests), "lived": lived}


def starting_points(destination: str, length_days: int | None = None, *, limit: int = 5) -> QuerySet[ItineraryPattern]:
    """Popular past itineraries at ``destination`` (optionally of one length), most trips
    first, then best rated."""
    qs = ItineraryPattern.objects.filter(destination=destination_key(destination))
    if length_days is not None:
        qs = qs.filter(length_days=length_days)
    return qs.order_by("-trips", "-rating_avg", "signature")[:limit]


def seasonal_trends(destination: str) -> QuerySet[SeasonalTrend]:
    """The twelve months of ``destination`` (empty before any request went there)."""
    return SeasonalTrend.objects.filter(destination=destination_key(destination)).order_by("month")
