"""A fake Amadeus hotel API on a loopback port: token, hotels by city, offers for the dates
asked, a price check of one offer, and bookings (made once per ``clientReference``, found
by it, cancelled). ``down=True`` answers 503 to everything; the state's controls fault it:
``faults`` (``(method, path prefix, kind)``: "500" before doing anything, "lost" done then
answered 500, "timeout" answered after ``delay`` seconds), ``prices`` (hotel id → a new
total), ``gone`` (hotel ids no longer offered)."""
from __future__ import annotations

import contextlib
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

from .loopback import json_handler, serving

HOTELS = [  # id, name, stars, lat, lon, total price of the stay (USD), free cancellation
    ("RTTYOGIN", "Mitsui Garden Hotel Ginza", 4, 35.66694, 139.76278, "1432.20", True),
    ("HITYO123", "Hotel Gracery Shinjuku", 3, 35.69472, 139.70194, "1116.50", False),
]
BY_ID = {hotel[0]: hotel for hotel in HOTELS}


def _offer_entry(state: dict, hotel: tuple, check_in: str, check_out: str) -> dict:
    hotel_id, name, _stars, lat, lon, total, free = hotel
    offer = {"id": f"OFFER-{hotel_id}", "checkInDate": check_in, "checkOutDate": check_out,
             "room": {"description": {"text": "Double room"}},
             "price": {"currency": "USD", "total": state["prices"].get(hotel_id, total)}}
    if free:
        offer["policies"] = {"cancellation": {"deadline": f"{check_in}T23:59:00+09:00"}}
    return {"hotel": {"hotelId": hotel_id, "name": name, "latitude": lat, "longitude": lon},
            "available": True, "offers": [offer]}


def _bookings(state: dict, method: str, path: str, query: dict, body: dict):
    if method == "POST":
        data = body["data"]
        key = data["clientReference"]
        hotel_id = data["offerId"].removeprefix("OFFER-")
        if hotel_id in state["gone"] or hotel_id not in BY_ID:
            return 400, {"errors": [{"code": 3664, "title": "NO ROOMS AVAILABLE AT REQUESTED PROPERTY"}]}
        if key not in state["bookings"]:  # the same reference again: the same booking
            number = len(state["bookings"]) + 1
            state["bookings"][key] = {"type": "hotel-booking", "id": f"XD_{number:06d}",
                                      "providerConfirmationId": f"GINZA-{number:04d}", "bookingStatus": "CONFIRMED",
                                      "offerId": data["offerId"], "clientReference": key}
        return 201, {"data": [state["bookings"][key]]}
    if method == "GET":
        found = state["bookings"].get(query.get("clientReference", ""))
        return 200, {"data": [found] if found else []}
    booking_id = path.rsplit("/", 1)[-1]
    for booking in state["bookings"].values():
        if booking["id"] == booking_id:
            booking["bookingStatus"] = "CANCELLED"
            return 200, {"data": booking}
    return 404, {"errors": [{"title": "NOT FOUND"}]}


def _take_fault(state: dict, method: str, path: str) -> str | None:
    for n, (fault_method, prefix, kind) in enumerate(state["faults"]):
        if fault_method == method and path.startswith(prefix):
            del state["faults"][n]
            return kind
    return None


def _answer(state: dict):
    def serve(method: str, path: str, body: dict):
        url = urllib.parse.urlparse(path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/v1/security/oauth2/token":
            return 200, {"access_token": "fake-token", "expires_in": 1799}
        if url.path.startswith("/v1/booking/hotel-bookings"):
            return _bookings(state, method, url.path, query, body)
        if url.path == "/v1/reference-data/locations/hotels/by-city":
            return 200, {"data": [{"hotelId": h[0], "name": h[1], "rating": str(h[2]),
                                   "geoCode": {"latitude": h[3], "longitude": h[4]}} for h in HOTELS]}
        if url.path.startswith("/v3/shopping/hotel-offers/"):  # the price check of one offer
            hotel_id = url.path.rsplit("/", 1)[-1].removeprefix("OFFER-")
            if hotel_id in state["gone"] or hotel_id not in BY_ID:
                return 400, {"errors": [{"code": 3664, "title": "NO ROOMS AVAILABLE AT REQUESTED PROPERTY"}]}
            return 200, {"data": _offer_entry(state, BY_ID[hotel_id], state["dates"][0], state["dates"][1])}
        state["dates"] = (query["checkInDate"], query["checkOutDate"])
        return 200, {"data": [_offer_entry(state, hotel, *state["dates"]) for hotel in HOTELS
                              if hotel[0] not in state["gone"]]}

    def answer(method: str, path: str, body: dict):
        with state["lock"]:
            state["calls"].append(urllib.parse.urlparse(path).path)
            fault = _take_fault(state, method, path)
        if state["down"] or fault == "500":
            return 503 if state["down"] else 500, {}
        if fault == "timeout":
            time.sleep(state["delay"])
        with state["lock"]:
            status, reply = serve(method, path, body)
        return (500, {}) if fault == "lost" else (status, reply)

    return answer


@contextlib.contextmanager
def running(*, down: bool = False) -> Iterator[tuple[str, dict]]:
    """Serve until the block ends; yields the base URL and the state (``down``, ``calls``,
    ``faults``, ``prices``, ``gone``, ``bookings`` by client reference, ``delay``)."""
    state = {"down": down, "calls": [], "faults": [], "prices": {}, "gone": set(), "bookings": {}, "delay": 1.0,
             "dates": ("", ""), "lock": threading.Lock()}
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), json_handler(_answer(state)))) as url:
        yield url, state
