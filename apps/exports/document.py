"""The read model every output renders: one itinerary version, localized and priced.

``build_document`` runs a fixed number of queries whatever the number of days or items.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.coordination.models import Booking, ExternalBooking
from apps.coordination.phases import BookingStatus
from apps.core.errors import NotFound
from apps.core.money import Money

from apps.itineraries.models import Day, Item, Itinerary
from .budget import Budget, Converter, CostLine, budget_breakdown
from .maps import MapPoint, day_map_svg, distance_km
from .support import ExpertContact, cancellation_policy_text, emergency_contacts, expert_contact, offer_policy_text

# Vendor contact edits are not coordination commands: a cached document shows them this late.
DOCUMENT_CACHE_SECONDS = 600
WALKING_KM = 1.2  # further than this we suggest public transport
# Which booking an item shows when it has several (a declined one, then a confirmed retry).
BOOKING_PRIORITY = [BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.PENDING, BookingStatus.REQUESTED]


@dataclass
class BookingView:
    id: int
    reference: str
    status: str
    status_label: str
    vendor: str
    vendor_email: str
    vendor_phone: str
    offering: str
    quantity: int
    price: Money  # what was booked (any discount already taken off)
    policy: str
    discount: Money | None = None  # taken off at booking (price rules), shown as such
    price_home: Money | None = None  # in the traveler's currency, when the vendor's differs


@dataclass
class ItemView:
    number: int
    uid: str
    kind: str
    kind_label: str
    title: str
    start: dt.datetime
    end: dt.datetime
    place: str
    address: str
    lat: float | None
    lon: float | None
    price: Money | None
    booking: BookingView | None
    travel_min: int
    directions: str
    requirements: list[str]
    tips: list[str]
    reasoning: str
    id: int | None = None  # the Item's, for the actions pages put next to it
    pinned: bool = False
    price_home: Money | None = None  # ``price`` in the traveler's currency, when it differs

    @property
    def nights(self) -> int:
        """A stay's nights (local dates from check-in to check-out); 0 for anything else."""
        return (self.end.date() - self.start.date()).days if self.kind == "stay" else 0


@dataclass
class DayView:
    number: int
    date: dt.date
    weather: dict
    notes: str
    items: list[ItemView]
    map_svg: str
    route: list = field(default_factory=list)  # street path [lat, lon] for the slippy map, when known

    @property
    def route_json(self) -> str:
        return json.dumps(self.route) if self.route else ""


@dataclass
class ExternalView:
    """A booking the traveler made elsewhere: shown with the plan, managed by no vendor
    here. ``start`` in the zone where it starts, ``end`` where it ends (a flight's airports)."""

    uid: str
    kind: str
    kind_label: str
    title: str
    start: dt.datetime
    end: dt.datetime | None
    place: str
    origin: str
    reference: str
    price: Money | None


def _external_view(booking: ExternalBooking) -> ExternalView:
    start_zone = ZoneInfo(booking.start_time_zone or booking.time_zone)
    return ExternalView(
        uid=f"traveloure-external-{booking.pk}", kind=booking.kind, kind_label=str(booking.get_kind_display()),
        title=booking.title, start=booking.starts_at.astimezone(start_zone),
        end=booking.ends_at.astimezone(ZoneInfo(booking.time_zone)) if booking.ends_at else None,
        place=booking.place_name, origin=booking.origin_name, reference=booking.reference,
        price=Money(booking.price, booking.currency) if booking.price is not None else None)


@dataclass
class Document:
    request_id: int
    version: int
    title: str
    destination: str
    country: str
    time_zone: str
    start_date: dt.date
    end_date: dt.date
    party: int
    traveler: str
    days: list[DayView]
    bookings: list[BookingView]
    expert: ExpertContact | None
    emergency: list[tuple[str, str]]
    budget: Budget
    generated_at: dt.datetime
    left_out: list = field(default_factory=list)
    data_notes: list[str] = field(default_factory=list)  # what the planner did without
    external: list[ExternalView] = field(default_factory=list)  # booked elsewhere, not managed here

    @property
    def file_stem(self) -> str:
        return file_stem(self.destination, self.version)

    @property
    def items(self) -> list[ItemView]:
        return [item for day in self.days for item in day.items]


def file_stem(destination: str, version: int) -> str:
    """Download name without extension: ``tokyo-v3``."""
    return f"{slugify(destination)}-v{version}"


