"""OCTO supplier adapter against recorded responses: no fallback, clear failures."""
import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from apps.integrations.base import ProviderRejected, ProviderUnavailable
from apps.integrations.octo import OctoInventory, connect

from .conftest import recording

URL = "https://octo.test/v1"
PRODUCT = "b7a9f6f2-5f0e-4a35-9f6d-1c4a1d8e2b10"
SLOT = "2027-03-16T09:00:00+09:00"


@pytest.fixture
def octo(make_client):
    client = make_client("octo", URL, retries=1, backoff=0.1, breaker_failures=2, breaker_cooldown=30)
    client.http.headers.update(connect(URL, "secret").client.http.headers)
    return OctoInventory(client)


def test_products_and_units(octo, respx_mock):
    route = respx_mock.get(f"{URL}/products").mock(return_value=httpx.Response(200, text=recording("octo_products.json")))
    (product,) = octo.products()
    assert (product.title, product.time_zone) == ("Tsukiji Outer Market Food Walk", "Asia/Tokyo")
    assert [unit.id for unit in product.options[0].units] == ["adult", "child"]
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer secret"
    assert request.headers["Octo-Capabilities"] == "octo/pricing"


def test_availability_prices_the_units_asked(octo, respx_mock):
    route = respx_mock.post(f"{URL}/availability").mock(
        return_value=httpx.Response(200, text=recording("octo_availability.json")))
    morning, afternoon = octo.availability(product_id=PRODUCT, option_id="DEFAULT", start=dt.date(2027, 3, 16),
                                           end=dt.date(2027, 3, 16), units={"adult": 2, "child": 1})
    assert (morning.available, morning.vacancies, morning.price, morning.currency) == (True, 8, Decimal(22000), "JPY")
    assert morning.start == dt.datetime.fromisoformat(SLOT)
    assert (afternoon.available, afternoon.status) == (False, "SOLD_OUT")
    assert json.loads(route.calls.last.request.content)["units"] == [{"id": "adult", "quantity": 2},
                                                                      {"id": "child", "quantity": 1}]


def test_hold_confirm_cancel(octo, respx_mock):
    hold = respx_mock.post(f"{URL}/bookings").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, text=recording("octo_booking_on_hold.json"))])
    reservation = octo.hold(product_id=PRODUCT, option_id="DEFAULT", availability_id=SLOT, units={"adult": 2})
    assert (reservation.status, reservation.supplier_reference) == ("ON_HOLD", "TSK-4821")
    assert reservation.expires_at == dt.datetime(2027, 3, 10, 10, 30, tzinfo=dt.timezone.utc)
    first, retry = (json.loads(call.request.content) for call in hold.calls)
    assert first["uuid"] == retry["uuid"]  # the retry is idempotent on the supplier's side
    assert first["unitItems"] == [{"unitId": "adult"}, {"unitId": "adult"}]

    uuid = reservation.uuid
    respx_mock.post(f"{URL}/bookings/{uuid}/confirm").mock(
        return_value=httpx.Response(200, text=recording("octo_booking_confirmed.json")))
    confirmed = octo.confirm(uuid=uuid, reseller_reference="TRV-7", full_name="Aiko Traveler", email="aiko@example.com")
    assert (confirmed.status, confirmed.expires_at) == ("CONFIRMED", None)
    respx_mock.delete(f"{URL}/bookings/{uuid}").mock(
        return_value=httpx.Response(200, text=recording("octo_booking_cancelled.json")))
    assert octo.cancel(uuid=uuid, reason="Traveler changed plans").status == "CANCELLED"


def test_supplier_refusal_is_a_rejection(octo, respx_mock):
    respx_mock.post(f"{URL}/bookings").mock(return_value=httpx.Response(
        400, json={"error": "INVALID_AVAILABILITY_ID", "errorMessage": "The availability is no longer available"}))
    with pytest.raises(ProviderRejected) as exc:
        octo.hold(product_id=PRODUCT, option_id="DEFAULT", availability_id=SLOT, units={"adult": 2})
    assert exc.value.status == 400 and "INVALID_AVAILABILITY_ID" in exc.value.body


@pytest.mark.parametrize("response", [httpx.Response(503), httpx.Response(200, json={"unexpected": True})])
def test_failures_raise_provider_unavailable_and_open_the_breaker(octo, respx_mock, response):
    route = respx_mock.get(f"{URL}/products").mock(return_value=response)
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            octo.products()
    assert octo.client.breaker.state == "open"
    assert route.call_count == (4 if response.status_code == 503 else 2)
