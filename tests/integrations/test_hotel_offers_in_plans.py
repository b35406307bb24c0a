"""The hotel provider in the planner, against a fake Amadeus on a loopback port: its offer
becomes the plan's stay (price, cancellation terms and expiry kept with it); down, the
platform's own hotels are planned and the plan says what it did without."""
import datetime as dt
from decimal import Decimal

import pytest

from apps.coordination.models import CoordinationState
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.selectors import itinerary_serialize, itinerary_with_days
from apps.itineraries.services import itinerary_create_from_plan
from tests.factories import make_offering, make_request, make_vendor
from tests.fakes import hotel_server

pytestmark = pytest.mark.django_db
MON = dt.date(2027, 3, 15)


@pytest.fixture
def amadeus(settings):
    def configure(url: str) -> None:
        settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "hotels": {
            **settings.TRAVELOURE_PROVIDERS["hotels"], "backend": "amadeus", "url": url, "client_id": "id",
            "client_secret": "secret", "options": {"timeout": 0.5, "retries": 0, "backoff": 0}}}
    return configure


@pytest.fixture
def platform_hotel():
    return make_offering(make_vendor(vendor_type="hotel", lat=35.70, lon=139.70), title="Platform Inn", kind="stay",
                         price_unit="night", base_price=Decimal("90"), currency="USD", rating=Decimal("3.0"))


def request_for_a_week():
    return make_request(start_date=MON, end_date=MON + dt.timedelta(days=7), accommodation="mid-range",
                        dietary_restrictions=[], interests=["culture"], budget_max=Decimal("6000"))


def stay_of(plan):
    return [item for day in plan.days for item in day.items if item.kind == "stay"]


def test_the_plans_stay_comes_from_the_providers_offer(amadeus, platform_hotel):
    state = request_for_a_week()
    with hotel_server.running() as (url, calls):
        amadeus(url)
        plan = plan_for_request(state.request, weather={}, max_iterations=50)
    (stay,) = stay_of(plan)
    assert stay.title == "Mitsui Garden Hotel Ginza" and stay.offering_id is None  # four stars, mid-range
    assert stay.offer["offer_id"] == "OFFER-RTTYOGIN" and stay.offer["price"] == {"amount": "1432.20",
                                                                                   "currency": "USD"}
    assert stay.offer["free_cancellation_until"] == "2027-03-15T23:59:00+09:00" and stay.offer["expires_at"]
    assert "offer from amadeus" in stay.reasoning
    assert plan.data_notes == []

    itinerary = itinerary_create_from_plan(request=state.request, plan=plan, author_role="platform")
    CoordinationState.objects.filter(pk=state.pk).update(current_itinerary=itinerary)
    data = itinerary_serialize(itinerary_with_days().get(pk=itinerary.pk))
    (kept,) = [i for d in data["days"] for i in d["items"] if i["kind"] == "stay"]
    assert kept["offer"]["offer_id"] == "OFFER-RTTYOGIN" and kept["price"]["amount"] == "1432.20"


def test_provider_down_plans_the_platforms_hotels_with_a_data_note(amadeus, platform_hotel):
    state = request_for_a_week()
    with hotel_server.running(down=True) as (url, calls):
        amadeus(url)
        plan = plan_for_request(state.request, weather={}, max_iterations=50)
    (stay,) = stay_of(plan)
    assert stay.offering_id == platform_hotel.pk and stay.offer is None
    assert any("External hotel offers" in note and "platform's own hotels" in note for note in plan.data_notes)


def test_offline_default_asks_no_provider(platform_hotel):
    plan = plan_for_request(request_for_a_week().request, weather={}, max_iterations=50)
    assert stay_of(plan)[0].offering_id == platform_hotel.pk and plan.data_notes == []
