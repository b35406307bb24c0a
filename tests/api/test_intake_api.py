import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.requests.models import ExperienceRequest
from tests.factories import make_request, make_user

pytestmark = pytest.mark.django_db


def body(**overrides):
    start = timezone.localdate() + dt.timedelta(days=40)
    data = {"experience_type": "travel", "destination": "Tokyo",
            "dates": {"start": start.isoformat(), "end": (start + dt.timedelta(days=7)).isoformat()},
            "travelers": {"adults": 2, "children": 0}, "budget": {"min": 3000, "max": 5000, "currency": "USD"},
            "preferences": {"interests": ["food", "culture"], "pace": "moderate", "accommodation": "mid-range",
                            "dietary_restrictions": ["vegetarian"]}, "path": "expert"}
    data.update(overrides)
    return data


def test_token_auth_and_intake(api_client, password):
    user = make_user(Role.TRAVELER)
    token = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": password}).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.post("/api/v1/requests/", body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "matching" and data["version"] == 1
    assert data["destination"]["time_zone"] == "Asia/Tokyo"
    assert data["budget"] == {"min": "3000.00", "max": "5000.00", "currency": "USD"}
    detail = api_client.get(f"/api/v1/requests/{data['id']}/").json()
    assert detail["id"] == data["id"]
    events = api_client.get(f"/api/v1/requests/{data['id']}/events/").json()["results"]
    assert [e["type"] for e in events] == ["request.submitted"]


@pytest.mark.parametrize(("change", "field"), [
    ({"dates": {"start": "2027-03-22", "end": "2027-03-15"}}, "dates.end"),
    ({"travelers": {"adults": 0, "children": 0}}, "travelers.adults"),
    ({"budget": {"min": 9000, "max": 5000, "currency": "USD"}}, "budget.max"),
    ({"budget": {"min": 1, "max": 5, "currency": "ABC"}}, "budget.currency"),
    ({"destination": "Qwertyuiop"}, "destination"),
    ({"preferences": {"interests": ["lasers"]}}, "preferences.interests"),
    ({"dates": {"start": "not-a-date", "end": "2027-03-15"}}, "dates.start"),
])
def test_intake_errors_are_json_per_field(api_client, traveler, change, field):
    api_client.force_authenticate(traveler)
    response = api_client.post("/api/v1/requests/", body(**change), format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] in {"invalid", "request.invalid"} and field in data["fields"], data
    assert ExperienceRequest.objects.count() == 0


def test_only_travelers_submit(api_client):
    api_client.force_authenticate(make_user(Role.VENDOR))
    response = api_client.post("/api/v1/requests/", body(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_requests_are_scoped_to_their_owner(api_client):
    mine = make_request()
    other = make_user(Role.TRAVELER)
    api_client.force_authenticate(other)
    assert api_client.get(f"/api/v1/requests/{mine.request_id}/").status_code == 404
    assert api_client.get(f"/api/v1/requests/{mine.request_id}/events/").status_code == 404
    assert api_client.get("/api/v1/requests/").json()["results"] == []
    api_client.force_authenticate(mine.request.traveler)
    assert [r["id"] for r in api_client.get("/api/v1/requests/").json()["results"]] == [mine.request_id]


def test_anonymous_is_refused(api_client):
    response = api_client.get("/api/v1/requests/")
    assert response.status_code in (401, 403) and "code" in response.json()


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/requests/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn.jsdelivr" not in docs and "/static/drf_spectacular_sidecar/" in docs


def test_a_wedding_intake_carries_what_the_day_needs_and_notes_for_vendors(api_client, traveler):
    api_client.force_authenticate(traveler)
    wedding = body(experience_type="wedding", destination="Lisbon", guest_count=90, path="browse",
                   event={"ceremony": False, "style": "modern"}, vendor_notes="Step-free access, please.")
    data = api_client.post("/api/v1/requests/", wedding, format="json").json()
    assert data["event"] == {"ceremony": False, "reception": True, "date_flexibility": "fixed", "style": "modern"}
    assert data["vendor_notes"] == "Step-free access, please."
    trip = api_client.post("/api/v1/requests/", body(), format="json").json()  # the documented body, unchanged
    assert (trip["event"], trip["vendor_notes"]) == ({}, "")
    refused = api_client.post("/api/v1/requests/", body(event={"style": "baroque"}), format="json")
    assert refused.status_code == 400 and "event.style" in refused.json()["fields"]


def test_only_currencies_in_use_today_are_offered():
    from apps.integrations.currency import supported_currencies

    offered = supported_currencies()
    assert {"EUR", "USD", "JPY", "GBP"} <= offered
    assert not offered & {"CYP", "EEK", "LTL", "LVL", "MTL", "ROL", "SIT", "SKK", "TRL"}
