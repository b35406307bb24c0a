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