def itinerary_for_request(request) -> Itinerary:
    """The request's current itinerary. Raises NotFound when none was proposed yet."""
    itinerary = request.coordination.current_itinerary
    if itinerary is None:
        raise NotFound(_("This request has no itinerary yet."), code="itinerary.not_found")
    return itinerary


def _load(itinerary_id: int) -> Itinerary:
    bookings = Booking.objects.select_related("vendor", "offering", "supplier_reservation").order_by("-created_at")
    items = (Item.objects.select_related("offering__vendor", "place")
             .prefetch_related(Prefetch("bookings", queryset=bookings)).order_by("start", "position"))
    return (Itinerary.objects.select_related("request__traveler", "request__coordination__expert__user")
            .prefetch_related(Prefetch("days", queryset=Day.objects.order_by("date").prefetch_related(
                Prefetch("items", queryset=items))))
            .get(pk=itinerary_id))


def _booking_view(booking: Booking, home: Converter) -> BookingView:
    # ``Booking.price`` is the quote's total: the discount is already taken off.
    return BookingView(
        id=booking.pk, reference=booking.reference or "", status=booking.status,
        status_label=str(booking.get_status_display()), vendor=booking.vendor.name, vendor_email=booking.vendor.email,
        vendor_phone=booking.vendor.phone, offering=booking.offering.title, quantity=booking.quantity,
        price=Money(booking.price, booking.currency),
        policy=_policy(booking),
        discount=Money(booking.discount, booking.currency) if booking.discount > 0 else None,
        price_home=home.money(booking.price, booking.currency),
    )


def _policy(booking: Booking) -> str:
    """The cancellation terms: a hotel provider's offer's own, else the vendor's tiers."""
    twin = getattr(booking, "supplier_reservation", None)  # selected with the booking
    if twin is not None and twin.offer:
        return offer_policy_text(twin.offer, booking.vendor.time_zone)
    return cancellation_policy_text(booking.vendor.cancellation_tiers)


def _pick_booking(item: Item) -> Booking | None:
    bookings = list(item.bookings.all())
    for status in BOOKING_PRIORITY:
        for booking in bookings:
            if booking.status == status:
                return booking
    return None


def _position(item: Item) -> tuple[float | None, float | None]:
    if item.lat is not None and item.lon is not None:
        return item.lat, item.lon
    if item.place is not None:
        return item.place.lat, item.place.lon
    if item.offering is not None:
        return item.offering.location
    return None, None


def _directions(minutes: int, previous: tuple | None, here: tuple) -> str:
    if not minutes:
        return ""
    if previous is None or None in previous or None in here:
        return _("%(min)d min from the previous stop") % {"min": minutes}
    km = distance_km(previous, here)
    if km <= WALKING_KM:
        return _("%(min)d min on foot (%(km).1f km)") % {"min": minutes, "km": km}
    return _("%(min)d min by public transport or taxi (%(km).1f km)") % {"min": minutes, "km": km}


def _address(item: Item, city: str) -> str:
    if item.offering is not None and item.offering.vendor.address:
        return item.offering.vendor.address
    if item.place is not None:
        name = item.place.name
    else:  # a vendor without an address: where it is, by its name
        name = item.offering.vendor.name if item.offering is not None else item.place_name
    return ", ".join(part for part in (name, city) if part)


def _uid(request_id: int, item: Item, day: dt.date, seen: dict) -> str:
    """Stable across versions while an item keeps its title and day, so calendar
    subscribers see an update rather than a delete and an add."""
    key = (day, item.title)
    seen[key] = seen.get(key, 0) + 1
    digest = hashlib.sha1(f"{day}|{item.title}|{seen[key]}".encode()).hexdigest()[:12]
    return f"r{request_id}-{day:%Y%m%d}-{digest}@traveloure"


def _cost_line(item: Item, booking: Booking | None, day: dt.date, itinerary: Itinerary) -> CostLine | None:
    vendor = booking.vendor if booking is not None else (item.offering.vendor if item.offering else None)
    category = str(vendor.get_vendor_type_display()) if vendor is not None else str(item.get_kind_display())
    if booking is not None and booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return CostLine(day, category, booking.price, booking.currency)
    if item.price is None:
        return None
    return CostLine(day, category, item.price, item.currency or itinerary.currency)


