"""The feedback loop: ``review_submit`` and ``requests/<id>/reviews/``."""
import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.coordination.models import Event, OutboxMessage, Review
from apps.coordination.services.reviews import review_submit
from apps.core.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import make_booking_state, make_expert, make_offering, make_user, make_vendor

from .history import confirmed, declined, finish_trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip():
    expert = make_expert()
    state = make_booking_state(expert=expert)
    booked, refused = make_vendor(), make_vendor(confirmation="manual")
    confirmed(state, make_offering(booked))
    declined(state, make_offering(refused))
    finish_trip(state)
    return state, expert, booked, refused


def test_traveler_reviews_expert_and_vendor_once_each(trip, django_capture_on_commit_callbacks):
    state, expert, booked, _refused = trip
    traveler = state.request.traveler
    with django_capture_on_commit_callbacks() as callbacks:
        review = review_submit(state_id=state.pk, actor=traveler, target="vendor", vendor_id=booked.pk, rating=4,
                               comment="  Great guide ")
    assert (review.vendor_id, review.expert_id, review.rating, review.comment) == (booked.pk, None, 4, "Great guide")
    assert len(callbacks) == 1  # publishing and the insights task wait for the commit
    event = Event.objects.filter(state=state).order_by("-version").first()
    assert event.type == "review.submitted" and event.payload["rating"] == 4
    vendor_groups = set(OutboxMessage.objects.filter(event=event, group__startswith="vendor.")
                        .values_list("group", flat=True))
    assert vendor_groups == {f"vendor.{booked.pk}"}

    expert_review = review_submit(state_id=state.pk, actor=traveler, target="expert", rating=5)
    assert expert_review.expert_id == expert.pk
    with pytest.raises(Conflict) as exc:
        review_submit(state_id=state.pk, actor=traveler, target="expert", rating=1)
    assert exc.value.code == "review.duplicate"
    assert Review.objects.filter(state=state).count() == 2


def test_refusals(trip):
    state, expert, _booked, refused = trip
    traveler = state.request.traveler
    cases = [
        (dict(actor=traveler, target="vendor", vendor_id=refused.pk, rating=3), DomainError, "review.unknown_target"),
        (dict(actor=traveler, target="expert", expert_id=make_expert().pk, rating=3), DomainError,
         "review.unknown_target"),
        (dict(actor=traveler, target="itinerary", rating=3), DomainError, "review.unknown_target"),
        (dict(actor=traveler, target="expert", rating=6), DomainError, "review.invalid"),
        (dict(actor=traveler, target="hotel", rating=3), DomainError, "review.invalid"),
        (dict(actor=expert.user, target="expert", rating=5), Forbidden, "permission_denied"),
        (dict(actor=make_user(), target="expert", rating=5), NotFound, "not_found"),
    ]
    for kwargs, error, code in cases:
        with pytest.raises(error) as exc:
            review_submit(state_id=state.pk, **kwargs)
        assert exc.value.code == code
    assert not Review.objects.exists()
    assert not Event.objects.filter(type="review.submitted").exists()


def test_only_after_the_trip_completed():
    state = make_booking_state(expert=make_expert())
    with pytest.raises(Conflict) as exc:
        review_submit(state_id=state.pk, actor=state.request.traveler, target="expert", rating=5)
    assert exc.value.code == "state.wrong_phase"


@pytest.mark.parametrize("who,status", [("traveler", 201), ("expert", 403), ("vendor", 404), ("other", 404),
                                        ("anonymous", 403)])
def test_reviews_api_by_role(trip, api_client, who, status):
    state, expert, booked, _refused = trip
    users = {"traveler": state.request.traveler, "expert": expert.user, "vendor": booked.user,
             "other": make_user(Role.TRAVELER), "anonymous": None}
    if users[who]:
        api_client.force_authenticate(users[who])
    url = reverse("api:request-reviews", args=[state.request_id])
    response = api_client.post(url, {"target": "expert", "rating": 5, "comment": "Thanks"}, format="json")
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["expert"] == expert.pk
        assert [r["rating"] for r in api_client.get(url).json()] == [5]
        again = api_client.post(url, {"target": "expert", "rating": 4}, format="json")
        assert (again.status_code, again.json()["code"]) == (409, "review.duplicate")
        bad = api_client.post(url, {"target": "expert", "rating": 9}, format="json")
        assert bad.status_code == 400 and "rating" in bad.json()["fields"]
    else:
        assert not Review.objects.exists()
