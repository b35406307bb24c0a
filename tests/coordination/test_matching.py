import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from apps.coordination.models import CoordinationState
from apps.experts.matching import expert_matches
from apps.experts.selectors import expert_signals
from apps.insights.tasks import rebuild_all
from tests.factories import (make_consultation_slot, make_expert, make_offering, make_past_client, make_request,
                             make_user)
from tests.factories.bookings import make_booking

pytestmark = pytest.mark.django_db


def _ids(state):
    return [m.expert.pk for m in expert_matches(state.request)]


def _trip_dates(state, first: int, count: int) -> list[str]:
    return [(state.request.start_date + dt.timedelta(days=first + n)).isoformat() for n in range(count)]


def test_specialization_decides_who_is_a_candidate_and_how_well_they_match():
    state = make_request(interests=["food", "culture"])
    local = make_expert(destinations=["Tokyo"], specializations=["travel", "food", "culture"])
    interests_only = make_expert(destinations=["Paris"], specializations=["food"])
    unrelated = make_expert(destinations=["Paris"], specializations=["wedding", "history"])
    # A local expert is free: only locals are offered.
    assert _ids(state) == [local.pk]
    top = expert_matches(state.request)[0]
    assert "Specializes in Tokyo" in top.reasons
    assert "Knows your interests: culture, food" in top.reasons
    # No local one free: those who share the traveler's interests step in, the unrelated never.
    type(local).objects.filter(pk=local.pk).update(capacity_current=F("capacity_max"))
    ranking = _ids(state)
    assert ranking == [interests_only.pk]
    assert unrelated.pk not in ranking


def test_full_capacity_excludes_and_freeing_capacity_brings_back():
    state = make_request()
    full = make_expert(capacity_max=2, capacity_current=2)
    other = make_expert(rating=Decimal("4.0"))
    assert _ids(state) == [other.pk]
    type(full).objects.filter(pk=full.pk).update(capacity_current=1)
    assert _ids(state) == [full.pk, other.pk]


def test_rating_floor_is_strict_and_configurable(settings):
    state = make_request()
    at_floor = make_expert(rating=Decimal("3.5"))
    assert _ids(state) == []
    settings.TRAVELOURE = {**settings.TRAVELOURE, "EXPERT_RATING_FLOOR": 3.0}
    assert _ids(state) == [at_floor.pk]


def test_date_availability_excludes_the_absent_and_ranks_partial_lower():
    state = make_request()
    days = (state.request.end_date - state.request.start_date).days + 1
    away = make_expert(unavailable_dates=_trip_dates(state, 0, days))
    half = make_expert(unavailable_dates=_trip_dates(state, 0, 3))
    free = make_expert()
    assert _ids(state) == [free.pk, half.pk]
    assert away.pk not in _ids(state)
    reasons = {m.expert.pk: m.reasons for m in expert_matches(state.request)}
    assert "Available on all your dates" in reasons[free.pk]
    assert "Available on 57% of your dates" in reasons[half.pk]


def test_a_free_consultation_slot_before_the_trip_ranks_higher():
    state = make_request()
    plain = make_expert()
    with_slot = make_expert()
    assert _ids(state) == [plain.pk, with_slot.pk]
    make_consultation_slot(with_slot)
    assert _ids(state) == [with_slot.pk, plain.pk]


def test_affinity_with_this_traveler_changes_the_ranking():
    traveler = make_user()
    state = make_request(traveler)
    first = make_expert()
    liked = make_expert()
    assert _ids(state) == [first.pk, liked.pk]
    # Same satisfaction for both (one 5-star review each): only the affinity differs.
    make_past_client(first, make_user(), rating=5)
    make_past_client(liked, traveler, rating=5)
    rebuild_all()  # what the insights task does after each review
    matches = expert_matches(state.request)
    assert [m.expert.pk for m in matches] == [liked.pk, first.pk]
    assert "Worked well with you before" in matches[0].reasons
    assert "Worked well with you before" not in matches[1].reasons


def test_a_poor_review_is_no_affinity():
    traveler = make_user()
    state = make_request(traveler)
    expert = make_expert()
    make_past_client(expert, traveler, rating=3)
    rebuild_all()
    assert "Worked well with you before" not in expert_matches(state.request)[0].reasons


def test_affinity_needs_a_completed_request():
    traveler = make_user()
    state = make_request(traveler)
    make_expert()  # a competitor without history
    liked = make_expert()
    review = make_past_client(liked, traveler, rating=5)
    CoordinationState.objects.filter(pk=review.state_id).update(phase="planning")
    rebuild_all()
    assert "Worked well with you before" not in expert_matches(state.request)[1].reasons


def test_platform_performance_from_bookings_and_response_time():
    state = make_request()
    reliable = make_expert()
    flaky = make_expert()
    offering = make_offering()
    for expert, statuses in ((reliable, ["confirmed", "completed"]), (flaky, ["declined", "expired"])):
        past = make_request()
        CoordinationState.objects.filter(pk=past.pk).update(expert=expert)
        for status in statuses:
            make_booking(past, offering=offering, status=status, price=Decimal("10"))
    rebuild_all()
    signals = expert_signals([reliable.pk, flaky.pk])
    assert signals[reliable.pk].booking_success == 1.0 and signals[flaky.pk].booking_success == 0.0
    assert _ids(state) == [reliable.pk, flaky.pk]
    top = expert_matches(state.request)[0]
    assert top.booking_success == 1.0 and "100% of their bookings confirmed" in top.performance


def test_top_three_only_best_first():
    state = make_request()
    experts = [make_expert(rating=Decimal(r)) for r in ("4.0", "4.9", "4.5", "3.8")]
    matches = expert_matches(state.request)
    assert [m.expert.pk for m in matches] == [experts[1].pk, experts[2].pk, experts[0].pk]
    assert matches[0].score > matches[1].score > matches[2].score
    assert matches[0].as_dict() == {"expert": experts[1].pk, "name": str(experts[1]), "score": matches[0].score,
                                    "reasons": matches[0].reasons + matches[0].performance, "rating": 4.9,
                                    "response_hours": experts[1].response_time_hours}


def test_a_card_shows_one_rating_and_one_response_time():
    """The measured figures replace the profile's everywhere the card shows them."""
    from apps.experts.models import ExpertMetrics

    state = make_request()
    expert = make_expert(rating=Decimal("4.9"), response_time_hours=24)
    ExpertMetrics.objects.create(expert=expert, satisfaction=Decimal("4.20"), response_avg_hours=Decimal("5.4"))
    [match] = expert_matches(state.request)
    assert (match.rating, match.response_hours) == (4.2, 5)
    assert [s for s in match.performance if "Rated" in s or "answers" in s] == [
        "Rated 4.2 by travelers", "Usually answers within 5 hours"]


def test_wedding_planner_matched_on_experience_type():
    state = make_request(experience_type="wedding", destination="Florence", interests=[])
    planner = make_expert(destinations=["Paris"], specializations=["wedding"])
    make_expert(destinations=["Paris"], specializations=["travel", "food"])
    assert _ids(state) == [planner.pk]