def build_document(itinerary: Itinerary, *, currency: str | None = None, rates_on: dt.date | None = None) -> Document:
    """Everything an output shows about ``itinerary``, times in the destination zone.

    ``currency`` defaults to the traveler's; ``rates_on`` (ECB rate date) to today.
    Reads only; raises DomainError (``currency.unsupported``) for a currency without ECB rates.
    """
    itinerary = _load(itinerary.pk)
    request = itinerary.request
    state = request.coordination
    tz = ZoneInfo(itinerary.time_zone or request.time_zone)
    home = Converter(currency or request.traveler.currency, rates_on or timezone.localdate())
    days, lines, bookings = [], [], []
    for number, day in enumerate(itinerary.days.all(), start=1):
        views, points, previous, seen = [], [], None, {}
        for index, item in enumerate(day.items.all(), start=1):
            here = _position(item)
            booking = _pick_booking(item)
            booking_view = _booking_view(booking, home) if booking is not None else None
            if booking_view is not None:
                bookings.append(booking_view)
            line = _cost_line(item, booking, day.date, itinerary)
            if line is not None:
                lines.append(line)
            views.append(ItemView(
                number=index, uid=_uid(request.pk, item, day.date, seen), kind=item.kind,
                kind_label=str(item.get_kind_display()), title=item.title, start=item.start.astimezone(tz),
                end=item.end.astimezone(tz), place=item.place.name if item.place else item.place_name,
                address=_address(item, request.destination), lat=here[0], lon=here[1],
                price=Money(line.amount, line.currency) if line is not None else None, booking=booking_view,
                travel_min=item.travel_from_previous_min,
                directions=_directions(item.travel_from_previous_min, previous, here),
                requirements=list(item.requirements or []), tips=list(item.tips or []), reasoning=item.reasoning,
                id=item.pk, pinned=item.pinned,
                price_home=home.money(line.amount, line.currency) if line is not None else None,
            ))
            if None not in here:
                points.append(MapPoint(index, *here))
            previous = here
        days.append(DayView(number=number, date=day.date, weather=day.weather or {}, notes=day.notes, items=views,
                            map_svg=day_map_svg(points), route=list(day.route or [])))
    traveler = request.traveler
    budget = budget_breakdown(
        lines, currency=home.currency, budget_min=request.budget_min, budget_max=request.budget_max,
        budget_currency=request.currency, on=home.on,
    )
    return Document(
        request_id=request.pk, version=itinerary.version, title=str(request), destination=request.destination,
        country=request.country, time_zone=str(tz), start_date=request.start_date, end_date=request.end_date,
        party=request.party_size, traveler=traveler.display_name(), days=days, bookings=bookings,
        expert=expert_contact(state.expert), emergency=emergency_contacts(request.country), budget=budget,
        generated_at=timezone.now().astimezone(tz), left_out=list(itinerary.left_out or []),
        data_notes=list(itinerary.data_notes or []),
        external=[_external_view(b) for b in ExternalBooking.objects.filter(state=state).order_by("starts_at", "pk")],
    )


def cached_document(itinerary_id: int, *, state_version: int, currency: str) -> Document:
    """:func:`build_document` of the request's current itinerary in ``currency``, cached per
    state version and day: an itinerary version never changes, and every change of its
    bookings, the expert or the request bumps the coordination state's version (the engine).
    Pages read it on every view; exports build afresh."""
    key = f"document:{itinerary_id}:{state_version}:{currency}:{timezone.localdate():%Y%m%d}"
    doc = cache.get(key)
    if doc is None:
        doc = build_document(Itinerary(pk=itinerary_id), currency=currency)
        cache.set(key, doc, DOCUMENT_CACHE_SECONDS)
    return dataclasses.replace(doc, generated_at=timezone.now().astimezone(ZoneInfo(doc.time_zone)))


def content_fingerprint(itinerary: Itinerary) -> str:
    """What a rendered file depends on beyond the (immutable) version: bookings, bookings
    made elsewhere and the expert."""
    bookings = (Booking.objects.filter(item__day__itinerary=itinerary).order_by("pk")
                .values_list("pk", "status", "reference", "price", "discount"))
    state = itinerary.request.coordination
    external = ExternalBooking.objects.filter(state=state).order_by("pk").values_list("pk", flat=True)
    raw = f"{itinerary.pk}|{itinerary.version}|{state.expert_id}|{list(bookings)}|{list(external)}"
    return hashlib.sha256(raw.encode()).hexdigest()
