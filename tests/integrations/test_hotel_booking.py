"""The hotel provider's booking calls against recorded Amadeus responses: the price check
(and what later searches see of it), booking with our key, finding it again, cancelling."""
import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from apps.integrations.base import ProviderRejected, ProviderUnavailable
from apps.integrations.hotels import AmadeusHotels, NoHotelInventory

from .conftest import recording

URL = "https://amadeus.test"
TRIP = {"city_code": "TYO", "adults": 2}


@pytest.fixture
def amadeus(make_client, respx_mock):
    respx_mock.post(f"{URL}/v1/security/oauth2/token").mock(
        return_value=httpx.Response(200, text=recording("amadeus_token.json")))
    return AmadeusHotels(make_client("amadeus", URL, retries=1), client_id="id", client_secret="secret")


def search(amadeus, respx_mock):
    respx_mock.get(url__regex=rf"{URL}/v1/reference-data/locations/hotels/by-city\?.*").mock(
        return_value=httpx.Response(200, text=recording("amadeus_hotels_by_city.json")))
    respx_mock.get(url__regex=rf"{URL}/v3/shopping/hotel-offers\?.*").mock(
        return_value=httpx.Response(200, text=recording("amadeus_hotel_offers.json")))
    return amadeus.search(check_in=dt.date(2027, 3, 15), check_out=dt.date(2027, 3, 22), **TRIP)


def test_a_price_check_reprices_the_offer_for_later_searches(amadeus, respx_mock):
    assert {o.offer_id: o.price for o in search(amadeus, respx_mock).offers}["TSXOJ6LFQ2"] == Decimal("1432.20")
    respx_mock.get(f"{URL}/v3/shopping/hotel-offers/TSXOJ6LFQ2").mock(
        return_value=httpx.Response(200, text=recording("amadeus_offer_price.json")))
    offer = amadeus.recheck(offer_id="TSXOJ6LFQ2")
    assert (offer.price, offer.currency, offer.hotel_id, offer.expires_at is not None) == (
        Decimal("1529.00"), "USD", "RTTYOGIN", True)
    again = {o.offer_id: o for o in search(amadeus, respx_mock).offers}  # from the cache, repriced
    assert again["TSXOJ6LFQ2"].price == Decimal("1529.00") and again["TSXOJ6LFQ2"].rating == 4


def test_an_offer_gone_is_refused_and_left_out_of_later_searches(amadeus, respx_mock):
    search(amadeus, respx_mock)
    respx_mock.get(f"{URL}/v3/shopping/hotel-offers/TSXOJ6LFQ2").mock(
        return_value=httpx.Response(400, text=recording("amadeus_offer_unavailable.json")))
    with pytest.raises(ProviderRejected) as refused:
        amadeus.recheck(offer_id="TSXOJ6LFQ2")
    assert "NO ROOMS AVAILABLE" in refused.value.body
    assert [o.offer_id for o in search(amadeus, respx_mock).offers] == ["ZB3KH9T0QE"]


def test_booking_sends_our_key_and_a_timeout_is_retried_with_it(amadeus, respx_mock):
    route = respx_mock.post(f"{URL}/v1/booking/hotel-bookings").mock(side_effect=[
        httpx.ReadTimeout("slow"), httpx.Response(201, text=recording("amadeus_hotel_booking.json"))])
    made = amadeus.book(offer_id="TSXOJ6LFQ2", key="k-1", full_name="Ada Lovelace", email="ada@example.com")
    assert (made.id, made.reference, made.status) == ("XD_8138319951754", "8138319951754", "CONFIRMED")
    assert [call.request.headers["Idempotency-Key"] for call in route.calls] == ["k-1", "k-1"]
    body = json.loads(route.calls[-1].request.content)["data"]
    assert (body["offerId"], body["clientReference"], body["guests"][0]["name"]) == (
        "TSXOJ6LFQ2", "k-1", {"firstName": "Ada", "lastName": "Lovelace"})


def test_find_by_key_then_cancel(amadeus, respx_mock):
    found = respx_mock.get(f"{URL}/v1/booking/hotel-bookings", params={"clientReference": "k-1"}).mock(
        side_effect=[httpx.Response(200, json={"data": []}),
                     httpx.Response(200, text=recording("amadeus_hotel_booking.json"))])
    assert amadeus.find(key="k-1") is None
    assert amadeus.find(key="k-1").id == "XD_8138319951754" and found.call_count == 2
    respx_mock.delete(f"{URL}/v1/booking/hotel-bookings/XD_8138319951754").mock(
        return_value=httpx.Response(200, text=recording("amadeus_hotel_booking_cancelled.json")))
    assert amadeus.cancel(booking_id="XD_8138319951754").status == "CANCELLED"


def test_a_5xx_at_booking_is_unavailable_not_refused(amadeus, respx_mock):
    respx_mock.post(f"{URL}/v1/booking/hotel-bookings").mock(return_value=httpx.Response(502))
    with pytest.raises(ProviderUnavailable) as down:
        amadeus.book(offer_id="TSXOJ6LFQ2", key="k-1", full_name="Ada", email="")
    assert not isinstance(down.value, ProviderRejected) and down.value.reason == "HTTP 502"


def test_without_a_provider_nothing_is_booked():
    with pytest.raises(ProviderUnavailable):
        NoHotelInventory().book(offer_id="x", key="k", full_name="", email="")
