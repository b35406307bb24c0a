import datetime as dt

import pytest
from django.utils import timezone

from apps.requests.models import ExperienceRequest

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    start = timezone.localdate() + dt.timedelta(days=20)
    data = {"experience_type": "travel", "destination": "Lisbon", "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=4)).isoformat(), "adults": 2, "children": 0,
            "budget_min": "1000", "budget_max": "2500", "currency": "EUR", "interests": ["food", "history"],
            "pace": "relaxed", "accommodation": "mid-range", "path": "expert"}
    data.update(overrides)
    return data


def test_form_creates_request(client, traveler):
    client.force_login(traveler)
    response = client.post("/traveler/requests/new/", form_data())
    request = ExperienceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/traveler/requests/{request.pk}/"
    assert (request.destination, request.time_zone, request.interests) == ("Lisbon", "Europe/Lisbon",
                                                                           ["food", "history"])
    assert request.coordination.phase == "matching"
    page = client.get("/traveler/")
    assert b"Lisbon" in page.content and b"Matching" in page.content


def test_form_shows_errors_next_to_fields_and_writes_nothing(client, traveler):
    client.force_login(traveler)
    response = client.post("/traveler/requests/new/", form_data(destination="Nowhere Land Qq", budget_min="9000"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "destination" in form.errors and "budget_max" in form.errors
    assert b'class="field has-error"' in response.content
    assert ExperienceRequest.objects.count() == 0


def test_form_takes_the_arrival_and_departure_in_local_time(client, traveler):
    client.force_login(traveler)
    start = dt.date.fromisoformat(form_data()["start_date"])
    end = start + dt.timedelta(days=4)
    response = client.post("/traveler/requests/new/", form_data(
        arrival_at=f"{start}T22:05", arrival_place="LIS", arrival_mode="flight", arrival_reference="TP1234",
        departure_at=f"{end}T09:40", departure_place="Lisbon Oriente station", departure_mode="train"))
    assert response.status_code == 302, response.context["form"].errors
    request = ExperienceRequest.objects.get()
    assert request.arrival["at"] == f"{start}T22:05:00+00:00" or request.arrival["at"] == f"{start}T22:05:00+01:00"
    assert (request.arrival["code"], request.arrival["time_zone"], request.arrival["reference"]) == (
        "LIS", "Europe/Lisbon", "TP1234")
    assert (request.departure["mode"], request.departure["time_zone"]) == ("train", "Europe/Lisbon")


def test_form_shows_leg_errors_next_to_their_fields_and_writes_nothing(client, traveler):
    client.force_login(traveler)
    start = dt.date.fromisoformat(form_data()["start_date"])
    response = client.post("/traveler/requests/new/", form_data(
        arrival_at=f"{start}T22:05", arrival_place="Qwxzy", departure_at=f"{start - dt.timedelta(days=5)}T10:00",
        departure_place="LIS"))
    assert response.status_code == 200
    assert {"arrival_place", "departure_at"} <= set(response.context["form"].errors)
    assert ExperienceRequest.objects.count() == 0
