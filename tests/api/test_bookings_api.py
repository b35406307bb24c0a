import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.api.models import IdempotencyKey
from apps.coordination.models import Booking, VendorResponse
from apps.vendors.models import Confirmation, Slot
from tests.factories import make_booking_state, make_expert, make_offering, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def setup():
    vendor = make_vendor(confirmation=Confirmation.MANUAL)
    slot = make_slot(make_offering(vendor), capacity=5)
    state = make_booking_state(expert=make_expert())
    return state, slot, vendor


def _create(client, state, slot, quantity=1, **headers):
    return client.post("/api/v1/bookings/", {"request": state.request_id, "slot": slot.pk, "quantity": quantity},
                       format="json", headers=headers)


def test_create_and_detail(setup):
    state, slot, vendor = setup
    response = _create(_client(state.request.traveler), state, slot, quantity=2)
    assert response.status_code == 201, response.data
    body = response.json()
    assert (body["status"], body["quantity"], body["price"]) == ("pending", 2, {"amount": "100.00", "currency": "JPY"})
    assert body["slot"]["time_zone"] == "Asia/Tokyo" and body["slot"]["start"].endswith("+09:00")
    assert _client(state.expert.user).get(f"/api/v1/bookings/{body['id']}/").status_code == 200
    assert Slot.objects.get(pk=slot.pk).capacity_available == 3


def test_create_errors_are_json(setup):
    state, slot, _ = setup
    client = _client(state.request.traveler)
    response = _create(client, state, slot, quantity=9)
    assert response.status_code == 409
    assert response.json()["code"] == "booking.sold_out" and set(response.json()) == {"code", "detail", "fields"}
    other = make_booking_state()
    for refused in (_create(client, other, slot),  # another traveler's request
                    client.post("/api/v1/bookings/", {"request": 10**9, "slot": slot.pk}, format="json"),
                    _create(_client(slot.offering.vendor.user), state, slot)):  # the vendor books no one's seats
        assert (refused.status_code, refused.json()["code"]) == (404, "booking.request_not_found")
    assert Slot.objects.get(pk=slot.pk).capacity_available == 5 and not Booking.objects.exists()
    assert client.post("/api/v1/bookings/", {"slot": slot.pk}, format="json").json()["fields"].keys() == {"request"}


