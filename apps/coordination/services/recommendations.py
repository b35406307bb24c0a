"""Engine commands of the expert's recommendations: a living, versioned document the
expert drafts and sends, the traveler reviews item by item, and the next itinerary
version is planned from (approved and modified items are the planner's pinned or
preferred inputs)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, NotFound
from apps.experts import services as expert_services
from apps.experts.models import ItemStatus, Recommendation, RecommendationItem, RecommendationStatus
from apps.vendors.models import Offering

from .. import engine
from ..models import CoordinationState
from ..phases import RECOMMENDATION_ITEMS, RECOMMENDATIONS, Phase
from .experts import require_expert, require_traveler

EDITABLE_PHASES = (Phase.PLANNING, Phase.BOOKING, Phase.CONFIRMED)
REVIEW_ACTIONS = {"approve": ItemStatus.APPROVED, "reject": ItemStatus.REJECTED, "modify": ItemStatus.MODIFIED}


def _require_accepted_expert(cmd: engine.Command, actor) -> None:
    require_expert(cmd.state, actor)
    if not cmd.state.expert_accepted_at:
        raise Conflict(_("Accept the request before recommending."), code="recommendation.not_accepted")
    cmd.require_phase(*EDITABLE_PHASES)


def recommendation_edit(*, state_id: int, actor, summary: str, items: list[dict]) -> Recommendation:
    """The accepted expert writes the draft (days, offerings or free text, tips, alternatives,
    reasoning, pinned times), replacing its previous contents; a new version is opened once
    the previous one was sent. ``recommendation.edited``.

    Errors: 403/404 not the expert; Conflict before acceptance or after the trip began;
    DomainError ``recommendation.unknown_offering`` / ``recommendation.title_required``.
    """
    offering_ids = {item["offering_id"] for item in items if item.get("offering_id")}
    if len(offering_ids) != Offering.objects.filter(pk__in=offering_ids, is_active=True).count():
        raise DomainError(_("A recommended offering does not exist."), code="recommendation.unknown_offering",
                          fields={"items": _("Unknown offering.")})
    with engine.command(state_id, actor=actor) as cmd:
        _require_accepted_expert(cmd, actor)
        draft = expert_services.recommendation_draft_write(request=cmd.state.request, expert=cmd.state.expert,
                                                           summary=summary, items=items)
        cmd.record("recommendation.edited", {"recommendation": draft.pk, "version": draft.version,
                                             "status": draft.status, "items": len(items)})
    return draft


def recommendation_send(*, state_id: int, actor) -> Recommendation:
    """The expert sends the current draft to the traveler; older versions are superseded.
    ``recommendation.sent`` lists the items. Conflict ``recommendation.no_draft`` without a
    non-empty draft."""
    with engine.command(state_id, actor=actor) as cmd:
        _require_accepted_expert(cmd, actor)
        draft = (Recommendation.objects.filter(request_id=cmd.state.request_id, status=RecommendationStatus.DRAFT)
                 .prefetch_related("items").first())
        if draft is None or not draft.items.all():
            raise Conflict(_("There is no draft with items to send."), code="recommendation.no_draft")
        for older in (Recommendation.objects.filter(request_id=cmd.state.request_id, version__lt=draft.version)
                      .exclude(status=RecommendationStatus.SUPERSEDED)):
            RECOMMENDATIONS.move(older, RecommendationStatus.SUPERSEDED)
            expert_services.recommendation_save_status(recommendation=older)
        RECOMMENDATIONS.move(draft, RecommendationStatus.SENT)
        expert_services.recommendation_save_status(recommendation=draft)
        cmd.record("recommendation.sent", {"recommendation": draft.pk, "version": draft.version,
                                           "items": [{"id": i.pk, "title": i.title, "pinned": i.pinned,
                                                      "day": i.day.isoformat() if i.day else None}
                                                     for i in draft.items.all()]})
    return draft


def recommendation_item_review(*, state_id: int, actor, item_id: int, action: str, feedback: str = "",
                               changes: dict | None = None) -> RecommendationItem:
    """The traveler approves, rejects or modifies (new day/time, with feedback) one item of the
    recommendation they were sent; ``recommendation.item_reviewed``.

    The same approval or rejection again changes nothing; the document becomes ``reviewed``
    once no item is left proposed. Errors: DomainError ``recommendation.bad_action``;
    NotFound for an item not in the latest sent version; 403/404 not the traveler.
    """
    if action not in REVIEW_ACTIONS:
        raise DomainError(_("Choose approve, reject or modify."), code="recommendation.bad_action",
                          fields={"action": _("Choose approve, reject or modify.")})
    if action == "modify" and not (feedback.strip() or changes):
        raise DomainError(_("Say what to change."), code="recommendation.feedback_required",
                          fields={"feedback": _("Say what to change.")})
    with engine.command(state_id, actor=actor) as cmd:
        require_traveler(cmd.state, actor)
        cmd.require_phase(*EDITABLE_PHASES)
        latest = recommendation_latest_sent(cmd.state)
        item = latest.items.filter(pk=item_id).first() if latest else None
        if item is None:
            raise NotFound(_("This recommendation item is not open for review."), code="not_found")
        if item.status == REVIEW_ACTIONS[action] and action != "modify":  # a repeated verdict
            cmd.skip()
            return item
        RECOMMENDATION_ITEMS.move(item, REVIEW_ACTIONS[action])
        expert_services.recommendation_item_review(item=item, feedback=feedback, changes=changes or {})
        if latest.status == RecommendationStatus.SENT and not latest.items.filter(status=ItemStatus.PROPOSED).exists():
            RECOMMENDATIONS.move(latest, RecommendationStatus.REVIEWED)
            expert_services.recommendation_save_status(recommendation=latest)
        cmd.record("recommendation.item_reviewed", {
            "recommendation": latest.pk, "version": latest.version, "item": item.pk, "status": item.status,
            "feedback": feedback, "reviewed": latest.status == RecommendationStatus.REVIEWED})
    return item


def recommendation_latest_sent(state: CoordinationState) -> Recommendation | None:
    """The newest version the traveler has received (sent or reviewed)."""
    return (Recommendation.objects.filter(request_id=state.request_id,
                                          status__in=(RecommendationStatus.SENT, RecommendationStatus.REVIEWED))
            .order_by("-version").first())


def recommendation_inputs(state: CoordinationState) -> list[RecommendationItem]:
    """Approved and modified items of the latest sent version: the planner's inputs."""
    latest = recommendation_latest_sent(state)
    if latest is None:
        return []
    return list(latest.items.filter(status__in=(ItemStatus.APPROVED, ItemStatus.MODIFIED)).select_related("offering"))
