"""Hotel offers: the interface every hotel inventory satisfies, and an Amadeus adapter.

The platform's own hotel vendors satisfy ``HotelInventory`` from the vendors app; external
inventories come through here. The default has none (an empty search, said so). The
Amadeus adapter follows its Self-Service APIs: OAuth2 client credentials, hotels by city
(``/v1/reference-data/locations/hotels/by-city``) then offers
(``/v3/shopping/hotel-offers``). When it fails the search is empty and flagged degraded.

Booking an offer is a write and never falls back: the offer is priced again
(``/v3/shopping/hotel-offers/<offer id>``), booked (``POST /v1/booking/hotel-bookings`` with
our key as ``Idempotency-Key`` and ``clientReference``, so a retry finds the same booking),
found again by that key, and cancelled (``DELETE /v1/booking/hotel-bookings/<id>``); every
failure raises ``ProviderUnavailable`` (``ProviderRejected`` when refused, e.g. the offer
is gone). ``apps.coordination.services.supplier`` drives them outside any transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

import httpx
from django.core.cache import cache
from django.utils.translation import gettext as _

from .base import ProviderRejected, ProviderUnavailable, live_or_offline
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


GONE = "gone"  # a price check's answer for an offer no longer offered


@dataclass(frozen=True)
class HotelSearch:
    offers: list[HotelOffer]
    source: str
    degraded: bool = False


@dataclass(frozen=True)
class HotelBooking:
    id: str  # the provider's booking id (to cancel it)
    reference: str  # the confirmation number the traveler shows at the desk
    status: str  # CONFIRMED, CANCELLED


class HotelInventory(Protocol):
    def search(self, *, city_code: str, check_in: dt.date, check_out: dt.date, adults: int,
               rooms: int = 1) -> HotelSearch: ...

    def recheck(self, *, offer_id: str) -> HotelOffer: ...

    def book(self, *, offer_id: str, key: str, full_name: str, email: str) -> HotelBooking: ...

    def find(self, *, key: str) -> HotelBooking | None: ...

    def cancel(self, *, booking_id: str) -> HotelBooking: ...


class NoHotelInventory:
    """Offline default: no external hotels (the platform's own hotel vendors still are), so
    nothing to book there either."""

    def search(self, *, city_code, check_in, check_out, adults, rooms=1) -> HotelSearch:
        return HotelSearch([], "none")

    def _none(self, **kwargs):
        raise ProviderUnavailable("none", "no hotel provider is configured")

    recheck = book = find = cancel = _none


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

    def recheck(self, *, offer_id: str) -> HotelOffer:
        """The offer as the provider prices it now; searches answered from the cache before
        it see that price (or no offer) from then on. Errors: ``ProviderUnavailable``;
        ``ProviderRejected`` when it is no longer offered."""
        key = f"integrations:{self.client.name}:offer:{offer_id}"
        try:
            offer = self.client.call("GET", f"/v3/shopping/hotel-offers/{offer_id}", headers=self._auth(),
                                     parse=lambda response: _parse_offer(response.json()["data"], self.offer_minutes))
        except ProviderRejected:
            cache.set(key, GONE, timeout=self.offer_minutes * 60)
            raise
        cache.set(key, offer, timeout=self.offer_minutes * 60)
        return offer

    def _rechecked(self, offers: list[HotelOffer]) -> list[HotelOffer]:
        """``offers`` as the latest price checks left them (repriced, or gone)."""
        keys = {f"integrations:{self.client.name}:offer:{offer.offer_id}": offer for offer in offers}
        seen = cache.get_many(list(keys))
        now = [seen.get(key, offer) for key, offer in keys.items()]
        return [replace(new, hotel_name=new.hotel_name or old.hotel_name, rating=old.rating, lat=old.lat, lon=old.lon)
                for old, new in zip(offers, now, strict=True) if new != GONE]

    def book(self, *, offer_id: str, key: str, full_name: str, email: str) -> HotelBooking:
        """Book the offer for the traveler; the same ``key`` again answers the same booking.
        Errors: as :meth:`recheck`."""
        first, _space, last = full_name.partition(" ")
        body = {"data": {"offerId": offer_id, "clientReference": key, "guests": [
            {"id": 1, "name": {"firstName": first, "lastName": last or first}, "contact": {"email": email}}]}}
        return self.client.call("POST", "/v1/booking/hotel-bookings", json=body,
                                headers={**self._auth(), "Idempotency-Key": key},
                                parse=lambda response: _parse_booking(response.json()["data"][0]))

    def find(self, *, key: str) -> HotelBooking | None:
        """The booking made with ``key``, if the provider took one. Errors: ``ProviderUnavailable``."""
        return self.client.call("GET", "/v1/booking/hotel-bookings", params={"clientReference": key},
                                headers=self._auth(), parse=lambda response: next(
                                    (_parse_booking(raw) for raw in response.json()["data"]), None))

    def cancel(self, *, booking_id: str) -> HotelBooking:
        """Cancel a booking (the refund follows the offer's terms). Errors: as :meth:`recheck`."""
        return self.client.call("DELETE", f"/v1/booking/hotel-bookings/{booking_id}", headers=self._auth(),
                                parse=lambda response: _parse_booking(response.json()["data"]))

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self._token()}"}

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
        auth = self._auth()
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
        found = [_completed(offer, listed.get(offer.hotel_id)) for offer in self._rechecked(offers.value)]
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


def _entry_offers(entry: dict, offer_minutes: int) -> list[HotelOffer]:
    """The offers of one hotel entry; the price holds for ``offer_minutes`` from now."""
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=offer_minutes)
    hotel = entry["hotel"]
    return [
        HotelOffer(hotel["hotelId"], hotel.get("name", ""), offer["id"],
                   dt.date.fromisoformat(offer["checkInDate"]), dt.date.fromisoformat(offer["checkOutDate"]),
                   ((offer.get("room") or {}).get("description") or {}).get("text", ""),
                   Decimal(offer["price"]["total"]), offer["price"]["currency"],
                   int(hotel["rating"]) if hotel.get("rating") else None, hotel.get("latitude"),
                   hotel.get("longitude"), _cancellation_deadline(offer), expires)
        for offer in entry["offers"]
    ]


def _parse_offers(response: httpx.Response, offer_minutes: int = 30) -> list[HotelOffer]:
    return [offer for entry in response.json()["data"] if entry.get("available", True)
            for offer in _entry_offers(entry, offer_minutes)]


def _parse_offer(entry: dict, offer_minutes: int) -> HotelOffer:
    """The one offer of a price check (``IndexError`` when none: malformed)."""
    return _entry_offers(entry, offer_minutes)[0]


def _parse_booking(raw: dict) -> HotelBooking:
    return HotelBooking(raw["id"], raw.get("providerConfirmationId") or raw["id"], raw.get("bookingStatus", "CONFIRMED"))


def _completed(offer: HotelOffer, listed: _ListedHotel | None) -> HotelOffer:
    """Fill what the offers answer left out (stars, position) from the city listing."""
    if listed is None:
        return offer
    return replace(offer, hotel_name=offer.hotel_name or listed.name, rating=offer.rating or listed.rating,
                   lat=offer.lat if offer.lat is not None else listed.lat,
                   lon=offer.lon if offer.lon is not None else listed.lon)
