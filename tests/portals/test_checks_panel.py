"""The trip check panel (``live:checks``): what each role sees of the guard's findings,
the suggestion buttons, and the arrival/departure form (the time is local at the place;
bad input answers the panel with the errors and writes nothing)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState
from apps.coordination.services.guard import checks_refresh
from apps.itineraries.models import Item
from apps.requests.models import ExperienceRequest
from tests.factories import make_expert, make_user, make_vendor
from tests.factories.trips import make_trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip():
    trip = make_trip()
    expert = make_expert()
    CoordinationState.objects.filter(pk=trip.state.pk).update(expert=expert, expert_accepted_at=timezone.now())
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    trip.vendor_user, trip.other_vendor = make_user(Role.VENDOR), make_user(Role.VENDOR)
    trip.mine = trip.booking(0, 16, vendor=make_vendor(user=trip.vendor_user))
    make_vendor(user=trip.other_vendor)
    trip.expert = expert.user
    trip.url = reverse("live:checks", args=[trip.state.request_id])
    return trip


def _form(trip, **values) -> dict:
    return {"arrival_at": trip.at(0, 22, 5).strftime("%Y-%m-%dT%H:%M"), "arrival_place": "NRT",
            "arrival_mode": "flight", "arrival_reference": "TP1234", "departure_at": "", "departure_place": "",
            **values}


def test_the_traveler_sets_the_arrival_in_local_time_and_gets_the_buttons(client, trip):
    client.force_login(trip.state.request.traveler)
    page = client.get(trip.url)
    assert page.status_code == 200 and "Everything fits" in page.content.decode()
    response = client.post(trip.url, _form(trip))
    assert response.status_code == 200
    assert ExperienceRequest.objects.get(pk=trip.state.request_id).arrival["at"] == trip.at(0, 22, 5).isoformat()
    checks_refresh(state_id=trip.state.pk)  # the task the command queued after commit
    html = client.get(trip.url).content.decode()
    assert 'data-check="arrival.after_first_item"' in html and "Move Izakaya dinner to" in html
    assert html.count('name="suggestion"') == 1  # the booked visit has no button: only its vendor can move it


@pytest.mark.parametrize("values", [{"arrival_place": "Qwxzy"}, {"arrival_at": "tomorrow"},
                                    {"arrival_mode": "boat"}, {"departure_at": "2020-01-01T10:00",
                                                                "departure_place": "HND"}])
def test_bad_travel_input_answers_the_errors_and_writes_nothing(client, trip, values):
    client.force_login(trip.state.request.traveler)
    version = CoordinationState.objects.get(pk=trip.state.pk).version
    response = client.post(trip.url, _form(trip, **values))
    assert response.status_code == 400 and 'class="error' in response.content.decode()
    assert CoordinationState.objects.get(pk=trip.state.pk).version == version
    assert ExperienceRequest.objects.get(pk=trip.state.request_id).arrival is None


def test_who_sees_what(client, trip):
    client.force_login(trip.state.request.traveler)
    client.post(trip.url, _form(trip))
    checks_refresh(state_id=trip.state.pk)
    seen = {}
    for who, user in {"traveler": trip.state.request.traveler, "expert": trip.expert,
                      "staff": make_user(Role.STAFF), "vendor": trip.vendor_user}.items():
        client.force_login(user)
        response = client.get(trip.url)
        assert response.status_code == 200, who
        seen[who] = response.content.decode()
    for who in ("traveler", "expert", "staff"):
        assert "Izakaya dinner" in seen[who] and trip.mine.offering.title in seen[who]
        assert "Your arrival and departure" in seen[who]
    assert 'name="suggestion"' in seen["traveler"] and 'name="suggestion"' in seen["expert"]
    vendor = seen["vendor"]
    assert trip.mine.offering.title in vendor and "Izakaya dinner" not in vendor
    assert 'name="suggestion"' not in vendor and "Your arrival and departure" not in vendor
    for user in (trip.other_vendor, make_user(Role.TRAVELER)):
        client.force_login(user)
        assert client.get(trip.url).status_code == 404
        assert client.post(trip.url, {"suggestion": "x"}).status_code == 404
    client.logout()
    assert client.get(trip.url).status_code == 302


def test_a_vendor_cannot_apply_a_suggestion(client, trip):
    client.force_login(trip.state.request.traveler)
    client.post(trip.url, _form(trip))
    checks_refresh(state_id=trip.state.pk)
    token = next(f["suggestion"]["id"] for f in CoordinationState.objects.get(pk=trip.state.pk).checks
                 if f["suggestion"])
    client.force_login(trip.vendor_user)
    response = client.post(trip.url, {"suggestion": token})
    assert response.status_code == 404
    client.force_login(trip.state.request.traveler)
    assert client.post(trip.url, {"suggestion": token}).status_code == 200
    assert Item.objects.get(day__itinerary=CoordinationState.objects.get(pk=trip.state.pk).current_itinerary,
                            title="Izakaya dinner").start == trip.at(1, 19, 30)
