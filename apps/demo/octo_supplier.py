"""A fake OCTO supplier (octo.travel v1, pricing capability) on a real socket: the demo's
Tokyo tour operator keeps its inventory here (``manage.py octo_fake``), and the tests run
it in a thread (``tests/fakes/octo_server.py``) to fault it on purpose.

Products, availability, reservations ON_HOLD until ``utcExpiresAt`` (then EXPIRED, seats
back), confirm, cancel, ``GET /bookings/<uuid>``, and signed webhooks on availability
changes. A booking ``uuid`` is the idempotency key, as in the spec. Standard library only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo


@dataclass
class Departure:
    start: dt.datetime  # aware, in the product's time zone
    end: dt.datetime
    capacity: int
    vacancies: int
    retail: dict[str, int]  # unit id → price in minor units
    currency: str = "JPY"
    precision: int = 0

    @property
    def id(self) -> str:
        return self.start.isoformat()


@dataclass
class Fault:
    """Answer the next ``times`` matching calls with ``kind``: "timeout" (answer after
    ``delay`` seconds), "500" (before doing anything), "lost" (do it, then answer 500)."""

    method: str
    path: str  # prefix
    kind: str
    times: int = 1
    delay: float = 2.0


@dataclass
class Supplier:
    """The supplier's state; every method is safe to call from the tests' thread."""

    api_key: str
    product: dict
    departures: dict[str, Departure] = field(default_factory=dict)
    bookings: dict[str, dict] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    clock: Callable[[], float] = time.time
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- test and demo controls -------------------------------------------------------

    def fail(self, method: str, path: str, kind: str, times: int = 1, delay: float = 2.0) -> None:
        with self.lock:
            self.faults.append(Fault(method, path, kind, times, delay))

    def set_vacancies(self, departure_id: str, vacancies: int) -> None:
        """A change on the supplier's side (a walk-in sale, a closed departure); webhooks it."""
        with self.lock:
            departure = self.departures[departure_id]
            departure.vacancies = vacancies
            departure.capacity = max(departure.capacity, vacancies)
        self.notify({"event": "availability_update", "productId": self.product["id"],
                     "optionId": "DEFAULT", "availabilityId": departure_id})

    def expire_holds(self) -> None:
        """Every hold's time runs out now (as if the supplier's clock jumped)."""
        with self.lock:
            for booking in self.bookings.values():
                if booking["status"] == "ON_HOLD":
                    booking["_expires"] = self.clock() - 1

    def notify(self, body: dict) -> None:
        """POST a webhook signed like our vendor hooks (HMAC-SHA256 of ``timestamp.body``)."""
        if not self.webhook_url:
            return
        raw, headers = signed_webhook(body, self.webhook_secret)
        request = urllib.request.Request(self.webhook_url, data=raw, headers=headers, method="POST")
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except OSError:
            pass  # the periodic sync catches up

    # --- the API ------------------------------------------------------------------------

    def handle(self, method: str, path: str, body: dict) -> tuple[int, object]:
        with self.lock:
            self.calls.append((method, path))
            self._expire()
            routes = {("GET", "/products"): self._products, ("POST", "/availability"): self._availability,
                      ("POST", "/bookings"): self._hold}
            if (method, path) in routes:
                return routes[(method, path)](body)
            parts = path.strip("/").split("/")
            if parts[0] == "bookings" and len(parts) >= 2:
                booking = self.bookings.get(parts[1])
                if booking is None:
                    return 400, {"error": "INVALID_BOOKING_UUID", "errorMessage": "Unknown booking"}
                if method == "GET" and len(parts) == 2:
                    return 200, booking
                if method == "POST" and parts[2:] == ["confirm"]:
                    return self._confirm(booking, body)
                if method == "DELETE" and len(parts) == 2:
                    return self._cancel(booking)
            return 404, {"error": "NOT_FOUND"}

    def _products(self, body):
        return 200, [self.product]

    def _availability(self, body):
        first, last = dt.date.fromisoformat(body["localDateStart"]), dt.date.fromisoformat(body["localDateEnd"])
        units = {unit["id"]: unit["quantity"] for unit in body.get("units", [])}
        found = []
        for departure in sorted(self.departures.values(), key=lambda d: d.start):
            if body.get("productId") != self.product["id"] or not first <= departure.start.date() <= last:
                continue
            available = departure.vacancies >= max(sum(units.values()), 1)
            found.append({
                "id": departure.id, "localDateTimeStart": departure.start.isoformat(),
                "localDateTimeEnd": departure.end.isoformat(), "allDay": False, "available": available,
                "status": "AVAILABLE" if available else "SOLD_OUT", "vacancies": departure.vacancies,
                "capacity": departure.capacity, "openingHours": [],
                "unitPricing": [{"unitId": unit, "original": price, "retail": price, "net": price,
                                 "currency": departure.currency, "currencyPrecision": departure.precision,
                                 "includedTaxes": []} for unit, price in departure.retail.items()],
            })
        return 200, found

    def _hold(self, body):
        uuid = body["uuid"]
        if uuid in self.bookings:  # a retry: the same reservation
            return 200, self.bookings[uuid]
        departure = self.departures.get(body.get("availabilityId", ""))
        seats = len(body.get("unitItems", []))
        if departure is None or body.get("productId") != self.product["id"]:
            return 400, {"error": "INVALID_AVAILABILITY_ID", "errorMessage": "Unknown availability"}
        if departure.vacancies < seats:
            return 400, {"error": "UNPROCESSABLE_ENTITY", "errorMessage": "Not enough vacancies"}
        departure.vacancies -= seats
        expires = self.clock() + 60 * int(body.get("expirationMinutes") or 30)
        self.bookings[uuid] = {
            "id": uuid, "uuid": uuid, "testMode": True, "resellerReference": None,
            "supplierReference": f"TKO-{len(self.bookings) + 1:04d}", "status": "ON_HOLD",
            "utcExpiresAt": _utc(expires), "_expires": expires, "utcConfirmedAt": None,
            "productId": body["productId"], "optionId": body.get("optionId", "DEFAULT"),
            "availabilityId": departure.id, "cancellable": True, "contact": {"fullName": None, "emailAddress": None},
            "unitItems": [{"uuid": f"{uuid}-{n}", "unitId": item["unitId"], "status": "ON_HOLD"}
                          for n, item in enumerate(body.get("unitItems", []))],
        }
        return 200, self.bookings[uuid]

    def _confirm(self, booking, body):
        if booking["status"] == "CONFIRMED":
            return 200, booking
        if booking["status"] != "ON_HOLD":
            return 400, {"error": "INVALID_BOOKING_UUID", "errorMessage": f"Booking is {booking['status']}"}
        booking.update(status="CONFIRMED", utcExpiresAt=None, utcConfirmedAt=_utc(self.clock()),
                       resellerReference=body.get("resellerReference"), contact=body.get("contact") or {})
        return 200, booking

    def _cancel(self, booking):
        if booking["status"] in ("ON_HOLD", "CONFIRMED"):
            self.departures[booking["availabilityId"]].vacancies += len(booking["unitItems"])
            booking["status"] = "CANCELLED"
        return 200, booking

    def _expire(self):
        for booking in self.bookings.values():
            if booking["status"] == "ON_HOLD" and booking["_expires"] <= self.clock():
                booking["status"] = "EXPIRED"
                self.departures[booking["availabilityId"]].vacancies += len(booking["unitItems"])

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


