"""Writes of the experts app: capacity, consultation slots, recommendation documents and
the metrics ``apps.insights`` computes.

The coordination engine calls these inside its transaction; nothing here emits events.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Max
from django.utils.translation import gettext as _

from apps.core.bulk import replace_rows
from apps.core.errors import DomainError

from .models import (ConsultationSlot, Expert, ExpertMetrics, ItemStatus, Recommendation, RecommendationItem,
                     RecommendationStatus)

RECOMMENDATION_ITEM_FIELDS = ("day", "start_time", "offering_id", "title", "category", "reasoning", "tips",
                              "alternatives", "pinned")


def expert_capacity_take(*, expert_id: int) -> bool:
    """Take one unit of capacity with a conditional UPDATE; False when the expert is full."""
    return bool(Expert.objects.filter(pk=expert_id, capacity_current__lt=F("capacity_max"))
                .update(capacity_current=F("capacity_current") + 1))


def expert_capacity_release(*, expert_id: int) -> None:
    """Give one unit of capacity back (never below zero)."""
    Expert.objects.filter(pk=expert_id, capacity_current__gt=0).update(capacity_current=F("capacity_current") - 1)


def consultation_slot_hold(*, slot_id: int, expert_id: int, request) -> bool:
    """Hold a free slot of ``expert_id`` for ``request`` (conditional UPDATE); False if taken or not theirs."""
    return bool(ConsultationSlot.objects.filter(pk=slot_id, expert_id=expert_id, request__isnull=True)
                .update(request=request))


def recommendation_draft_write(*, request, expert: Expert, summary: str, items: list[dict]) -> Recommendation:
    """Replace the contents of the request's draft recommendation, opening the next version if
    the latest one was already sent. ``items`` are dicts with keys of
    ``RECOMMENDATION_ITEM_FIELDS`` (``title`` required). Raises DomainError on an empty title."""
    if any(not str(item.get("title", "")).strip() for item in items):
        raise DomainError(_("Every recommended item needs a title."), code="recommendation.title_required",
                          fields={"items": _("Every recommended item needs a title.")})
    draft = Recommendation.objects.filter(request=request, status=RecommendationStatus.DRAFT).first()
    if draft is None:
        version = (Recommendation.objects.filter(request=request).aggregate(v=Max("version"))["v"] or 0) + 1
        draft = Recommendation.objects.create(request=request, expert=expert, version=version, summary=summary)
    else:
        draft.summary = summary
        draft.expert = expert
        draft.save(update_fields=["summary", "expert", "updated_at"])
        draft.items.all().delete()
    RecommendationItem.objects.bulk_create([
        RecommendationItem(recommendation=draft, **{k: item[k] for k in RECOMMENDATION_ITEM_FIELDS if k in item})
        for item in items
    ])
    return draft


def recommendation_save_status(*, recommendation: Recommendation) -> None:
    """Save the status coordination just moved ``recommendation`` to through its table
    (``apps.coordination.phases.RECOMMENDATIONS``)."""
    recommendation.save(update_fields=["status", "updated_at"])


def recommendation_item_review(*, item: RecommendationItem, feedback: str, changes: dict) -> None:
    """Store the traveler's verdict on one item, its status already moved by coordination
    through its table (``apps.coordination.phases.RECOMMENDATION_ITEMS``); ``changes``
    (day, start_time) apply to a modified item."""
    item.traveler_feedback = feedback
    fields = ["status", "traveler_feedback"]
    if item.status == ItemStatus.MODIFIED:
        for name in ("day", "start_time"):
            if name in changes:
                setattr(item, name, changes[name])
                fields.append(name)
    item.save(update_fields=fields)


def expert_metrics_save(*, expert_ids: Iterable[int], metrics: dict[int, dict]) -> int:
    """Store recomputed :class:`ExpertMetrics`: one row per entry of ``metrics`` (expert id →
    field values), none for the other ``expert_ids`` (no history). Returns the rows written."""
    return replace_rows(ExpertMetrics, key="expert", values=metrics, ids=expert_ids)
