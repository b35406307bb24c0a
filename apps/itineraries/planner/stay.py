"""The accommodation: a hotel at the requested level, the depot of every day: a platform
hotel vendor's offering, or an offer of the configured hotel provider (``hotels``), which
is kept with the stay (price, cancellation terms, expiry) for booking at its source."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from apps.integrations.hotels import HotelOffer
from apps.integrations.registry import get_provider
from apps.vendors.models import Offering, OfferingKind
from apps.vendors.pricing import PEOPLE_PER_ROOM, quantity_for, quote_stay
from apps.vendors.selectors import stay_nights

from .areas import DAY_TRIP_KM
from .candidates import Converter, Trip
from .travel import haversine_km

# Level of a hotel by its price per room-night in USD (the offering has no level field).
LEVEL_BOUNDS_USD = {"budget": (Decimal(0), Decimal(100)), "mid-range": (Decimal(100), Decimal(300)),
                    "luxury": (Decimal(300), Decimal("1e9"))}
CHECK_IN, CHECK_OUT = 15 * 60, 11 * 60  # minutes from midnight, when the hotel does not say


@dataclass(frozen=True)
class Stay:
    title: str
    lat: float
    lon: float
    offering_id: int | None
    night_price: Decimal  # all rooms of the party, request currency
    nights: int
    reasoning: str
    check_in: int = CHECK_IN  # minutes from local midnight of the arrival day
    check_out: int = CHECK_OUT  # of the departure day
    offer: dict | None = None  # the hotel provider's offer (see :func:`offer_json`), when it came from one
    quoted: Decimal | None = None  # the booking's own quote of every night (request currency), when known

    @property
    def location(self) -> tuple[float, float]:
        return self.lat, self.lon

    @property
    def total(self) -> Decimal:
        return self.night_price * self.nights if self.quoted is None else self.quoted


def offer_json(offer: HotelOffer, provider: str) -> dict:
    """What is kept of a provider's offer with the stay: enough to book it at its source."""
    return {"provider": provider, "hotel_id": offer.hotel_id, "offer_id": offer.offer_id, "room": offer.room,
            "price": {"amount": f"{offer.price}", "currency": offer.currency},
            "check_in": offer.check_in.isoformat(), "check_out": offer.check_out.isoformat(),
            "free_cancellation_until": offer.cancellation_deadline.isoformat() if offer.cancellation_deadline else None,
            "expires_at": offer.expires_at.isoformat() if offer.expires_at else None}


def _provider_offers(trip: Trip, *, city: str, nights: int, rooms: int) -> list[tuple[HotelOffer, str]]:
    """The hotel provider's offers for the stay (none when the city has no code, or when the
    provider is down: then the plan's data notes say so)."""
    config = getattr(settings, "TRAVELOURE_PROVIDERS", {}).get("hotels", {})
    code = config.get("city_codes", {}).get(city)
    if config.get("backend", "offline") == "offline" or not code:
        return []
    check_in = trip.days[0]
    search = get_provider("hotels").search(city_code=code, check_in=check_in,
                                           check_out=check_in + dt.timedelta(days=nights), adults=trip.party,
                                           rooms=rooms)
    return [(offer, search.source) for offer in search.offers if offer.lat is not None and offer.lon is not None]


def _stay_quote(offering: Offering, trip: Trip, nights: int, convert: Converter) -> Decimal | None:
    """The price the stay's booking will get (:func:`apps.vendors.pricing.quote_stay`: every
    night's slot and price rules, for the rooms the party books), in the request's currency;
    None when a night has no slot (the booking will then say so)."""
    slots = stay_nights(offering.pk, trip.days[0], nights)
    if len(slots) < nights:
        return None
    priced = quote_stay(slots, quantity_for(offering.price_unit, party=trip.party), booked_at=trip.now)
    return convert(priced.total, priced.currency)


def _in_reach(trip: Trip, location: tuple[float, float]) -> bool:
    return haversine_km(trip.center, location) <= DAY_TRIP_KM


def choose_stay(trip: Trip, *, level: str, nights: int, budget: Decimal, city: str = "") -> Stay:
    """Best-rated hotel of the level whose nights fit the budget, among the platform's hotel
    offerings and the hotel provider's offers for ``city``, a hotel within a day trip of the
    destination centre first (an estate 17 km out leaves no sight of the city within reach
    of the days); else the cheapest that fits; else the destination centre as a placeholder
    start/end of the days."""
    centre = Stay(_("City centre"), trip.center[0], trip.center[1], None, Decimal(0), nights, "")
    if level == "none" or nights <= 0:
        return centre
    to_usd, convert = Converter("USD"), Converter(trip.currency)
    rooms = math.ceil(trip.party / PEOPLE_PER_ROOM)
    low, high = LEVEL_BOUNDS_USD.get(level, LEVEL_BOUNDS_USD["mid-range"])
    options = []  # (within a day trip, level matches, rating, -night price, Stay without its reasoning)
    for offering in Offering.objects.filter(kind=OfferingKind.STAY, is_active=True, vendor__is_active=True,
                                            vendor__country=trip.country).select_related("vendor"):
        if haversine_km(trip.center, offering.location) > 30:
            continue
        usd = to_usd(offering.base_price, offering.currency)
        quoted = _stay_quote(offering, trip, nights, convert)
        night = convert(offering.base_price * quantity_for(offering.price_unit, party=trip.party), offering.currency)
        if (night * nights if quoted is None else quoted) <= budget:
            lat, lon = offering.location
            options.append((_in_reach(trip, (lat, lon)), low <= usd < high,
                            float(offering.rating or offering.vendor.rating), -night, Stay(
                offering.title, lat, lon, offering.pk, night, nights, "",
                offering.check_in.hour * 60 + offering.check_in.minute,
                offering.check_out.hour * 60 + offering.check_out.minute, quoted=quoted)))
    for offer, provider in _provider_offers(trip, city=city, nights=nights, rooms=rooms):
        night = convert(offer.price / nights, offer.currency)
        room_night_usd = to_usd(offer.price / nights / rooms, offer.currency)
        if night * nights <= budget and haversine_km(trip.center, (offer.lat, offer.lon)) <= 30:
            options.append((_in_reach(trip, (offer.lat, offer.lon)), low <= room_night_usd < high,
                            float(offer.rating or 0), -night, Stay(
                offer.hotel_name, offer.lat, offer.lon, None, night, nights, "", offer=offer_json(offer, provider))))
    if not options:
        return Stay(centre.title, centre.lat, centre.lon, None, Decimal(0), nights,
                    _("no hotel within the budget was found: days start from the city centre"))
    _reach, matches, rating, _neg, stay = max(options, key=lambda o: o[:4])
    why = (_("%(level)s hotel rated %(rating).1f") % {"level": level, "rating": rating} if matches
           else _("no %(level)s hotel fits the budget: best-rated alternative") % {"level": level})
    if stay.offer:
        why += _(" (offer from %(provider)s, price held until %(expires)s)") % {
            "provider": stay.offer["provider"], "expires": (stay.offer["expires_at"] or "")[:16].replace("T", " ")}
    return dataclasses.replace(stay, reasoning=why)
