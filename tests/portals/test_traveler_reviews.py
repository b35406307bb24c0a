"""Reviews from the traveler's history page: a form per reviewable party of a completed
trip (expert, each booked vendor, the itinerary), written through ``review_submit``."""
import re

import pytest
from django.urls import reverse

from apps.coordination.models import Booking, Event, Review
from apps.coordination.services.reviews import review_submit
from tests.factories import make_booking_state, make_expert, make_user
from tests.insights.history import finish_trip
from tests.itineraries.factories import make_itinerary

pytestmark = pytest.mark.django_db
HISTORY = reverse("traveler:history")


def completed_trip(traveler):
    """A finished trip: expert, a two-day itinerary, one confirmed booking (vendor)."""
    state = make_booking_state(traveler, expert=make_expert())
    make_itinerary(state=state, days=2, confirmed_days=(0,))
    finish_trip(state)
    state.refresh_from_db()
    return state, Booking.objects.get(state=state).vendor


def review_url(state) -> str:
    return reverse("traveler:review_submit", args=[state.request_id])


def forms_on(page: str) -> list[str]:
    return re.findall(r'action="/traveler/requests/\d+/reviews/[^"]*"', page)


def test_history_offers_a_form_per_party_then_shows_the_review(client, traveler, django_assert_max_num_queries):
    state, vendor = completed_trip(traveler)
    client.force_login(traveler)
    with django_assert_max_num_queries(12):
        page = client.get(HISTORY).content.decode()
    assert len(forms_on(page)) == 3  # expert, vendor, itinerary
    assert page.count('type="radio" name="rating"') == 15 and "<legend>Rating" in page
    assert f'id="review-{state.request_id}-vendor-{vendor.pk}"' in page

    response = client.post(review_url(state), {"target": "vendor", "vendor": vendor.pk, "rating": "4",
                                               "comment": "  Lovely guide "})
    assert response.status_code == 302
    assert response.url == f"{HISTORY}#review-{state.request_id}-vendor-{vendor.pk}"
    review = Review.objects.get(state=state)
    assert (review.author, review.target, review.vendor, review.rating, review.comment) == (
        traveler, "vendor", vendor, 4, "Lovely guide")
    assert Event.objects.filter(state=state, type="review.submitted").count() == 1

    page = client.get(HISTORY).content.decode()
    assert len(forms_on(page)) == 2 and "Lovely guide" in page and 'aria-label="4 out of 5"' in page


def test_duplicate_is_refused_and_said(client, traveler):
    state, _vendor = completed_trip(traveler)
    review_submit(state_id=state.pk, actor=traveler, target="expert", rating=5)
    client.force_login(traveler)
    response = client.post(review_url(state), {"target": "expert", "rating": "2"})
    assert response.status_code == 400
    assert "You already reviewed this." in response.content.decode()
    assert list(Review.objects.values_list("rating", flat=True)) == [5]


def test_missing_rating_is_shown_next_to_its_form(client, traveler):
    state, _vendor = completed_trip(traveler)
    client.force_login(traveler)
    response = client.post(f"{review_url(state)}?page=1", {"target": "itinerary", "comment": "Great pace"})
    assert response.status_code == 400
    html = response.content.decode()
    item = html.split(f'id="review-{state.request_id}-itinerary"')[1].split("</li>")[0]
    assert "<details open>" in item and "Choose from 1 to 5 stars." in item and "Great pace" in item
    assert not Review.objects.exists()


def test_not_before_the_trip_is_completed(client, traveler):
    state = make_booking_state(traveler, expert=make_expert())
    client.force_login(traveler)
    response = client.post(review_url(state), {"target": "expert", "rating": "5"})
    assert response.status_code == 400
    assert "Not possible while the request is" in response.content.decode()
    assert not Review.objects.exists() and not Event.objects.filter(type="review.submitted").exists()


def test_other_traveler_gets_404_and_sees_nothing(client, traveler):
    state, vendor = completed_trip(traveler)
    other = make_user()
    client.force_login(other)
    response = client.post(review_url(state), {"target": "vendor", "vendor": vendor.pk, "rating": "1"})
    assert response.status_code == 404
    assert not Review.objects.exists()
    page = client.get(HISTORY).content.decode()
    assert str(state.request) not in page and not forms_on(page)
