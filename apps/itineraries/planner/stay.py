"""The accommodation: a hotel offering at the requested level, the depot of every day."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from apps.vendors.models import Offering, OfferingKind, PriceUnit

from .candidates import Converter, Trip
from .travel import haversine_km

# Level of a hotel by its price per room-night in USD (the offering has no level field).
LEVEL_BOUNDS_USD = {"budget": (Decimal(0), Decimal(100)), "mid-range": (Decimal(100), Decimal(300)),
                    "luxury": (Decimal(300), Decimal("1e9"))}
PEOPLE_PER_ROOM = 2
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

    @property
    def location(self) -> tuple[float, float]:
        return self.lat, self.lon

    @property
    def total(self) -> Decimal:
        return self.night_price * self.nights


def choose_stay(trip: Trip, *, level: str, nights: int, budget: Decimal) -> Stay:
    """Best-rated hotel of the level whose nights fit the budget; else the cheapest that
    fits; else the destination centre as a placeholder start/end of the days."""
    centre = Stay(_("City centre"), trip.center[0], trip.center[1], None, Decimal(0), nights, "")
    if level == "none" or nights <= 0:
        return centre
    to_usd, convert = Converter("USD"), Converter(trip.currency)
    rooms = math.ceil(trip.party / PEOPLE_PER_ROOM)
    options = []
    for offering in Offering.objects.filter(kind=OfferingKind.STAY, is_active=True, vendor__is_active=True,
                                            vendor__country=trip.country).select_related("vendor"):
        if haversine_km(trip.center, offering.location) > 30:
            continue
        per_night = offering.base_price * (rooms if offering.price_unit == PriceUnit.PER_NIGHT else 1)
        usd = to_usd(offering.base_price, offering.currency)
        low, high = LEVEL_BOUNDS_USD.get(level, LEVEL_BOUNDS_USD["mid-range"])
        night = convert(per_night, offering.currency)
        if night * nights <= budget:
            options.append((low <= usd < high, float(offering.rating or offering.vendor.rating), -night, offering, night))
    if not options:
        return Stay(centre.title, centre.lat, centre.lon, None, Decimal(0), nights,
                    _("no hotel within the budget was found: days start from the city centre"))
    matches, rating, _neg, offering, night = max(options, key=lambda o: o[:3])
    why = (_("%(level)s hotel rated %(rating).1f") % {"level": level, "rating": rating} if matches
           else _("no %(level)s hotel fits the budget: best-rated alternative") % {"level": level})
    lat, lon = offering.location
    return Stay(offering.title, lat, lon, offering.pk, night, nights, why,
                offering.check_in.hour * 60 + offering.check_in.minute,
                offering.check_out.hour * 60 + offering.check_out.minute)
