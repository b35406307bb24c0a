"""Reads about experts: platform performance signals and consultation slots."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import mean

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from .models import ConsultationSlot, Recommendation, RecommendationStatus

# Event types that close an expert's pending answer (see apps.coordination.services.experts).
ANSWER_EVENTS = ("expert.accepted", "expert.declined")


@dataclass(frozen=True)
class ExpertSignals:
    """Platform performance of one expert; ``None`` where there is no history yet."""

    satisfaction: float | None = None  # mean review rating, 1–5
    booking_success: float | None = None  # confirmed or completed / settled bookings, 0–1
    response_hours: float | None = None  # mean hours from being chosen to answering


def expert_signals(expert_ids) -> dict[int, ExpertSignals]:
    """Satisfaction, booking success rate and response time per expert id, from reviews,
    bookings and the event log. Experts without any history map to empty signals."""
    from apps.coordination.models import Booking, Event, Review
    from apps.coordination.phases import BookingStatus

    ids = list(expert_ids)
    satisfaction = dict(Review.objects.filter(target=Review.Target.EXPERT, expert_id__in=ids)
                        .values_list("expert_id").annotate(avg=Avg("rating")).values_list("expert_id", "avg"))
    success = {BookingStatus.CONFIRMED, BookingStatus.COMPLETED}
    settled = success | {BookingStatus.DECLINED, BookingStatus.EXPIRED}
    bookings = (Booking.objects.filter(state__expert_id__in=ids, status__in=settled)
                .values("state__expert_id")
                .annotate(total=Count("id"), ok=Count("id", filter=Q(status__in=success))))
    success_rate = {row["state__expert_id"]: row["ok"] / row["total"] for row in bookings}
    chosen_at: dict[tuple[int, int], object] = {}
    response: dict[int, list[float]] = defaultdict(list)
    events = (Event.objects.filter(type__in=("expert.chosen", *ANSWER_EVENTS), payload__expert__in=ids)
              .order_by("created_at", "id").values_list("state_id", "type", "payload", "created_at"))
    for state_id, event_type, payload, at in events:
        key = (state_id, payload["expert"])
        if event_type == "expert.chosen":
            chosen_at[key] = at
        elif key in chosen_at:
            response[payload["expert"]].append((at - chosen_at.pop(key)).total_seconds() / 3600)
    signals = {
        expert_id: ExpertSignals(
            satisfaction=float(satisfaction[expert_id]) if expert_id in satisfaction else None,
            booking_success=success_rate.get(expert_id),
            response_hours=mean(response[expert_id]) if response.get(expert_id) else None,
        )
        for expert_id in ids
    }
    signals.update(_signals_from_metrics(ids))
    return signals


def _signals_from_metrics(ids: list[int]) -> dict[int, ExpertSignals]:
    """Signals of the experts with maintained :class:`ExpertMetrics` (platform intelligence,
    kept current per event and rebuilt nightly); they win over the ad hoc figures."""
    from .models import ExpertMetrics

    def number(value):
        return float(value) if value is not None else None

    return {m.expert_id: ExpertSignals(satisfaction=number(m.satisfaction), booking_success=number(m.booking_success),
                                       response_hours=number(m.response_avg_hours))
            for m in ExpertMetrics.objects.filter(expert_id__in=ids)}


def consultation_slot_list_free(expert_ids) -> QuerySet[ConsultationSlot]:
    """Future consultation slots of these experts that no request holds yet."""
    return ConsultationSlot.objects.filter(expert_id__in=list(expert_ids), request__isnull=True,
                                           start__gt=timezone.now())


def recommendation_list_for_request(request_id: int, *, with_drafts: bool) -> QuerySet[Recommendation]:
    """Versions of a request's recommendation document, newest first, with items; drafts
    only ``with_drafts`` (the caller asks the access policy: drafts are the expert's)."""
    qs = Recommendation.objects.filter(request_id=request_id).prefetch_related("items").order_by("-version")
    return qs if with_drafts else qs.exclude(status=RecommendationStatus.DRAFT)
