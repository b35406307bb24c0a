"""A fake Amadeus hotel API (token, hotels by city, offers for the dates asked) on a
loopback port in a thread; ``down=True`` answers 503 to everything."""
from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOTELS = [  # id, name, stars, lat, lon, total price for the stay (USD), free cancellation days before
    ("RTTYOGIN", "Mitsui Garden Hotel Ginza", 4, 35.66694, 139.76278, "1432.20", 2),
    ("HITYO123", "Hotel Gracery Shinjuku", 3, 35.69472, 139.70194, "1116.50", None),
]


def _handler(state: dict) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if state["down"]:
                return self._reply(503, {})
            self._reply(200, {"access_token": "fake-token", "expires_in": 1799})

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            state["calls"].append(url.path)
            if state["down"]:
                return self._reply(503, {})
            if url.path == "/v1/reference-data/locations/hotels/by-city":
                return self._reply(200, {"data": [{"hotelId": h[0], "name": h[1], "rating": str(h[2]),
                                                   "geoCode": {"latitude": h[3], "longitude": h[4]}} for h in HOTELS]})
            offers = []
            for hotel_id, name, stars, lat, lon, total, free_days in HOTELS:
                offer = {"id": f"OFFER-{hotel_id}", "checkInDate": query["checkInDate"],
                         "checkOutDate": query["checkOutDate"], "room": {"description": {"text": "Double room"}},
                         "price": {"currency": "USD", "total": total}}
                if free_days is not None:
                    offer["policies"] = {"cancellation": {"deadline": f"{query['checkInDate']}T23:59:00+09:00"}}
                offers.append({"hotel": {"hotelId": hotel_id, "name": name, "latitude": lat, "longitude": lon},
                               "available": True, "offers": [offer]})
            self._reply(200, {"data": offers})

        def log_message(self, format, *args):
            pass

    return Handler


@contextlib.contextmanager
def running(*, down: bool = False) -> Iterator[tuple[str, dict]]:
    """Serve until the block ends; yields the base URL and the state (``down``, ``calls``)."""
    state = {"down": down, "calls": []}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
