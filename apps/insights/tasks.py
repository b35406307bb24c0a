"""django-q2 tasks of platform intelligence: one incremental update per engine event (run
in each event's follow-up task through :mod:`apps.coordination.hooks`) and the full
rebuild (nightly, and the ``rebuild_insights`` staff command). Both are idempotent."""
from __future__ import annotations

import logging

from django.db.models import Q

from apps.accounts.models import User
from apps.coordination.models import Booking, Event, Review
from apps.experts.models import Expert
from apps.requests.models import ExperienceRequest, TravelerProfile
from apps.vendors.models import Vendor

from .metrics import experts_refresh, travelers_refresh, vendors_refresh
from .patterns import patterns_refresh

log = logging.getLogger(__name__)

# Events after which the destination's patterns (volume, itineraries, ratings) may change.
PATTERN_EVENTS = ("request.submitted", "trip.completed", "review.submitted", "itinerary.proposed")


def affected_by(event: Event) -> dict[str, set]:
    """Who an event's update touches: the request's expert (and the expert named in the
    payload), the vendor of the booking or review, the traveler, and the destination."""
    state, payload = event.state, event.payload or {}
    experts = {pk for pk in (state.expert_id, payload.get("expert")) if isinstance(pk, int)}
    booking = payload.get("booking") if isinstance(payload.get("booking"), dict) else {}
    vendors = {pk for pk in (booking.get("vendor"), payload.get("vendor")) if isinstance(pk, int)}
    return {"experts": experts, "vendors": vendors, "travelers": {state.request.traveler_id},
            "destinations": {state.request.destination} if event.type in PATTERN_EVENTS else set()}


def on_event(event_id: int) -> dict[str, int]:
    """Engine hook (see ``InsightsConfig.ready``; runs in the event's follow-up task):
    refresh the metrics of everyone ``event_id`` touches (see :func:`affected_by`).
    A missing event (deleted request) changes nothing."""
    event = Event.objects.select_related("state__request").filter(pk=event_id).first()
    if event is None:
        return {}
    touched = affected_by(event)
    return {"experts": experts_refresh(touched["experts"]), "vendors": vendors_refresh(touched["vendors"]),
            "travelers": travelers_refresh(touched["travelers"]),
            "destinations": patterns_refresh(touched["destinations"])}


def rebuild_all() -> dict[str, int]:
    """Recompute every metric, profile and pattern from the event log, bookings and reviews."""
    experts = set(Expert.objects.values_list("pk", flat=True))
    vendors = set(Vendor.objects.values_list("pk", flat=True))
    travelers = set(User.objects.filter(Q(experience_requests__isnull=False) | Q(reviews__isnull=False))
                    .values_list("pk", flat=True)) | set(TravelerProfile.objects.values_list("traveler_id", flat=True))
    destinations = set(ExperienceRequest.objects.values_list("destination", flat=True))
    counts = {"experts": experts_refresh(experts), "vendors": vendors_refresh(vendors),
              "travelers": travelers_refresh(travelers), "destinations": patterns_refresh(destinations)}
    log.info("insights rebuilt: %s (events %s, bookings %s, reviews %s)", counts, Event.objects.count(),
             Booking.objects.count(), Review.objects.count())
    return counts
