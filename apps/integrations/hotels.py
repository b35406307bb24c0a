"""Hotel offers: the interface every hotel inventory satisfies, and an Amadeus adapter.

The platform's own hotel vendors satisfy ``HotelInventory`` from the vendors app; external
inventories come through here. The default has none (an empty search, said so). The
Amadeus adapter follows its Self-Service APIs: OAuth2 client credentials, hotels by city
(``/v1/reference-data/locations/hotels/by-city``) then offers
(``/v3/shopping/hotel-offers``). When it fails the search is empty and flagged degraded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

import httpx
from django.core.cache import cache
from django.utils.translation import gettext as _

from .base import live_or_offline
from .http import HttpClient


@dataclass(frozen=True)
class HotelOffer:
    hotel_id: str
    hotel_name: str
    offer_id: str
    check_in: dt.date
    check_out: dt.date
    room: str
    price: Decimal  # total for the stay
    currency: str
    rating: int | None  # stars
    lat: float | None
    lon: float | None
    cancellation_deadline: dt.datetime | None = None  # free cancellation until then; None: not said
    expires_at: dt.datetime | None = None  # the price holds until then (when the search was made + offer_minutes)


@dataclass(frozen=True)
class HotelSearch:
    offers: list[HotelOffer]
    source: str
    degraded: bool = False


class HotelInventory(Protocol):
    def search(self, *, city_code: str, check_in: dt.date, check_out: dt.date, adults: int,
               rooms: int = 1) -> HotelSearch: ...


class NoHotelInventory:
    """Offline default: no external hotels (the platform's own hotel vendors still are)."""

    def search(self, *, city_code, check_in, check_out, adults, rooms=1) -> HotelSearch:
        return HotelSearch([], "none")


@dataclass
class AmadeusHotels:
    """Amadeus hotel search for up to ``max_hotels`` hotels of a city (IATA city code)."""

    client: HttpClient
    client_id: str = ""
    client_secret: str = ""
    max_hotels: int = 20
    offer_minutes: int = 30
    offline: NoHotelInventory = field(default_factory=NoHotelInventory)

    def search(self, *, city_code, check_in, check_out, adults, rooms=1) -> HotelSearch:
        return live_or_offline(
            what=_("External hotel offers"), provider=self.client.name,
            live=lambda: self._live(city_code, check_in, check_out, adults, rooms),
            offline=lambda: self.offline.search(city_code=city_code, check_in=check_in, check_out=check_out,
                                                adults=adults, rooms=rooms),
            fallback=_("showed the platform's own hotels only"))

    def _token(self) -> str:
        """A bearer token, kept in Django's cache until shortly before it expires."""
        key = f"integrations:{self.client.name}:token"
        token = cache.get(key)
        if token is None:
            token, lifetime = self.client.call("POST", "/v1/security/oauth2/token", data={
                "grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret}, parse=_parse_token)
            cache.set(key, token, timeout=max(lifetime - 60, 1))
        return token

    def _live(self, city_code, check_in, check_out, adults, rooms) -> HotelSearch:
        auth = {"Authorization": f"Bearer {self._token()}"}
        hotels = self.client.fetch("GET", "/v1/reference-data/locations/hotels/by-city",
                                   params={"cityCode": city_code}, headers=auth, parse=_parse_hotels,
                                   what=_("External hotel offers"), fresh_ttl=24 * 3600)
        listed = dict(list(hotels.value.items())[: self.max_hotels])
        if not listed:
            return hotels.flag(HotelSearch([], self.client.name))
        offers = self.client.fetch("GET", "/v3/shopping/hotel-offers", params={
            "hotelIds": ",".join(listed), "adults": adults, "checkInDate": check_in.isoformat(),
            "checkOutDate": check_out.isoformat(), "roomQuantity": rooms,
        }, headers=auth, parse=lambda response: _parse_offers(response, self.offer_minutes),
            what=_("External hotel offers"), fresh_ttl=900)
        found = [_completed(offer, listed.get(offer.hotel_id)) for offer in offers.value]
        search = HotelSearch(sorted(found, key=lambda offer: offer.price), self.client.name)
        return offers.flag(hotels.flag(search))


def _parse_token(response: httpx.Response) -> tuple[str, int]:
    body = response.json()
    return body["access_token"], int(body["expires_in"])


@dataclass(frozen=True)
class _ListedHotel:
    name: str
    rating: int | None
    lat: float | None
    lon: float | None


def _parse_hotels(response: httpx.Response) -> dict[str, _ListedHotel]:
    """Hotel id → name, stars and position, in the order Amadeus lists them."""
    found = {}
    for raw in response.json()["data"]:
        geo = raw.get("geoCode") or {}
        found[raw["hotelId"]] = _ListedHotel(raw["name"], int(raw["rating"]) if raw.get("rating") else None,
                                             geo.get("latitude"), geo.get("longitude"))
    return found


def _cancellation_deadline(offer: dict) -> dt.datetime | None:
    policies = offer.get("policies") or {}
    rules = [policies["cancellation"]] if policies.get("cancellation") else policies.get("cancellations") or []
    deadlines = [dt.datetime.fromisoformat(rule["deadline"]) for rule in rules if rule.get("deadline")]
    return min(deadlines, default=None)


def _parse_offers(response: httpx.Response, offer_minutes: int = 30) -> list[HotelOffer]:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=offer_minutes)
    return [
        HotelOffer(entry["hotel"]["hotelId"], entry["hotel"].get("name", ""), offer["id"],
                   dt.date.fromisoformat(offer["checkInDate"]), dt.date.fromisoformat(offer["checkOutDate"]),
                   ((offer.get("room") or {}).get("description") or {}).get("text", ""),
                   Decimal(offer["price"]["total"]), offer["price"]["currency"],
                   int(entry["hotel"]["rating"]) if entry["hotel"].get("rating") else None,
                   entry["hotel"].get("latitude"), entry["hotel"].get("longitude"),
                   _cancellation_deadline(offer), expires)
        for entry in response.json()["data"] if entry.get("available", True) for offer in entry["offers"]
    ]


def _completed(offer: HotelOffer, listed: _ListedHotel | None) -> HotelOffer:
    """Fill what the offers answer left out (stars, position) from the city listing."""
    if listed is None:
        return offer
    return replace(offer, hotel_name=offer.hotel_name or listed.name, rating=offer.rating or listed.rating,
                   lat=offer.lat if offer.lat is not None else listed.lat,
                   lon=offer.lon if offer.lon is not None else listed.lon)
