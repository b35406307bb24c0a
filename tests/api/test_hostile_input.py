"""Hostile and careless input: never a 500, every error under /api/ in the JSON error shape,
nothing written. The reproductions of issue 17 first, then every path and query parameter
of the URLconf with letters, "²", numbers past 64 bits and negative numbers."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.requests.models import ExperienceRequest
from apps.vendors.models import Slot
from tests.factories import make_offering, make_user, make_vendor
from tests.factories.worlds import make_portal_world

pytestmark = pytest.mark.django_db

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}
HOSTILE = ["abc", "²", "99999999999999999999", "-1"]
QUERY_PARAMS = ["offering", "thread", "booking", "since", "page", "status", "kind", "date_from", "date_to",
                "price_max", "min_rating", "interests", "expires_in_days", "seed", "q", "part", "import", "draft"]
# Rows these may write on a legitimate GET (an export job, a session, a login attempt) are not the input's doing.
UNCOUNTED_APPS = {"django_q", "axes", "sessions"}
UNCOUNTED_MODELS = {"exportjob"}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label not in UNCOUNTED_APPS and m._meta.model_name not in UNCOUNTED_MODELS}


def assert_api_error(response, status: int | None = None):
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}, body


@pytest.fixture
def world():
    return make_portal_world()


@pytest.fixture
def traveler_api(world):
    client = APIClient(**HTTPS)
    client.force_authenticate(world.traveler)
    return client


# --- the reproductions --------------------------------------------------------------

@pytest.mark.parametrize("url", ["/share/%C2%B2.x/", "/share/99999999999999999999.x/", "/share/%C2%B2.x/data.json",
                                 "/exports/calendar/%C2%B2.x.ics", "/exports/calendar/99999999999999999999.x.ics"])
def test_token_urls_with_hostile_ids_are_404_anonymously(client, url):
    assert client.get(url, **HTTPS).status_code == 404


@pytest.mark.parametrize("method,url", [
    ("post", "/api/v1/requests/abc/itinerary/approve/"), ("get", "/api/v1/requests/false/itinerary/"),
    ("post", "/api/v1/bookings/abc/cancel/"), ("post", "/api/v1/bookings/%C2%B2/respond/"),
    ("get", "/api/v1/vendors/abc/slots/"), ("get", "/api/v1/requests/99999999999999999999/itinerary/"),
    ("post", "/api/v1/requests/1/recommendations/items/%C2%B2/review/"), ("get", "/api/v1/nowhere/"),
])
def test_non_numeric_ids_in_detail_actions_are_json_404(traveler_api, method, url):
    assert_api_error(getattr(traveler_api, method)(url, {}, format="json"), 404)


@pytest.mark.parametrize("value", ["%C2%B2", "99999999999999999999", "-1", "abc"])
def test_hostile_query_ids_are_ignored(traveler_api, world, value):
    vendor = world.slot.offering.vendor_id
    assert traveler_api.get(f"/api/v1/vendors/{vendor}/slots/?offering={value}").status_code == 200
    assert traveler_api.get(f"/api/v1/requests/{world.request_id}/messages/?thread={value}").status_code == 200


def test_portal_query_and_form_ids(client, world):
    client.force_login(world.traveler)
    assert client.get(f"/live/requests/{world.request_id}/chat/?booking=%C2%B2").status_code in (200, 404)
    before = row_counts()
    response = client.post(f"/exports/requests/{world.request_id}/share/", {"expires_in_days": "²"})
    assert response.status_code == 404
    assert client.post(f"/exports/requests/{world.request_id}/export/bogus/").status_code == 404
    assert row_counts() == before


INTAKE = {"destination": "Tokyo", "dates": {"start": "2027-03-15", "end": "2027-03-22"},
          "travelers": {"adults": 2, "children": 0}, "budget": {"min": 3000, "max": 5000, "currency": "USD"}}


@pytest.mark.parametrize("change,field", [
    ({"guest_count": -5}, "guest_count"), ({"guest_count": 10**20}, "guest_count"), ({"guest_count": 1e20}, "guest_count"),
    ({"travelers": {"adults": 10**20}}, "travelers.adults"), ({"travelers": {"adults": 100000}}, "travelers.adults"),
    ({"title": "x" * 300}, "title"), ({"destination": "x" * 300}, "destination"),
])
def test_intake_out_of_range_is_a_field_error(traveler_api, change, field):
    before = ExperienceRequest.objects.count()
    response = traveler_api.post("/api/v1/requests/", {**INTAKE, **change}, format="json")
    assert_api_error(response, 400)
    assert field in response.json()["fields"]
    assert ExperienceRequest.objects.count() == before


def test_slot_capacity_past_the_column_is_refused():
    vendor = make_vendor()
    offering = make_offering(vendor)
    client = APIClient()
    client.force_authenticate(vendor.user)
    for capacity in (2**63, 2**31, -1, 0):
        response = client.post(f"/api/v1/vendors/{vendor.pk}/slots/", {
            "offering": offering.pk, "start": "2030-01-01T10:00:00Z", "capacity": capacity}, format="json")
        assert_api_error(response, 400)
        assert "capacity" in response.json()["fields"]
    assert not Slot.objects.filter(offering=offering).exists()


def test_review_with_a_huge_vendor_id(traveler_api, world):
    response = traveler_api.post(f"/api/v1/requests/{world.request_id}/reviews/",
                                 {"target": "vendor", "rating": 5, "vendor": 10**20}, format="json")
    assert_api_error(response, 400)
    assert "vendor" in response.json()["fields"]


DEEP = b"[" * 50_000 + b"]" * 50_000


def test_deeply_nested_json_is_a_400(traveler_api):
    before = row_counts()
    assert_api_error(traveler_api.post("/api/v1/requests/", DEEP, content_type="application/json"), 400)
    depth_65 = json.dumps({"destination": json.loads("[" * 65 + "]" * 65)})
    assert_api_error(traveler_api.post("/api/v1/requests/", depth_65, content_type="application/json"), 400)
    assert row_counts() == before


def test_deeply_nested_json_on_a_signed_webhook_is_a_400():
    vendor = make_vendor(webhook_secret="s3cret")
    ts = str(int(time.time()))
    signature = hmac.new(b"s3cret", ts.encode() + b"." + DEEP, hashlib.sha256).hexdigest()
    response = APIClient().post(f"/api/v1/vendor-hooks/{vendor.pk}/", DEEP, content_type="application/json",
                                headers={"X-Traveloure-Timestamp": ts, "X-Traveloure-Signature": signature})
    assert_api_error(response, 400)


def test_a_body_over_the_limit_is_a_json_413(traveler_api, settings):
    big = json.dumps({"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert_api_error(traveler_api.post("/api/v1/requests/", big, content_type="application/json"), 413)


def test_an_empty_multipart_body_is_a_clear_json_400(traveler_api, world):
    response = traveler_api.generic("POST", f"/api/v1/requests/{world.request_id}/messages/", b"",
                                    content_type="multipart/form-data; boundary=xyz")
    assert_api_error(response, 400)
    assert response.json()["detail"]


def test_wrong_method_and_media_type_are_json(traveler_api):
    assert_api_error(traveler_api.delete("/api/v1/requests/"), 405)
    assert_api_error(traveler_api.post("/api/v1/requests/", "<a/>", content_type="application/xml"), 415)


def test_an_unhandled_error_under_api_is_json_with_the_request_id(traveler_api, monkeypatch, caplog):
    from apps.api import views

    def boom(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.RequestViewSet, "list", boom)
    traveler_api.raise_request_exception = False
    response = traveler_api.get("/api/v1/requests/", HTTP_X_REQUEST_ID="hostile-test-0001")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert set(response.json()) >= {"code", "detail", "fields"}
    assert response.json()["request_id"] == "hostile-test-0001"
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def test_websocket_since_is_parsed_strictly():
    from apps.core.ids import parse_int

    assert [parse_int(v) for v in ["0", "12", "²", "١", " 7", "1_0", "-1", "9" * 20, "", None]] == \
        [0, 12, None, None, None, None, None, None, None, None]


# --- every path and query parameter ---------------------------------------------------

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$").replace("\\.", ".")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "format" not in route and not route.startswith("admin/"):
            yield route


def _fill(route: str, values: dict[str, str]) -> str:
    return "/" + _PARAM.sub(lambda m: values[m.group(1) or m.group(2)], route)


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


def _hostile_urls(world):
    real = str(world.request_id)
    for route in ROUTES:
        names = [m.group(1) or m.group(2) for m in _PARAM.finditer(route)]
        for name in names:
            for value in HOSTILE:
                yield _fill(route, {other: (value if other == name else real) for other in names})


def test_every_path_parameter_refuses_hostile_values(client, world):
    client.force_login(world.traveler)
    urls = sorted(set(_hostile_urls(world)))
    assert len(urls) > 100
    before = row_counts()
    client.raise_request_exception = False
    failures = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {}, content_type="application/json", **HTTPS) \
                if method == "post" else client.get(url, **HTTPS)
            if response.status_code >= 500 or (url.startswith("/api/") and response.status_code >= 400
                                               and not response["Content-Type"].startswith("application/json")):
                failures.append((method, url, response.status_code))
    assert failures == []
    assert row_counts() == before


@pytest.mark.parametrize("value", ["%C2%B2", "99999999999999999999", "-1", "a%00b"])
def test_every_query_parameter_refuses_hostile_values(client, world, value):
    client.force_login(world.traveler)
    query = "&".join(f"{name}={value}" for name in QUERY_PARAMS)
    before = row_counts()
    for route in ROUTES:
        names = [m.group(1) or m.group(2) for m in _PARAM.finditer(route)]
        url = _fill(route, {name: str(world.request_id) for name in names}) + "?" + query
        response = client.get(url, **HTTPS)
        assert response.status_code < 500 or route == "readyz", (url, response.status_code)
        if url.startswith("/api/") and response.status_code >= 400:
            assert_api_error(response)
    assert row_counts() == before


def test_a_nul_character_in_the_query_is_a_400_in_the_shape_of_the_path(client, world):
    """PostgreSQL cannot compare a text holding NUL: such a value once reached a filter (500)."""
    client.force_login(world.traveler)
    assert_api_error(client.get("/api/v1/bookings/?status=%00", **HTTPS), 400)
    page = client.get(f"/traveler/requests/{world.request_id}/?q=a%00", **HTTPS)
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert client.get(f"/traveler/requests/{world.request_id}/?q=a%2500", **HTTPS).status_code == 200  # "%00" typed


def test_an_unknown_booking_status_filter_is_a_field_error(traveler_api):
    response = traveler_api.get("/api/v1/bookings/?status=nope")
    assert_api_error(response, 400)
    assert "confirmed" in response.json()["fields"]["status"]
    assert traveler_api.get("/api/v1/bookings/?status=confirmed").status_code == 200


def test_vendor_and_staff_see_no_500_either(client, world):
    for user in (world.vendor, world.staff, make_user(Role.EXPERT)):
        client.force_login(user)
        for url in sorted(set(_hostile_urls(world)))[::7]:
            assert client.get(url, **HTTPS).status_code < 500, url
