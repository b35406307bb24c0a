"""Candidates: what could go into a plan, with its time windows per date and its price.

Four sources: vendor offerings (their free slots, or their opening hours when they take
walk-ins), platform places (opening hours; viewpoints and photo spots at golden hour when
they are open then), events on the trip's dates from the events provider that match the
traveler's interests, and the expert's recommendations (which only mark candidates as
preferred or pinned, see :mod:`.conflicts`). Public holidays come from the events provider
too: a place closed on holidays (``PH off``) is closed on them. Everything that is ruled
out here is returned as :class:`LeftOut` with the reason, for the explanations.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from apps.integrations.currency import rate
from apps.integrations.events import Happening
from apps.integrations.sun import sun_times
from apps.itineraries.models import Place
from apps.vendors.models import Offering, OfferingKind, Slot, VendorType
from apps.vendors.pricing import quantity_for, quote, seats_taken

from .hours import TYPICAL_HOURS, TYPICAL_MEAL_HOURS, Window, needs_coords, open_windows
from .travel import haversine_km

SEARCH_RADIUS_KM = 60.0
MEAL_CATEGORIES = {"restaurant", "cafe"}
FREE_MEAL = "free_meal"  # category of a meal whose place the traveler chooses
CROWD_CATEGORIES = {"landmark", "viewpoint", "park", "garden", "religious_site", "market"}
EVENT_CATEGORY = "event"
EVENT_MINUTES = 120  # how long an event is planned for (the provider does not say)
CLOSED_ON_HOLIDAYS = re.compile(r"\bPH\s+(off|closed)\b", re.IGNORECASE)
GOLDEN_SLACK = 30  # a golden-hour visit ends within this many minutes of sunset


@dataclass
class Candidate:
    """One thing the traveler could do. ``windows`` are allowed START ranges per local date."""

    key: str
    title: str
    kind: str  # activity | meal
    lat: float
    lon: float
    duration: int
    windows: dict[dt.date, tuple[Window, ...]]
    price: Decimal | None  # for the whole party, in the request's currency
    indoor: bool
    interests: tuple[str, ...] = ()
    dietary: tuple[str, ...] = ()
    cuisine: str = ""  # a meal's kitchen ("soba"): two meals in a row differ
    wheelchair: bool | None = None
    rating: float = 0.0
    category: str = ""
    offering_id: int | None = None
    place_id: int | None = None
    vendor_id: int | None = None
    vendor_name: str = ""
    vendor_rating: float = 0.0
    slots: dict[tuple[dt.date, int], int] = field(default_factory=dict)
    slot_prices: dict[tuple[dt.date, int], Decimal] = field(default_factory=dict)  # each slot's quote, trip currency
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    preferred: bool = False
    hours_known: bool = True  # False: windows assume typical hours (then the plan says so)

    @property
    def location(self) -> tuple[float, float]:
        return self.lat, self.lon

    @property
    def crowd_sensitive(self) -> bool:
        return not self.indoor and self.category in CROWD_CATEGORIES

    def serves(self, restriction: str) -> bool:
        """Whether the kitchen fits a dietary restriction ("vegetarian", "gluten-free"…)."""
        need = restriction.replace("-", "_")
        offered = {d.replace("-", "_") for d in self.dietary}
        if need == "vegetarian" and ({"vegan", "vegan_options"} & offered):
            return True
        return need in offered or f"{need}_options" in offered


@dataclass(frozen=True)
class LeftOut:
    title: str
    reason: str
    score: float = 0.0

    def as_dict(self) -> dict:
        return {"title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class Trip:
    """What candidate collection needs to know about the request."""

    days: tuple[dt.date, ...]
    time_zone: str
    country: str
    center: tuple[float, float]
    party: int
    currency: str
    now: dt.datetime
    wheelchair: bool
    holidays: Mapping[dt.date, str] = field(default_factory=dict)  # from the events provider
    events: tuple[Happening, ...] = ()  # the provider's events on the trip's dates

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Converter:
    """Money into the trip's currency, one rate look-up per currency."""

    def __init__(self, target: str):
        self.target = target
        self._rates: dict[str, Decimal] = {}

    def __call__(self, amount: Decimal, currency: str) -> Decimal:
        if currency not in self._rates:
            self._rates[currency] = rate(currency, self.target)
        return (Decimal(amount) * self._rates[currency]).quantize(Decimal("0.01"))