def test_idempotency_key_replays_first_answer_and_refuses_other_body(setup):
    state, slot, _ = setup
    client = _client(state.request.traveler)
    first = _create(client, state, slot, **{"Idempotency-Key": "abc"})
    again = _create(client, state, slot, **{"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    refused = _create(client, state, slot, quantity=2, **{"Idempotency-Key": "abc"})
    assert (refused.status_code, refused.json()["code"]) == (422, "idempotency.key_reused")
    # A refused first answer is replayed too.
    sold_out = _create(client, state, slot, quantity=50, **{"Idempotency-Key": "big"})
    assert _create(client, state, slot, quantity=50, **{"Idempotency-Key": "big"}).json() == sold_out.json()
    assert sold_out.status_code == 409 and Booking.objects.count() == 1


def test_list_is_scoped_by_role(setup):
    state, slot, vendor = setup
    booking_id = _create(_client(state.request.traveler), state, slot).json()["id"]
    other_vendor = make_vendor()
    other_state = make_booking_state()
    _create(_client(other_state.request.traveler), other_state, make_slot(make_offering(other_vendor)))

    def ids(user):
        return [b["id"] for b in _client(user).get("/api/v1/bookings/").json()["results"]]

    assert ids(vendor.user) == [booking_id]
    assert booking_id not in ids(other_vendor.user) and len(ids(other_vendor.user)) == 1
    assert ids(make_user(Role.TRAVELER)) == []
    assert len(ids(make_user(Role.STAFF))) == 2
    assert _client(other_vendor.user).get(f"/api/v1/bookings/{booking_id}/").status_code == 404


def test_vendor_respond_accept_decline_and_scope(setup):
    state, slot, vendor = setup
    booking_id = _create(_client(state.request.traveler), state, slot).json()["id"]
    url = f"/api/v1/bookings/{booking_id}/respond/"
    assert _client(state.request.traveler).post(url, {"action": "accept"}, format="json").status_code == 403
    assert _client(make_vendor().user).post(url, {"action": "accept"}, format="json").status_code == 404
    assert _client(vendor.user).post(url, {"action": "maybe"}, format="json").status_code == 400
    response = _client(vendor.user).post(url, {"action": "accept", "reference": "HOTEL-9"}, format="json",
                                         headers={"Idempotency-Key": "r1"})
    assert (response.status_code, response.json()["status"], response.json()["reference"]) == (200, "confirmed",
                                                                                               "HOTEL-9")
    replay = _client(vendor.user).post(url, {"action": "accept", "reference": "HOTEL-9"}, format="json",
                                       headers={"Idempotency-Key": "r1"})
    assert replay.status_code == 200 and VendorResponse.objects.count() == 1
    declined = _client(vendor.user).post(url, {"action": "decline", "reason": "no"}, format="json")
    assert (declined.status_code, declined.json()["code"]) == (409, "booking.transition_not_allowed")


def test_propose_then_accept_proposal_and_cancel(setup):
    state, slot, vendor = setup
    other = make_slot(slot.offering, start=slot.start + dt.timedelta(hours=2), capacity=3)
    booking_id = _create(_client(state.request.traveler), state, slot).json()["id"]
    response = _client(vendor.user).post(f"/api/v1/bookings/{booking_id}/respond/",
                                         {"action": "propose", "slot": other.pk, "price": "45.00"}, format="json")
    assert response.json()["proposal"]["slot"] == other.pk
    accepted = _client(state.expert.user).post(f"/api/v1/bookings/{booking_id}/accept-proposal/")
    assert (accepted.json()["status"], accepted.json()["slot"]["id"]) == ("confirmed", other.pk)
    assert _client(vendor.user).post(f"/api/v1/bookings/{booking_id}/cancel/").status_code == 403
    cancelled = _client(state.request.traveler).post(f"/api/v1/bookings/{booking_id}/cancel/", {"reason": "rain"},
                                                     format="json")
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["refund"]["amount"] == "45.00"


def test_vendors_and_slots(setup):
    state, slot, vendor = setup
    full = make_slot(slot.offering, capacity=1)
    Slot.objects.filter(pk=full.pk).update(capacity_available=0)
    client = _client(state.request.traveler)
    detail = client.get(f"/api/v1/vendors/{vendor.pk}/").json()
    assert "webhook_secret" not in detail and detail["name"] == vendor.name
    ids = [s["id"] for s in client.get(f"/api/v1/vendors/{vendor.pk}/slots/").json()["results"]]
    assert ids == [slot.pk]
    start = (timezone.now() + dt.timedelta(days=5)).isoformat()
    body = {"offering": slot.offering_id, "start": start, "capacity": 8}
    assert client.post(f"/api/v1/vendors/{vendor.pk}/slots/", body, format="json").status_code == 403
    created = _client(vendor.user).post(f"/api/v1/vendors/{vendor.pk}/slots/", body, format="json")
    assert created.status_code == 201 and created.json()["capacity_available"] == 8
    foreign = make_offering(make_vendor())
    response = _client(vendor.user).post(f"/api/v1/vendors/{vendor.pk}/slots/", {**body, "offering": foreign.pk},
                                         format="json")
    assert response.status_code == 404


def test_token_auth_creates_booking(setup):
    state, slot, _ = setup
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=state.request.traveler).key}")
    assert _create(client, state, slot).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_booking():
    vendor = make_vendor()
    slot = make_slot(make_offering(vendor), capacity=20)
    state = make_booking_state()
    token = Token.objects.create(user=state.request.traveler).key
    barrier = threading.Barrier(8)
    answers = []

    def run():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait()
            response = _create(client, state, slot, **{"Idempotency-Key": "same"})
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8 and len(set(answers)) == 1 and answers[0][0] == 201
    assert Booking.objects.filter(state=state).count() == 1
    assert Slot.objects.get(pk=slot.pk).capacity_available == 19
    assert IdempotencyKey.objects.count() == 1