def _utc(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat().replace("+00:00", "Z")


def signed_webhook(body: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Traveloure-Timestamp": stamp,
                 "X-Traveloure-Signature": f"sha256={signature}"}


def _handler(supplier: Supplier) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.headers.get("Authorization") != f"Bearer {supplier.api_key}":
                return self._reply(401, {"error": "UNAUTHORIZED"})
            fault = supplier.take_fault(self.command, self.path)
            if fault and fault.kind == "timeout":
                time.sleep(fault.delay)
            if fault and fault.kind == "500":
                return self._reply(500, {"error": "INTERNAL_SERVER_ERROR"})
            status, answer = supplier.handle(self.command, self.path, body)
            if fault and fault.kind == "lost":
                return self._reply(500, {"error": "INTERNAL_SERVER_ERROR"})
            self._reply(status, answer)

        do_GET = do_POST = do_DELETE = _serve

        def _reply(self, status: int, answer) -> None:
            if isinstance(answer, dict):
                answer = {k: v for k, v in answer.items() if not k.startswith("_")}
            raw = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                pass

        def log_message(self, format, *args):
            pass

    return Handler


def make_server(supplier: Supplier, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A server for ``supplier`` (port 0: any free one; see ``server.server_address``)."""
    server = ThreadingHTTPServer((host, port), _handler(supplier))
    server.daemon_threads = True
    return server


def _product(product_id: str, title: str, option: str, times: list[str], unit: str, unit_type: str) -> dict:
    return {
        "id": product_id, "internalName": title, "title": title, "timeZone": "Asia/Tokyo",
        "instantConfirmation": True, "availabilityType": "START_TIME",
        "options": [{"id": "DEFAULT", "default": True, "internalName": option, "title": option,
                     "availabilityLocalStartTimes": times,
                     "units": [{"id": unit, "internalName": unit.title(), "type": unit_type}]}],
    }


def _daily(supplier: Supplier, first_day: dt.date, days: int, starts: list[tuple[dt.time, int]], seats: int,
           retail: dict[str, int]) -> Supplier:
    """Departures every day at each ``(local start, minutes)``."""
    tz = ZoneInfo(supplier.product["timeZone"])
    for n in range(days):
        for at, minutes in starts:
            start = dt.datetime.combine(first_day + dt.timedelta(days=n), at, tz)
            departure = Departure(start, start + dt.timedelta(minutes=minutes), seats, seats, dict(retail))
            supplier.departures[departure.id] = departure
    return supplier


def tokyo_tour(*, api_key: str, first_day: dt.date, days: int, seats: int = 12,
               product_id: str = "tokyo-night-food-walk") -> Supplier:
    """The demo's supplier: an evening food walk in Tokyo, 17:00–20:00 every day."""
    product = _product(product_id, "Shinjuku night food walk", "Evening", ["17:00"], "adult", "ADULT")
    return _daily(Supplier(api_key=api_key, product=product), first_day, days, [(dt.time(17), 180)], seats,
                  {"adult": 9500})


def restaurant_tables(*, api_key: str, first_day: dt.date, days: int, seats: int = 8,
                      product_id: str = "ginza-sushi-counter") -> Supplier:
    """A restaurant's table booking over OCTO: lunch at 12:00 (90 min) and dinner at 19:00
    (2 h) every day, a counter of ``seats``, one ``guest`` unit per person at the table."""
    product = _product(product_id, "Ginza sushi counter", "Omakase", ["12:00", "19:00"], "guest", "ADULT")
    return _daily(Supplier(api_key=api_key, product=product), first_day, days,
                  [(dt.time(12), 90), (dt.time(19), 120)], seats, {"guest": 6000})