def party_quote(offering: Offering, slot: Slot | None, party: int, *, now: dt.datetime) -> tuple[Decimal, str]:
    """What ``party`` pays for ``offering`` at ``slot`` in the vendor's currency: the quote
    (quantity, price rules) its booking will get when approved (:mod:`apps.vendors.pricing`);
    a walk-in without a slot at its list price."""
    quantity = quantity_for(offering.price_unit, party=party)
    if slot is None:
        return offering.base_price * quantity, offering.currency
    priced = quote(slot, quantity, booked_at=now)
    return priced.total, priced.currency


def seats_needed(offering: Offering, party: int) -> int:
    """The capacity a slot needs for the party's booking of ``offering``."""
    return seats_taken(offering.price_unit, quantity_for(offering.price_unit, party=party))


def start_ranges(open_: Sequence[Window], duration: int) -> tuple[Window, ...]:
    """Allowed start ranges so that a visit of ``duration`` ends while open."""
    return tuple((o, c - duration) for o, c in open_ if c - duration >= o)


def hours_windows(cand: Candidate, spec: str, trip: Trip, coords) -> dict[dt.date, tuple[Window, ...]]:
    """Start ranges per day from OSM hours; unknown hours assume a typical day (a
    restaurant's lunch and dinner service) and clear ``cand.hours_known``."""
    spec = (spec or "").strip()
    closed = tuple(day for day in trip.days if day in trip.holidays) if CLOSED_ON_HOLIDAYS.search(spec) else ()
    windows, known = _start_windows(spec, cand.duration, cand.kind == "meal", trip.days, closed, trip.country,
                                    coords if needs_coords(spec, trip.country) else None, trip.time_zone)
    cand.hours_known = cand.hours_known and known
    return dict(windows)


@lru_cache(maxsize=4096)
def _start_windows(spec: str, duration: int, meal: bool, days: tuple[dt.date, ...], closed: tuple[dt.date, ...],
                   country: str, coords: tuple[float, float] | None, time_zone: str
                   ) -> tuple[tuple[tuple[dt.date, tuple[Window, ...]], ...], bool]:
    """(day, start ranges) of the days open, and whether the hours are known: the same for
    every place of a market sharing a spec and a visit length (``closed``: the provider's
    holidays, whatever the hours library knows of them)."""
    typical = TYPICAL_MEAL_HOURS if meal else TYPICAL_HOURS
    out, known = [], True
    for day in days:
        if day in closed:
            continue
        open_ = open_windows(spec, day, country=country, coords=coords, time_zone=time_zone)
        if open_ is None:
            open_, known = typical, False
        ranges = start_ranges(open_, duration)
        if ranges:
            out.append((day, ranges))
    return tuple(out), known


def _within(trip: Trip, lat: float, lon: float) -> bool:
    return haversine_km(trip.center, (lat, lon)) <= SEARCH_RADIUS_KM


def _near_box(trip: Trip) -> dict:
    pad = SEARCH_RADIUS_KM / 111.0  # degrees of latitude; the exact distance is checked after
    lat = trip.center[0]
    return {"lat__gte": lat - pad, "lat__lte": lat + pad}


