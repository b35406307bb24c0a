"""``POST /api/v1/requests/<id>/imports/`` and ``…/imports/<id>/confirm/``: the preview,
the external bookings added through the engine, bad inputs answered 4xx JSON with nothing
written, and who may import (traveler and expert; staff 403; vendors and strangers 404)."""
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState, Event, ExternalBooking
from apps.coordination.services.bookings import booking_request
from apps.imports.models import ConfirmationImport
from apps.vendors.models import Confirmation
from tests.factories import make_booking_state, make_expert, make_offering, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _upload(client, request_id, name: str, data: bytes | None = None):
    data = (FIXTURES / name).read_bytes() if data is None else data
    return client.post(f"/api/v1/requests/{request_id}/imports/",
                       {"file": SimpleUploadedFile(Path(name).name, data)}, format="multipart")


def _counts() -> tuple:
    return ConfirmationImport.objects.count(), ExternalBooking.objects.count(), Event.objects.count()


@pytest.fixture
def trip():
    expert = make_expert()
    state = make_booking_state(expert=expert)
    CoordinationState.objects.filter(pk=state.pk).update(expert_accepted_at=state.created_at)
    state.refresh_from_db()
    return state


def test_upload_previews_then_confirm_adds_external_bookings_through_the_engine(trip):
    traveler = trip.request.traveler
    client = _client(traveler)
    response = _upload(client, trip.request_id, "airline_jsonld.eml")
    assert response.status_code == 201, response.json()
    preview = response.json()
    assert preview["status"] == "preview" and preview["source"] == "eml" and preview["unreadable"] == []
    [item] = preview["items"]
    assert (item["kind"], item["start"], item["end"], item["reference"]) == (
        "flight", "2027-03-14T19:40:00+00:00", "2027-03-15T22:05:00+09:00", "TPX4Q7")
    assert ExternalBooking.objects.count() == 0  # a preview adds nothing to the trip
    version = CoordinationState.objects.get(pk=trip.pk).version

    confirmed = client.post(f"/api/v1/requests/{trip.request_id}/imports/{preview['id']}/confirm/")
    assert confirmed.status_code == 201, confirmed.json()
    [booking] = confirmed.json()["external_bookings"]
    assert booking["managed_here"] is False
    assert (booking["start"], booking["end"], booking["time_zone"]) == (
        "2027-03-14T19:40:00+00:00", "2027-03-15T22:05:00+09:00", "Asia/Tokyo")
    row = ExternalBooking.objects.get()
    assert (row.state_id, row.kind, row.reference, row.created_by, row.source_import_id) == (
        trip.pk, "flight", "TPX4Q7", traveler, preview["id"])
    assert str(row.price) == "1284.60" and row.currency == "EUR"
    event = Event.objects.get(state=trip, type="external.added")
    assert event.version == version + 1 and event.payload["external_bookings"][0]["id"] == row.pk
    assert ConfirmationImport.objects.get().status == "confirmed"

    again = client.post(f"/api/v1/requests/{trip.request_id}/imports/{preview['id']}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "import.already_confirmed"
    assert ExternalBooking.objects.count() == 1


@pytest.mark.parametrize("name", ["hotel_chain_microdata.html", "event_ticket.ics", "hotel_invoice.pdf",
                                  "booking_site.txt"])
def test_the_expert_imports_too(trip, name):
    client = _client(trip.expert.user)
    preview = _upload(client, trip.request_id, name)
    assert preview.status_code == 201, preview.json()
    confirmed = client.post(f"/api/v1/requests/{trip.request_id}/imports/{preview.json()['id']}/confirm/")
    assert confirmed.status_code == 201
    assert ExternalBooking.objects.filter(state=trip, created_by=trip.expert.user).count() == 1


@pytest.mark.parametrize("name, status, code", [
    ("bad/newsletter.txt", 400, "import.not_a_confirmation"),
    ("bad/encrypted.pdf", 400, "import.encrypted"),
    ("bad/malformed.eml", 400, "import.malformed"),
    ("bad/scripts.html", 400, "import.active_content"),
])
def test_bad_files_answer_4xx_json_and_write_nothing(trip, name, status, code):
    before = _counts()
    response = _upload(_client(trip.request.traveler), trip.request_id, name)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code and response.json()["detail"]
    assert _counts() == before


def test_a_50_mb_file_is_refused_with_413_before_it_is_read(trip):
    before = _counts()
    response = _upload(_client(trip.request.traveler), trip.request_id, "big.pdf", b"%PDF-1.7\n" + b"0" * (50 << 20))
    assert response.status_code == 413 and response.json()["code"] == "import.too_large"
    assert _counts() == before


def test_a_file_just_over_5_mb_is_refused_and_one_at_the_limit_is_read(trip, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client = _client(trip.request.traveler)
    text = (FIXTURES / "tour.txt").read_bytes()
    assert _upload(client, trip.request_id, "tour.txt", text + b" " * (1001 - len(text))).status_code == 413
    assert _upload(client, trip.request_id, "tour.txt", text + b" " * (1000 - len(text))).status_code == 201


def test_no_file_or_a_json_body_is_a_clear_400_or_415(trip):
    client = _client(trip.request.traveler)
    missing = client.post(f"/api/v1/requests/{trip.request_id}/imports/", {"other": "x"}, format="multipart")
    assert missing.status_code == 400 and missing.json()["code"] == "import.no_file"
    as_json = client.post(f"/api/v1/requests/{trip.request_id}/imports/", {"file": "x"}, format="json")
    assert as_json.status_code == 415 and as_json.json()["code"] == "unsupported_media_type"
    assert _counts()[0] == 0


def _vendor_with_live_booking(trip):
    vendor = make_vendor(confirmation=Confirmation.MANUAL)
    booking_request(state_id=trip.pk, actor=trip.request.traveler, slot_id=make_slot(make_offering(vendor)).pk,
                    quantity=1)
    return vendor.user


@pytest.mark.parametrize("who, status", [("staff", 403), ("vendor", 404), ("stranger", 404), ("other_expert", 404),
                                         ("anonymous", 401)])
def test_only_the_traveler_and_the_expert_import(trip, who, status):
    users = {"staff": lambda: make_user(Role.STAFF), "vendor": lambda: _vendor_with_live_booking(trip),
             "stranger": lambda: make_user(Role.TRAVELER), "other_expert": lambda: make_expert().user,
             "anonymous": lambda: None}
    before = _counts()
    client = _client(users[who]())
    assert _upload(client, trip.request_id, "tour.txt").status_code in ((status,) if status != 401 else (401, 403))
    assert _counts()[0] == before[0]
    imported = _upload(_client(trip.request.traveler), trip.request_id, "tour.txt").json()
    confirm = client.post(f"/api/v1/requests/{trip.request_id}/imports/{imported['id']}/confirm/")
    assert confirm.status_code in ((status,) if status != 401 else (401, 403))
    assert confirm.json()["code"]
    assert ExternalBooking.objects.count() == 0


def test_an_import_of_another_request_is_not_found(trip):
    other = make_booking_state(trip.request.traveler)
    client = _client(trip.request.traveler)
    imported = _upload(client, other.request_id, "tour.txt").json()
    response = client.post(f"/api/v1/requests/{trip.request_id}/imports/{imported['id']}/confirm/")
    assert response.status_code == 404 and ExternalBooking.objects.count() == 0


@pytest.mark.parametrize("path", ["requests/abc/imports/", "requests/99999999999999999999/imports/",
                                  "requests/{r}/imports/x/confirm/", "requests/{r}/imports/99999999999999999999/confirm/",
                                  "requests/{r}/imports/424242/confirm/"])
def test_ids_are_strict(trip, path):
    response = _client(trip.request.traveler).post("/api/v1/" + path.format(r=trip.request_id))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_cancelled_request_takes_no_import(trip):
    client = _client(trip.request.traveler)
    imported = _upload(client, trip.request_id, "tour.txt").json()
    CoordinationState.objects.filter(pk=trip.pk).update(phase="cancelled")
    response = client.post(f"/api/v1/requests/{trip.request_id}/imports/{imported['id']}/confirm/")
    assert response.status_code == 409 and response.json()["code"] == "state.wrong_phase"
    assert ExternalBooking.objects.count() == 0 and ConfirmationImport.objects.get().status == "preview"


def test_the_itinerary_carries_the_bookings_made_elsewhere(trip):
    from tests.itineraries.factories import make_itinerary

    make_itinerary(state=trip, days=2)
    client = _client(trip.request.traveler)
    assert client.get(f"/api/v1/requests/{trip.request_id}/itinerary/").json()["external_bookings"] == []
    imported = _upload(client, trip.request_id, "return_flight.ics").json()
    client.post(f"/api/v1/requests/{trip.request_id}/imports/{imported['id']}/confirm/")
    [flight] = client.get(f"/api/v1/requests/{trip.request_id}/itinerary/").json()["external_bookings"]
    assert (flight["title"], flight["start"], flight["end"], flight["managed_here"]) == (
        "Flight TP1235 NRT → LIS", "2027-03-22T11:15:00+09:00", "2027-03-22T15:10:00+00:00", False)
