"""Feedback after a trip: the traveler reviews the expert, the vendors and the itinerary.
Each review is an engine command (``review.submitted``), asked for once the trip is over
(``review.requested``, by the periodic trip task); the metrics it feeds are
updated in every event's follow-up task (``apps.insights.tasks.on_event``, subscribed
through :mod:`apps.coordination.hooks`).
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError

from .. import engine
from ..access import can_review, require
from ..models import Booking, Event, Review
from ..phases import Phase

REVIEWED_BOOKINGS = ("confirmed", "completed")
MAX_COMMENT = 4000


def _subject(cmd: engine.Command, target: str, expert_id: int | None, vendor_id: int | None) -> dict:
    """The reviewed party as Review fields; refuses what the trip did not include."""
    state = cmd.state
    if target == Review.Target.EXPERT:
        if not state.expert_id or expert_id not in (None, state.expert_id):
            raise DomainError(_("Review the expert who planned this trip."), code="review.unknown_target",
                              fields={"expert": _("Not the expert of this trip.")})
        return {"expert_id": state.expert_id, "vendor_id": None}
    if target == Review.Target.VENDOR:
        if vendor_id is None or not Booking.objects.filter(state=state, vendor_id=vendor_id,
                                                           status__in=REVIEWED_BOOKINGS).exists():
            raise DomainError(_("Review a vendor you booked on this trip."), code="review.unknown_target",
                              fields={"vendor": _("No booking with this vendor.")})
        return {"expert_id": None, "vendor_id": vendor_id}
    if not state.current_itinerary_id:
        raise DomainError(_("This trip had no itinerary."), code="review.unknown_target")
    return {"expert_id": None, "vendor_id": None}


def review_submit(*, state_id: int, actor, target: str, rating: int, comment: str = "",
                  expert_id: int | None = None, vendor_id: int | None = None) -> Review:
    """The request's traveler rates (1–5) the trip's expert, one of its booked vendors or
    its itinerary, once per target, after the trip completed. ``review.submitted``; the
    vendor hears of its own review only.

    Errors: 404 for anyone who does not see the request, 403 for its expert or staff
    (only the traveler reviews); DomainError ``review.invalid`` (target, rating, comment),
    ``review.unknown_target``; Conflict ``state.wrong_phase`` before completion,
    ``review.duplicate`` for a second review of the same target.
    """
    if target not in Review.Target.values:
        raise DomainError(_("Review an expert, a vendor or the itinerary."), code="review.invalid",
                          fields={"target": _("Unknown target.")})
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(_("Rate from 1 to 5 stars."), code="review.invalid", fields={"rating": _("1 to 5.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(_("Keep the comment under %(n)d characters.") % {"n": MAX_COMMENT}, code="review.invalid",
                          fields={"comment": _("Too long.")})
    with engine.command(state_id, actor=actor) as cmd:
        require(can_review(actor, cmd.state), actor, cmd.state, _("Only the traveler can review this trip."))
        cmd.require_phase(Phase.COMPLETED)
        subject = _subject(cmd, target, expert_id, vendor_id)
        if Review.objects.filter(state=cmd.state, author=actor, target=target, **subject).exists():
            raise Conflict(_("You already reviewed this."), code="review.duplicate")
        review = Review.objects.create(state=cmd.state, author=actor, target=target, rating=rating, comment=comment,
                                       **subject)
        data = {"review": review.pk, "target": target, "expert": review.expert_id, "vendor": review.vendor_id,
                "rating": rating, "comment": comment}
        cmd.record("review.submitted", data, vendors={review.vendor_id: data} if review.vendor_id else None)
    return review


def review_request(*, state_id: int) -> None:
    """System, once the trip is completed: ask the traveler for reviews (``review.requested``,
    with what can be reviewed; the notification invites them). Once per request; a request
    not completed or already asked → no change."""
    with engine.command(state_id, actor=None) as cmd:
        state = cmd.state
        if state.phase != Phase.COMPLETED or Event.objects.filter(state=state, type="review.requested").exists():
            cmd.skip()
            return
        vendors = sorted(set(Booking.objects.filter(state=state, status__in=REVIEWED_BOOKINGS)
                             .values_list("vendor_id", flat=True)))
        cmd.record("review.requested", {"destination": state.request.destination, "expert": state.expert_id,
                                        "vendors": vendors, "itinerary": bool(state.current_itinerary_id)})
