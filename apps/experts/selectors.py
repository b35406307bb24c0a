"""Reads about experts: platform performance signals and consultation slots."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .models import ConsultationSlot, ExpertMetrics, Recommendation, RecommendationStatus


@dataclass(frozen=True)
class ExpertSignals:
    """Platform performance of one expert; ``None`` where there is no history yet."""

    satisfaction: float | None = None  # mean review rating, 1–5
    booking_success: float | None = None  # confirmed or completed / decided bookings, 0–1
    response_hours: float | None = None  # mean hours to answer being chosen or a traveler's message


def expert_signals(expert_ids) -> dict[int, ExpertSignals]:
    """Satisfaction, booking success rate and response time per expert id, from their
    :class:`ExpertMetrics` (computed from reviews, bookings and the event log by
    ``apps.insights``, kept current per event and rebuilt nightly). Experts without
    history map to empty signals."""
    def number(value):
        return float(value) if value is not None else None

    signals = {pk: ExpertSignals() for pk in expert_ids}
    signals.update({m.expert_id: ExpertSignals(satisfaction=number(m.satisfaction),
                                               booking_success=number(m.booking_success),
                                               response_hours=number(m.response_avg_hours))
                    for m in ExpertMetrics.objects.filter(expert_id__in=list(signals))})
    return signals


def consultation_slot_list_free(expert_ids) -> QuerySet[ConsultationSlot]:
    """Future consultation slots of these experts that no request holds yet."""
    return ConsultationSlot.objects.filter(expert_id__in=list(expert_ids), request__isnull=True,
                                           start__gt=timezone.now())


def recommendation_list_for_request(request_id: int, *, with_drafts: bool) -> QuerySet[Recommendation]:
    """Versions of a request's recommendation document, newest first, with items; drafts
    only ``with_drafts`` (the caller asks the access policy: drafts are the expert's)."""
    qs = Recommendation.objects.filter(request_id=request_id).prefetch_related("items").order_by("-version")
    return qs if with_drafts else qs.exclude(status=RecommendationStatus.DRAFT)
