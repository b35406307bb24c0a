"""REST of the trip guard: the arrival and departure at intake and later
(``requests/<id>/travel/``), the findings (``requests/<id>/checks/``) per role, and
applying a suggestion (``requests/<id>/checks/apply/``). Bad bodies: 400 JSON, nothing written."""
import datetime as dt

import pytest

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState, Event
from apps.coordination.services.guard import checks_refresh
from apps.itineraries.models import Item
from apps.requests.models import ExperienceRequest
from tests.api.test_intake_api import body
from tests.factories import make_expert, make_user, make_vendor
from tests.factories.trips import make_trip

pytestmark = pytest.mark.django_db


def leg(at: str, place: str = "NRT", mode: str = "flight") -> dict:
    return {"at": at, "mode": mode, "place": place, "reference": "TP1234"}


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_intake_stores_the_legs(api_client):
    data = body()
    start = dt.date.fromisoformat(data["dates"]["start"])
    end = dt.date.fromisoformat(data["dates"]["end"])
    data.update(arrival=leg(f"{start}T22:05:00+09:00"), departure=leg(f"{end}T18:00:00+09:00", "Tokyo Station",
                                                                      "train"))
    response = as_user(api_client, make_user(Role.TRAVELER)).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 201, response.json()
    arrival, departure = response.json()["arrival"], response.json()["departure"]
    assert (arrival["code"], arrival["time_zone"], arrival["at"]) == ("NRT", "Asia/Tokyo", f"{start}T22:05:00+09:00")
    assert (departure["code"], departure["time_zone"], departure["mode"]) == ("", "Asia/Tokyo", "train")
    assert departure["name"].startswith("Tokyo Station")


@pytest.mark.parametrize(("legs", "fields"), [
    ({"arrival": leg("{start}T22:05:00")}, {"arrival.at"}),  # no offset
    ({"arrival": leg("{start}T22:05:00+09:00", "XQZ")}, {"arrival.place"}),  # no such airport or place
    ({"arrival": leg("{start}T22:05:00+09:00", mode="boat")}, {"arrival.mode"}),
    ({"arrival": leg("{before}T22:05:00+09:00")}, {"arrival.at"}),  # days before the trip
    ({"arrival": leg("{end}T22:05:00+09:00"), "departure": leg("{start}T10:00:00+09:00")}, {"departure.at"}),
    ({"arrival": leg("soon", "Qwxzy"), "departure": leg("{after}T10:00:00Z")}, {"arrival.at", "arrival.place",
                                                                                    "departure.at"}),
])
def test_bad_legs_at_intake_are_400_all_at_once_and_write_nothing(api_client, legs, fields):
    data = body()
    start = dt.date.fromisoformat(data["dates"]["start"])
    end = dt.date.fromisoformat(data["dates"]["end"])
    days = {"start": start, "end": end, "before": start - dt.timedelta(days=3), "after": end + dt.timedelta(days=3)}
    data.update({name: {**value, "at": value["at"].format(**days)} for name, value in legs.items()})
    response = as_user(api_client, make_user(Role.TRAVELER)).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "request.invalid" and set(error["fields"]) == fields, error
    assert not ExperienceRequest.objects.exists()


@pytest.fixture
def trip():
    trip = make_trip()
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    return trip


@pytest.mark.parametrize("bad", [
    {}, {"arrival": "tonight"}, {"arrival": {"at": "2027-01-01T10:00:00+09:00"}},
    {"arrival": leg("2027-01-01T10:00:00")}, {"departure": leg("not a time", "Nowhere")},
    {"arrival": leg("x" * 41)}, [], "text",
])
def test_bad_travel_bodies_are_400_json_and_write_nothing(api_client, trip, bad):
    before = CoordinationState.objects.get(pk=trip.state.pk).version
    response = as_user(api_client, trip.state.request.traveler).post(
        f"/api/v1/requests/{trip.state.request_id}/travel/", bad, format="json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "code" in response.json()
    assert CoordinationState.objects.get(pk=trip.state.pk).version == before
    assert ExperienceRequest.objects.get(pk=trip.state.request_id).arrival is None


def _roles(trip):
    state = trip.state
    expert = make_expert()
    CoordinationState.objects.filter(pk=state.pk).update(expert=expert, expert_accepted_at=trip.at(0, 0))
    vendor_user, other_vendor = make_user(Role.VENDOR), make_user(Role.VENDOR)
    mine = trip.booking(0, 16, vendor=make_vendor(user=vendor_user))  # before the 22:05 landing too
    make_vendor(user=other_vendor)
    return {"traveler": state.request.traveler, "expert": expert.user, "staff": make_user(Role.STAFF),
            "vendor": vendor_user, "other_vendor": other_vendor, "outsider": make_user(Role.TRAVELER)}, mine


def test_travel_then_checks_per_role_then_apply(api_client, trip, django_capture_on_commit_callbacks, monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    users, mine = _roles(trip)
    url = f"/api/v1/requests/{trip.state.request_id}"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api_client, users["expert"]).post(f"{url}/travel/", {
            "arrival": leg(trip.at(0, 22, 5).isoformat())}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["arrival"]["code"] == "NRT"
    assert Event.objects.filter(state=trip.state).order_by("version").last().type == "checks.changed"

    whole = as_user(api_client, users["traveler"]).get(f"{url}/checks/").json()
    assert sorted(f["items"][0]["title"] for f in whole) == sorted(["Izakaya dinner", mine.offering.title])
    assert {f["code"] for f in whole} == {"arrival.after_first_item"}
    for who in ("expert", "staff"):
        assert as_user(api_client, users[who]).get(f"{url}/checks/").json() == whole
    vendor_view = as_user(api_client, users["vendor"]).get(f"{url}/checks/").json()
    assert [(f["items"][0]["booking"], f["suggestion"]) for f in vendor_view] == [(mine.pk, None)]
    for who in ("other_vendor", "outsider"):
        assert as_user(api_client, users[who]).get(f"{url}/checks/").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(f"{url}/checks/").status_code in (401, 403)

    dinner = next(f for f in whole if f["items"][0]["title"] == "Izakaya dinner")
    token = dinner["suggestion"]["id"]
    assert as_user(api_client, users["vendor"]).post(f"{url}/checks/apply/", {"suggestion": token},
                                                     format="json").status_code == 404
    assert as_user(api_client, users["traveler"]).post(f"{url}/checks/apply/", {"suggestion": "nope"},
                                                       format="json").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        applied = as_user(api_client, users["traveler"]).post(f"{url}/checks/apply/", {"suggestion": token},
                                                              format="json")
    assert applied.status_code == 200, applied.json()
    after = as_user(api_client, users["traveler"]).get(f"{url}/checks/").json()
    assert [f["items"][0]["booking"] for f in after] == [mine.pk]  # the dinner moved; the booked tour stays
    assert checks_refresh(state_id=trip.state.pk) is False