def offering_candidates(trip: Trip, convert: Converter, *, exclude_offering_ids: Collection[int] = ()
                        ) -> tuple[list[Candidate], list[LeftOut]]:
    """Activities and meals of active vendors around the destination, from free slots
    (capacity for the party, past the vendor's minimum notice) or walk-in opening hours."""
    first = dt.datetime.combine(trip.days[0], dt.time(), tzinfo=trip.tz)
    last = dt.datetime.combine(trip.days[-1] + dt.timedelta(days=1), dt.time(), tzinfo=trip.tz)
    offerings = list(
        Offering.objects.filter(is_active=True, vendor__is_active=True, vendor__country=trip.country,
                                kind__in=[OfferingKind.ACTIVITY, OfferingKind.MEAL])
        .exclude(vendor__vendor_type=VendorType.HOTEL).select_related("vendor").prefetch_related("price_rules")
    )
    by_id = {offering.pk: offering for offering in offerings}
    slots_by_offering: dict[int, list[Slot]] = {}
    for slot in Slot.objects.filter(offering__in=offerings, start__gte=first, start__lt=last).order_by("start"):
        slot.offering = by_id[slot.offering_id]  # quoted with the offering's prefetched price rules
        slots_by_offering.setdefault(slot.offering_id, []).append(slot)
    out, left = [], []
    for offering in offerings:
        lat, lon = offering.location
        if not _within(trip, lat, lon):
            continue
        if offering.pk in exclude_offering_ids:
            left.append(LeftOut(offering.title, _("excluded after an earlier change (declined or rejected)")))
            continue
        vendor = offering.vendor
        kind = "meal" if offering.kind == OfferingKind.MEAL or vendor.vendor_type == VendorType.RESTAURANT \
            else "activity"
        cand = Candidate(
            key=f"offering:{offering.pk}", title=offering.title, kind=kind, lat=lat, lon=lon,
            duration=offering.duration_min, windows={}, indoor=offering.indoor,
            price=convert(*party_quote(offering, None, trip.party, now=trip.now)),
            interests=tuple(offering.interests), dietary=tuple(offering.dietary), cuisine=offering.cuisine.casefold(),
            wheelchair=offering.wheelchair,
            rating=float(offering.rating or vendor.rating), category=vendor.vendor_type, offering_id=offering.pk,
            vendor_id=vendor.pk, vendor_name=vendor.name, vendor_rating=float(vendor.rating),
        )
        slots = slots_by_offering.get(offering.pk, [])
        if slots:
            reason = _slot_windows(cand, slots, offering, trip, convert)
            if reason:
                left.append(LeftOut(offering.title, reason))
                continue
        elif offering.opening_hours:
            cand.windows = hours_windows(cand, offering.opening_hours, trip, None)
        else:
            left.append(LeftOut(offering.title, _("no free slot during the trip")))
            continue
        if not cand.windows:
            left.append(LeftOut(offering.title, _("closed on the trip dates")))
            continue
        out.append(cand)
    return out, left


def _slot_windows(cand: Candidate, slots: list[Slot], offering: Offering, trip: Trip, convert: Converter) -> str:
    """Fill the candidate's point windows from usable slots; return why none is usable."""
    notice = trip.now + dt.timedelta(hours=offering.vendor.min_notice_hours)
    seats = seats_needed(offering, trip.party)
    windows: dict[dt.date, list[Window]] = {}
    too_soon = full = 0
    for slot in slots:
        if slot.start < notice:
            too_soon += 1
            continue
        if slot.capacity_available < seats or slot.is_stale:
            full += 1
            continue
        local = slot.start.astimezone(trip.tz)
        minute = local.hour * 60 + local.minute
        if (local.date(), minute) in cand.slots:
            continue
        cand.slots[(local.date(), minute)] = slot.pk
        cand.slot_prices[(local.date(), minute)] = convert(*party_quote(offering, slot, trip.party, now=trip.now))
        windows.setdefault(local.date(), []).append((minute, minute))
        if len(cand.slots) == 1:  # the first slot's quote stands for the offering (budget, scoring)
            cand.price = cand.slot_prices[(local.date(), minute)]
    cand.windows = {day: tuple(sorted(w)) for day, w in windows.items()}
    if cand.windows:
        return ""
    if too_soon and not full:
        return _("needs %(hours)d h notice") % {"hours": offering.vendor.min_notice_hours}
    return _("no free slot for %(n)d people") % {"n": trip.party}


def place_candidates(trip: Trip, convert: Converter) -> tuple[list[Candidate], list[LeftOut]]:
    """Platform points of interest around the destination, from their opening hours."""
    out, left = [], []
    for place in Place.objects.filter(**_near_box(trip)):
        if not _within(trip, place.lat, place.lon):
            continue
        kind = "meal" if place.category in MEAL_CATEGORIES else "activity"
        duration = max(30, min(place.typical_visit_min, 90)) if kind == "meal" else place.typical_visit_min
        cand = Candidate(
            key=f"place:{place.pk}", title=place.name, kind=kind, lat=place.lat, lon=place.lon,
            duration=duration, windows={}, indoor=place.indoor,
            price=convert(place.price * trip.party, place.currency) if place.price else None,
            interests=tuple(place.interests), dietary=tuple(place.dietary), cuisine=place.cuisine.casefold(),
            wheelchair={"yes": True, "no": False}.get(place.wheelchair), category=place.category,
            place_id=place.pk,
        )
        cand.windows = hours_windows(cand, place.opening_hours, trip, (place.lat, place.lon))
        if place.category == "viewpoint" or "photography" in place.interests:
            golden_hour(cand, trip)
        if not cand.windows:
            left.append(LeftOut(place.name, _("closed on the trip dates")))
            continue
        out.append(cand)
    return out, left


