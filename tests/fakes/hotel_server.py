"""A fake Amadeus hotel API (token, hotels by city, offers for the dates asked) on a
loopback port; ``down=True`` answers 503 to everything."""
from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

from .loopback import json_handler, serving

HOTELS = [  # id, name, stars, lat, lon, total price of the stay (USD), free cancellation
    ("RTTYOGIN", "Mitsui Garden Hotel Ginza", 4, 35.66694, 139.76278, "1432.20", True),
    ("HITYO123", "Hotel Gracery Shinjuku", 3, 35.69472, 139.70194, "1116.50", False),
]


def _answer(state: dict):
    def answer(method: str, path: str, body: dict):
        url = urllib.parse.urlparse(path)
        query = dict(urllib.parse.parse_qsl(url.query))
        state["calls"].append(url.path)
        if state["down"]:
            return 503, {}
        if method == "POST":
            return 200, {"access_token": "fake-token", "expires_in": 1799}
        if url.path == "/v1/reference-data/locations/hotels/by-city":
            return 200, {"data": [{"hotelId": h[0], "name": h[1], "rating": str(h[2]),
                                   "geoCode": {"latitude": h[3], "longitude": h[4]}} for h in HOTELS]}
        offers = []
        for hotel_id, name, _stars, lat, lon, total, free in HOTELS:
            offer = {"id": f"OFFER-{hotel_id}", "checkInDate": query["checkInDate"],
                     "checkOutDate": query["checkOutDate"], "room": {"description": {"text": "Double room"}},
                     "price": {"currency": "USD", "total": total}}
            if free:
                offer["policies"] = {"cancellation": {"deadline": f"{query['checkInDate']}T23:59:00+09:00"}}
            offers.append({"hotel": {"hotelId": hotel_id, "name": name, "latitude": lat, "longitude": lon},
                           "available": True, "offers": [offer]})
        return 200, {"data": offers}

    return answer


@contextlib.contextmanager
def running(*, down: bool = False) -> Iterator[tuple[str, dict]]:
    """Serve until the block ends; yields the base URL and the state (``down``, ``calls``)."""
    state = {"down": down, "calls": []}
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), json_handler(_answer(state)))) as url:
        yield url, state
