"""Graceful degradation with faults injected, nothing lost; recommendations, browse and
itinerary review commands."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.models import Booking, CoordinationState, Event, PlanWish
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.services import browse, experts, itinerary, recommendations
from apps.coordination.services.changes import requirements_change
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.experts.models import Recommendation, RecommendationStatus
from apps.vendors.services import slot_hold
from tests.factories import make_expert, make_offering, make_request, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def types(state, since: int = 0) -> list[str]:
    return list(Event.objects.filter(state=state, version__gt=since).order_by("version").values_list("type", flat=True))


def wish(state, title: str, day_offset: int, hour: int, vendor=None, **kwargs):
    offering = make_offering(vendor, title=title, **kwargs)
    day = state.request.start_date + dt.timedelta(days=day_offset)
    slot = make_slot(offering, start=dt.datetime.combine(day, dt.time(hour), TOKYO))
    browse.plan_item_add(state_id=state.pk, actor=state.request.traveler, offering_id=offering.pk, slot_id=slot.pk)
    return offering, slot


def _item_of(state, offering):
    state.refresh_from_db()
    return next((i for d in state.current_itinerary.days.all() for i in d.items.all()
                 if i.offering_id == offering.pk), None)


def planned_slots(state) -> set[int]:
    state.refresh_from_db()
    return {i.slot_id for d in state.current_itinerary.days.all() for i in d.items.all() if i.slot_id}


def test_vendor_inventory_down_or_sold_out_does_not_stop_the_flow(down_adapter):
    state = make_request(path="browse")
    _, down_slot = wish(state, "Sumo morning practice", 1, 8, vendor=make_vendor(inventory_adapter=down_adapter))
    _, fine_slot = wish(state, "Tea ceremony", 2, 10)
    _, gone_slot = wish(state, "Sushi counter", 3, 12, kind="meal")
    itinerary.itinerary_generate(state_id=state.pk, actor=state.request.traveler)
    assert {down_slot.pk, fine_slot.pk, gone_slot.pk} <= planned_slots(state)
    assert slot_hold(slot_id=gone_slot.pk, quantity=gone_slot.capacity_available)  # someone else bought it all
    since = CoordinationState.objects.get(pk=state.pk).version

    approved = itinerary.itinerary_approve(state_id=state.pk, actor=state.request.traveler)
    assert [u["code"] for u in approved.unbooked] == ["booking.sold_out"]
    assert types(state, since) == ["itinerary.approved", "booking.requested", "booking.requested"]
    by_slot = {b.slot_id: b for b in Booking.objects.filter(state=state)}
    assert by_slot[down_slot.pk].needs_manual_confirmation and by_slot[down_slot.pk].status == BookingStatus.PENDING
    assert by_slot[fine_slot.pk].status == BookingStatus.REQUESTED and gone_slot.pk not in by_slot
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.BOOKING


def test_change_of_mind_cancels_affected_bookings_keeps_the_rest_and_replans():
    state = make_request(path="browse")
    traveler = state.request.traveler
    strict = make_vendor(cancellation_tiers=[{"hours": 72, "refund_pct": 100}])
    _, early = wish(state, "Meiji shrine walk", 0, 10)
    _, late = wish(state, "Hakone day trip", 5, 9, vendor=strict)
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    for booking in Booking.objects.filter(state=state):
        confirm_instant_booking(booking.pk)
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.CONFIRMED
    since = CoordinationState.objects.get(pk=state.pk).version

    new_end = state.request.start_date + dt.timedelta(days=3)
    requirements_change(state_id=state.pk, actor=traveler, end_date=new_end, interests=["food", "art"])
    state.refresh_from_db()
    assert (state.phase, state.request.end_date, state.request.interests) == (Phase.PLANNING, new_end, ["art", "food"])
    assert types(state, since) == ["requirements.changed", "booking.cancelled", "itinerary.proposed"]
    changed = Event.objects.get(state=state, type="requirements.changed").payload
    kept = Booking.objects.get(slot=early)
    cancelled = Booking.objects.get(slot=late)
    assert (changed["cancel"], changed["keep"]) == ([cancelled.pk], [kept.pk])
    assert (kept.status, cancelled.status) == (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)
    assert cancelled.refund_amount == cancelled.price
    assert state.current_itinerary.version == 2 and early.pk in planned_slots(state)
    assert PlanWish.objects.filter(state=state).count() == 2  # the wishes are kept

    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)  # nothing new to book
    state.refresh_from_db()
    assert state.phase == Phase.CONFIRMED and Booking.objects.filter(state=state).count() == 2


def test_change_of_mind_is_validated_like_an_intake():
    state = make_request(path="browse")
    before = types(state)
    with pytest.raises(DomainError) as exc:
        requirements_change(state_id=state.pk, actor=state.request.traveler,
                            end_date=state.request.start_date - dt.timedelta(days=1))
    assert "end_date" in exc.value.fields
    with pytest.raises(DomainError):
        requirements_change(state_id=state.pk, actor=state.request.traveler, destination="Paris")
    assert types(state) == before


def _expert_planning():
    traveler = make_user()
    expert = make_expert(capacity_max=3)
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    return state, expert, traveler


def test_recommendation_document_is_versioned_and_reviewed_item_by_item():
    state, expert, traveler = _expert_planning()
    offering = make_offering(title="Depachika tasting")
    draft = recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="v1",
                                                items=[{"title": "Senso-ji at dawn"}])
    same = recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="v1 again",
                                               items=[{"title": "Senso-ji at dawn"}, {"title": offering.title,
                                                                                      "offering_id": offering.pk}])
    assert (same.pk, same.version, same.items.count()) == (draft.pk, 1, 2)
    recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    v2 = recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="v2",
                                             items=[{"title": "Yanaka cemetery stroll", "tips": ["Cats!"]}])
    assert v2.version == 2 and v2.status == RecommendationStatus.DRAFT
    old_item = draft.items.first()
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=old_item.pk,
                                               action="approve")
    recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    assert Recommendation.objects.get(pk=draft.pk).status == RecommendationStatus.SUPERSEDED
    with pytest.raises(NotFound):
        recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=old_item.pk,
                                                   action="approve")
    new_item = v2.items.get()
    with pytest.raises(DomainError):
        recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=new_item.pk,
                                                   action="modify")
    reviewed = recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=new_item.pk,
                                                          action="modify", feedback="Later please",
                                                          changes={"start_time": dt.time(16)})
    assert (reviewed.status, reviewed.start_time) == ("modified", dt.time(16))
    assert Recommendation.objects.get(pk=v2.pk).status == RecommendationStatus.REVIEWED
    assert [i.pk for i in recommendations.recommendation_inputs(state)] == [new_item.pk]
    with pytest.raises(Forbidden):
        recommendations.recommendation_edit(state_id=state.pk, actor=traveler, summary="x", items=[])
    with pytest.raises(Forbidden):
        recommendations.recommendation_item_review(state_id=state.pk, actor=expert.user, item_id=new_item.pk,
                                                   action="approve")
    assert types(state)[3:] == ["recommendation.edited", "recommendation.edited", "recommendation.sent",
                                "recommendation.edited", "recommendation.item_reviewed", "recommendation.sent",
                                "recommendation.item_reviewed"]


def test_rematch_loses_neither_recommendations_nor_the_itinerary():
    state, expert, traveler = _expert_planning()
    recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="", items=[{"title": "Ueno"}])
    recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    itinerary.itinerary_generate(state_id=state.pk, actor=expert.user)
    itinerary.itinerary_send(state_id=state.pk, actor=expert.user)
    experts.expert_decline(state_id=state.pk, actor=expert.user, reason="Family emergency")
    state.refresh_from_db()
    assert state.phase == Phase.MATCHING and state.current_itinerary.version == 1
    assert Recommendation.objects.filter(request=state.request, status=RecommendationStatus.SENT).count() == 1
    with pytest.raises(NotFound):  # the expert who stepped back no longer sees the request
        recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    successor = make_expert()
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=successor.pk)
    experts.expert_accept(state_id=state.pk, actor=successor.user)
    assert [i.title for i in recommendations.recommendation_latest_sent(state).items.all()] == ["Ueno"]


def test_rejecting_or_moving_an_item_replans():
    state = make_request(path="browse")
    traveler = state.request.traveler
    offering, slot = wish(state, "Robot show", 1, 19)
    other = make_slot(offering, start=dt.datetime.combine(state.request.start_date + dt.timedelta(days=2),
                                                          dt.time(15), TOKYO))
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    assert slot.pk in planned_slots(state)
    item = _item_of(state, offering)
    itinerary.itinerary_item_modify(state_id=state.pk, actor=traveler, item_id=item.pk,
                                    day=other.start.astimezone(TOKYO).date(), time=dt.time(15), note="Not at night")
    assert other.pk in planned_slots(state) and slot.pk not in planned_slots(state)
    moved = _item_of(state, offering)
    itinerary.itinerary_item_reject(state_id=state.pk, actor=traveler, item_id=moved.pk, reason="Changed my mind")
    state.refresh_from_db()
    assert state.current_itinerary.version == 3
    assert _item_of(state, offering) is None
    assert types(state)[-4:] == ["itinerary.item_modified", "itinerary.proposed", "itinerary.item_rejected",
                                 "itinerary.proposed"]