def golden_hour(cand: Candidate, trip: Trip) -> None:
    """Keep only the days and start times at which the visit ends in the last light before
    sunset (``astral``), and say so; unchanged when it is never open then."""
    golden, said = {}, ""
    for day, ranges in cand.windows.items():
        sunset = sun_times(cand.lat, cand.lon, day, trip.time_zone).sunset
        if sunset is None:
            continue
        at = sunset.hour * 60 + sunset.minute
        lo, hi = at - cand.duration - GOLDEN_SLACK, at - cand.duration
        fits = tuple((max(a, lo), min(b, hi)) for a, b in ranges if max(a, lo) <= min(b, hi))
        if fits:
            golden[day] = fits
            said = said or f"{sunset:%H:%M}"
    if golden:
        cand.windows = golden
        cand.notes.append(_("timed for golden hour: the light is best before sunset (%(time)s)") % {"time": said})


def event_candidates(trip: Trip, convert: Converter, wanted: Collection[str]) -> list[Candidate]:
    """The provider's events during the trip that match the traveler's interests, each at
    its start time, with the event named in its reasoning and its tickets as a tip."""
    out = []
    for event in trip.events:
        matched = [i for i in event.interests if i in set(wanted)]
        if (not event.is_event or event.start_time is None or event.lat is None or event.lon is None or not matched
                or event.date not in trip.days or not _within(trip, event.lat, event.lon)):
            continue
        minute = event.start_time.hour * 60 + event.start_time.minute
        cand = Candidate(key=f"event:{event.date.isoformat()}:{event.name}"[:120], title=event.name, kind="activity",
                         lat=event.lat, lon=event.lon, duration=EVENT_MINUTES,
                         windows={event.date: ((minute, minute),)}, price=None, indoor=False,
                         interests=tuple(event.interests), category=EVENT_CATEGORY)
        cand.notes.append(_("an event on your dates: %(name)s at %(venue)s") % {"name": event.name,
                                                                                  "venue": event.venue or event.name})
        if event.url:
            cand.tips.append(_("Tickets: %(url)s") % {"url": event.url})
        out.append(cand)
    return out


def accessible(cands: list[Candidate], trip: Trip) -> tuple[list[Candidate], list[LeftOut]]:
    """Drop what a wheelchair user cannot enter; flag what is not confirmed."""
    if not trip.wheelchair:
        return cands, []
    keep, left = [], []
    for cand in cands:
        if cand.wheelchair is False:
            left.append(LeftOut(cand.title, _("not wheelchair accessible"), cand.score))
            continue
        if cand.wheelchair is None:
            cand.notes.append(_("wheelchair access not confirmed: check before going"))
        keep.append(cand)
    return keep, left


SAME_SPOT_KM = 0.03


def not_sold_by_vendors(places: list[Candidate], offers: list[Candidate]) -> list[Candidate]:
    """Places not sold by a vendor of the same name at the same spot: such a sight is
    planned once, through its bookable offering, which takes the place's kind (a museum,
    a garden rather than the vendor's "attraction") so that a day's sights vary."""
    out = []
    for place in places:
        seller = next((o for o in offers if o.vendor_name == place.title and o.kind == place.kind
                       and haversine_km(o.location, place.location) <= SAME_SPOT_KM), None)
        if seller is None:
            out.append(place)
        elif seller.kind == "activity":
            seller.category = place.category
    return out


def collect(trip: Trip, *, exclude_offering_ids: Collection[int] = (), interests: Collection[str] = ()
            ) -> tuple[list[Candidate], list[LeftOut]]:
    """All candidates of a trip (offerings, places, events matching ``interests``) after the
    accessibility filter."""
    convert = Converter(trip.currency)
    cands, left = offering_candidates(trip, convert, exclude_offering_ids=exclude_offering_ids)
    places, closed = place_candidates(trip, convert)
    cands, refused = accessible(cands + not_sold_by_vendors(places, cands) + event_candidates(trip, convert, interests),
                                trip)
    return cands, left + closed + refused
