"""Tour and activity inventory over the OCTO supplier API (octo.travel, v1, pricing capability).

Products, availability, a reservation hold, confirm and cancel. Nothing here falls back:
inventory must be live, so every failure raises ``ProviderUnavailable`` (``ProviderRejected``
when the supplier refused, e.g. the availability is gone) and the booking side maps it.
Retrying a hold is safe: OCTO treats the booking ``uuid`` as the idempotency key.
"""
from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from dataclasses import dataclass
from decimal import Decimal

import httpx

from .http import HttpClient

CAPABILITIES = "octo/pricing"


@dataclass(frozen=True)
class Unit:
    id: str
    type: str  # ADULT, CHILD, …


@dataclass(frozen=True)
class ProductOption:
    id: str
    title: str
    units: list[Unit]


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    time_zone: str
    options: list[ProductOption]


@dataclass(frozen=True)
class Availability:
    id: str
    start: dt.datetime
    end: dt.datetime
    available: bool
    status: str
    vacancies: int | None
    price: Decimal | None  # for the units asked, in ``currency``
    currency: str


@dataclass(frozen=True)
class Reservation:
    uuid: str
    status: str  # ON_HOLD, CONFIRMED, CANCELLED, EXPIRED
    availability_id: str
    expires_at: dt.datetime | None
    supplier_reference: str


@dataclass
class OctoInventory:
    """One OCTO supplier endpoint (``client`` carries its base URL and bearer key)."""

    client: HttpClient

    def products(self) -> list[Product]:
        """Errors: ``ProviderUnavailable``."""
        return self.client.call("GET", "/products", parse=_parse_products)

    def availability(self, *, product_id: str, option_id: str, start: dt.date, end: dt.date,
                     units: dict[str, int]) -> list[Availability]:
        """Departures between two local dates for ``units`` ({unit id: quantity}).

        Errors: ``ProviderUnavailable``.
        """
        body = {"productId": product_id, "optionId": option_id, "localDateStart": start.isoformat(),
                "localDateEnd": end.isoformat(), "units": [{"id": k, "quantity": n} for k, n in units.items()]}
        return self.client.call("POST", "/availability", json=body,
                                parse=lambda response: _parse_availability(response, units))

    def hold(self, *, product_id: str, option_id: str, availability_id: str, units: dict[str, int],
             hold_minutes: int = 30, uuid: str | None = None) -> Reservation:
        """Reserve seats until ``expires_at`` (status ON_HOLD). Pass the same ``uuid`` to retry.

        Errors: ``ProviderUnavailable``; ``ProviderRejected`` when the supplier refuses.
        """
        body = {"uuid": uuid or str(uuid_lib.uuid4()), "productId": product_id, "optionId": option_id,
                "availabilityId": availability_id, "expirationMinutes": hold_minutes,
                "unitItems": [{"unitId": k} for k, n in units.items() for _ in range(n)]}
        return self.client.call("POST", "/bookings", json=body, parse=_parse_booking)

    def confirm(self, *, uuid: str, reseller_reference: str, full_name: str, email: str) -> Reservation:
        """Turn a hold into a booking (status CONFIRMED). Errors: as ``hold``."""
        body = {"resellerReference": reseller_reference, "contact": {"fullName": full_name, "emailAddress": email}}
        return self.client.call("POST", f"/bookings/{uuid}/confirm", json=body, parse=_parse_booking)

    def booking(self, *, uuid: str) -> Reservation:
        """The supplier's current view of a reservation (it may have expired or been cancelled
        on their side). Errors: as ``hold`` (``ProviderRejected`` for an unknown ``uuid``)."""
        return self.client.call("GET", f"/bookings/{uuid}", parse=_parse_booking)

    def cancel(self, *, uuid: str, reason: str = "") -> Reservation:
        """Cancel a hold or a booking (status CANCELLED). Errors: as ``hold``."""
        return self.client.call("DELETE", f"/bookings/{uuid}", json={"reason": reason}, parse=_parse_booking)


def _parse_products(response: httpx.Response) -> list[Product]:
    return [
        Product(raw["id"], raw.get("title") or raw["internalName"], raw["timeZone"], [
            ProductOption(option["id"], option.get("title") or option["internalName"],
                          [Unit(unit["id"], unit["type"]) for unit in option["units"]])
            for option in raw["options"]
        ])
        for raw in response.json()
    ]


def _money(pricing: dict) -> Decimal:
    return Decimal(int(pricing["retail"])).scaleb(-int(pricing["currencyPrecision"]))


def _parse_availability(response: httpx.Response, units: dict[str, int]) -> list[Availability]:
    found = []
    for raw in response.json():
        price, currency = None, ""
        if raw.get("unitPricing"):
            by_unit = {item["unitId"]: item for item in raw["unitPricing"]}
            price = sum((_money(by_unit[k]) * n for k, n in units.items()), Decimal(0))
            currency = raw["unitPricing"][0]["currency"]
        elif raw.get("pricing"):
            price, currency = _money(raw["pricing"]), raw["pricing"]["currency"]
        found.append(Availability(
            raw["id"], dt.datetime.fromisoformat(raw["localDateTimeStart"]),
            dt.datetime.fromisoformat(raw["localDateTimeEnd"]), bool(raw["available"]), raw["status"],
            raw.get("vacancies"), price, currency,
        ))
    return found


def _parse_booking(response: httpx.Response) -> Reservation:
    raw = response.json()
    expires = raw.get("utcExpiresAt")
    return Reservation(raw["uuid"], raw["status"], raw["availabilityId"],
                       dt.datetime.fromisoformat(expires) if expires else None,
                       raw.get("supplierReference") or "")


def connect(url: str, api_key: str, options: dict | None = None) -> OctoInventory:
    """An OCTO client for one supplier (a vendor's inventory endpoint and key)."""
    return OctoInventory(HttpClient("octo", url, headers={"Authorization": f"Bearer {api_key}", "Octo-Capabilities": CAPABILITIES}, options=options))
