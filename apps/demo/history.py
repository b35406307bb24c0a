"""Past trips (completed, with itinerary, bookings and reviews), one open request and one
wedding under negotiation.

Past trips are historic demo data: intake refuses past dates and the live booking flow
needs future slots, so the request, its itinerary, bookings, payments and reviews are
written directly here. Every phase change still goes through engine commands (the
import events, ``expert_accept``, ``trip_start``, ``trip_complete``), so each past trip
has a normal, versioned event timeline.

Item times are the catalogue's local times in the destination's zone, stored in UTC.
Rows written now get the timestamps they would have had (``_backdate``): the request
two months before the trip, the events spread over planning, booking and the trip
itself, each booking a day before its confirmation, the reviews after the trip.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count

from apps.accounts.models import User
from apps.coordination import engine
from apps.coordination.models import Booking, CoordinationState, Event, HandledBy, PaymentInstallment, Review
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.services.bookings import booking_request
from apps.coordination.services.experts import expert_accept, expert_choose
from apps.coordination.services.intake import request_submit
from apps.coordination.services.itinerary import itinerary_approve, itinerary_generate, itinerary_send
from apps.coordination.services.lifecycle import trip_complete, trip_start
from apps.coordination.services.weddings import price_offer, shortlist_add
from apps.core.money import quantize
from apps.experts.models import BookingPreference, ConsultationSlot, Expert
from apps.integrations.currency import rate
from apps.integrations.geocoding import resolve_city
from apps.itineraries.models import Day, Item, Itinerary, ItineraryState, Place
from apps.requests.models import ExperienceRequest, ExperienceType, Path
from apps.requests.services import IntakeData
from apps.vendors.models import (
    Confirmation,
    Offering,
    PriceRule,
    PriceUnit,
    Slot,
    Vendor,
)

from .catalog import CURRENT_TRIP, PAST_TRIPS, REGIONS, PastTrip, Stop

OPEN_REQUEST_TITLE = "Tokyo food & culture week"
WEDDING_TITLE = "Our wedding in Lisbon"
UPCOMING_TITLE = "Tokyo weekend of temples and photography"
CHECK_OUT = dt.time(11, 0)
# Historic timeline, relative to the trip's first morning (local), one moment per event of
# ``_past_trip`` in version order: imported, expert accepted, booking phase, all booked.
PLANNING_TIMELINE = (dt.timedelta(days=-60), dt.timedelta(days=-59, hours=5), dt.timedelta(days=-45),
                     dt.timedelta(days=-25))
TRIP_BEGINS, TRIP_ENDS = dt.time(9, 0), dt.time(18, 0)
BOOKED_BEFORE_ITEM = dt.timedelta(days=30)
REQUESTED_BEFORE_CONFIRMED = dt.timedelta(days=1)
REVIEWED_AFTER_TRIP = dt.timedelta(days=2)


def ensure_past_trips(*, users: dict[str, User], experts: dict[str, Expert], staff: User, today: dt.date) -> None:
    """Each past trip of the catalogue that its traveler does not have yet (by title)."""
    for trip in PAST_TRIPS:
        traveler = users[trip.traveler]
        if not ExperienceRequest.objects.filter(traveler=traveler, title=trip.title).exists():
            _past_trip(trip, traveler, experts[trip.expert], staff, today)


def ensure_current_trip(*, users: dict[str, User], experts: dict[str, Expert], staff: User,
                        today: dt.date) -> None:
    """The trip under way (``CURRENT_TRIP``): booked and confirmed like a past trip, then
    started by the periodic trip task, as its first day has come."""
    trip = CURRENT_TRIP
    traveler = users[trip.traveler]
    if not ExperienceRequest.objects.filter(traveler=traveler, title=trip.title).exists():
        _past_trip(trip, traveler, experts[trip.expert], staff, today, ongoing=True)


def _past_trip(trip: PastTrip, traveler: User, expert: Expert, staff: User, today: dt.date, *,
               ongoing: bool = False) -> None:
    city = resolve_city(trip.region)
    start = today - dt.timedelta(days=trip.days_ago)
    request = ExperienceRequest.objects.create(
        traveler=traveler, experience_type=trip.experience_type, title=trip.title, destination=city.name,
        country=city.country, lat=city.lat, lon=city.lon, time_zone=city.time_zone, start_date=start,
        end_date=start + dt.timedelta(days=trip.nights), adults=trip.adults, budget_min=Decimal(trip.budget[0]),
        budget_max=Decimal(trip.budget[1]), currency=traveler.currency, interests=list(trip.interests),
        path=Path.EXPERT, guest_count=trip.guest_count)
    itinerary, items = _itinerary(trip, request, expert)
    state = CoordinationState.objects.create(request=request)
    with engine.command(state.pk, actor=staff) as cmd:
        cmd.set(expert=expert, current_itinerary=itinerary)
        cmd.record("request.imported", {
            "destination": request.destination, "experience_type": request.experience_type,
            "start": request.start_date.isoformat(), "end": request.end_date.isoformat(), "path": request.path,
            "expert": expert.pk, "itinerary": itinerary.version, "reason": "historic demo data"})
    expert_accept(state_id=state.pk, actor=expert.user)
    _imported(state, staff, Phase.BOOKING, "itinerary.approved",
              {"itinerary": itinerary.pk, "version": itinerary.version, "to_book": [], "phase": Phase.BOOKING})
    bookings = _bookings(trip, state, expert, items,
                         status=BookingStatus.CONFIRMED if ongoing else BookingStatus.COMPLETED)
    _imported(state, staff, Phase.CONFIRMED, "bookings.imported",
              {"bookings": [booking.pk for booking in bookings], "reason": "historic demo data"})
    if ongoing:
        trip_start(state_id=state.pk, actor=None)  # as the periodic trip task does on the first day
        _backdate(state, bookings, ongoing=True)
        return
    trip_start(state_id=state.pk, actor=staff)
    trip_complete(state_id=state.pk, actor=staff)
    _reviews(trip, state, traveler, expert, bookings)
    _backdate(state, bookings)


def _imported(state: CoordinationState, staff: User, phase: str, event_type: str, payload: dict) -> None:
    """One step of the historic timeline whose flow (approval, booking) was written directly above."""
    with engine.command(state.pk, actor=staff) as cmd:
        cmd.transition(phase)
        cmd.record(event_type, payload)


def _target(trip: PastTrip, stop: Stop) -> tuple[Offering | None, Place | None]:
    region = REGIONS[trip.region].name
    place = Place.objects.filter(city=region, name=stop.ref).first()
    if not stop.booked:
        return None, place
    return Offering.objects.select_related("vendor").get(vendor__city=region, vendor__name=stop.ref), place


def _itinerary(trip: PastTrip, request: ExperienceRequest, expert: Expert) -> tuple[Itinerary, list[tuple]]:
    """Version 1, approved, one day per date, each item at its stop's local time in the
    destination's zone (stored in UTC); returns it and ``(stop, item, offering)`` rows."""
    tz = ZoneInfo(request.time_zone)
    itinerary = Itinerary.objects.create(request=request, version=1, state=ItineraryState.APPROVED,
                                         author_role="expert", time_zone=request.time_zone, currency=request.currency)
    days = {n: Day.objects.create(itinerary=itinerary, date=request.start_date + dt.timedelta(days=n))
            for n in range(trip.nights + 1)}
    rows, total = [], Decimal("0")
    for position, stop in enumerate(trip.stops):
        offering, place = _target(trip, stop)
        start = dt.datetime.combine(days[stop.day].date, dt.time.fromisoformat(stop.time), tzinfo=tz)
        if offering and offering.price_unit == PriceUnit.PER_NIGHT:
            end = dt.datetime.combine(request.end_date, CHECK_OUT, tzinfo=tz)
        else:
            end = start + dt.timedelta(minutes=offering.duration_min if offering else place.typical_visit_min)
        price = _price(offering, stop, trip) if offering else None
        lat, lon = (place.lat, place.lon) if place else offering.location
        name = place.name if place else offering.vendor.name
        item = Item.objects.create(
            day=days[stop.day], position=position, kind=stop.kind, title=name, start=start, end=end,
            offering=offering, place=place, place_name=name, lat=lat, lon=lon, price=price, currency=offering.currency if offering else "",
            reasoning=f"Planned with {expert} for: {', '.join(trip.interests)}.")
        if price is not None:
            total += price * rate(offering.currency, request.currency, start.date())
        rows.append((stop, item, offering))
    itinerary.total = quantize(total)
    itinerary.save(update_fields=["total"])
    return itinerary, rows


def _price(offering: Offering, stop: Stop, trip: PastTrip) -> Decimal:
    units = {PriceUnit.PER_BOOKING: 1, PriceUnit.PER_NIGHT: stop.quantity * trip.nights}.get(
        offering.price_unit, stop.quantity)
    return quantize(offering.base_price * units)


def _bookings(trip: PastTrip, state: CoordinationState, expert: Expert, items: list[tuple], *,
              status: str = BookingStatus.COMPLETED) -> list[Booking]:
    """Bookings of the booked stops, confirmed then completed (historic rows, written
    already in ``status``); weddings get paid deposit and balance installments."""
    handled = HandledBy.EXPERT if expert.booking_preference == BookingPreference.HANDLE_ALL else HandledBy.TRAVELER
    booker = expert.user if handled == HandledBy.EXPERT else state.request.traveler
    bookings = []
    for n, (stop, item, offering) in enumerate(items, start=1):
        if offering is None:
            continue
        vendor = offering.vendor
        booked_at = item.start - BOOKED_BEFORE_ITEM
        booking = Booking.objects.create(
            state=state, vendor=vendor, offering=offering, item=item, quantity=stop.quantity,
            status=status, handled_by=handled, requested_by=booker,
            reference=f"{vendor.code}-{offering.title[:3].upper()}-{item.start:%Y%m%d}-{n:03d}",
            confirmed_by=vendor.user, confirmed_at=booked_at, price=item.price, currency=offering.currency,
            needs_manual_confirmation=vendor.confirmation == Confirmation.MANUAL)
        if trip.experience_type == "wedding":
            deposit = quantize(booking.price * Decimal("0.3"))
            PaymentInstallment.objects.bulk_create([
                PaymentInstallment(booking=booking, kind=PaymentInstallment.Kind.DEPOSIT, amount=deposit,
                                   currency=booking.currency, due_date=booked_at.date(), paid_at=booked_at),
                PaymentInstallment(booking=booking, kind=PaymentInstallment.Kind.BALANCE,
                                   amount=booking.price - deposit, currency=booking.currency,
                                   due_date=(item.start - dt.timedelta(days=14)).date(),
                                   paid_at=item.start - dt.timedelta(days=15)),
            ])
        bookings.append(booking)
    return bookings


def _reviews(trip: PastTrip, state: CoordinationState, traveler: User, expert: Expert,
             bookings: list[Booking]) -> None:
    rating, comment = trip.expert_review
    rows = [Review(state=state, author=traveler, target=Review.Target.EXPERT, expert=expert, rating=rating,
                   comment=comment)]
    by_vendor = {booking.vendor.name: booking.vendor for booking in bookings}
    rows += [Review(state=state, author=traveler, target=Review.Target.VENDOR, vendor=by_vendor[name], rating=rating,
                    comment=comment) for name, (rating, comment) in trip.vendor_reviews.items()]
    Review.objects.bulk_create(rows)


def _backdate(state: CoordinationState, bookings: list[Booking], *, ongoing: bool = False) -> None:
    """Historic demo data: give the rows just written the times of the trip's past
    (queryset updates, as ``auto_now_add`` fields cannot be set on create), so that
    timelines and metrics read like real history. Events get ``PLANNING_TIMELINE`` then
    the trip's first morning and last evening (local); bookings are requested a day
    before their confirmation; reviews follow the trip."""
    request = state.request
    tz = ZoneInfo(request.time_zone)
    begins = dt.datetime.combine(request.start_date, TRIP_BEGINS, tzinfo=tz)
    ends = dt.datetime.combine(request.end_date, TRIP_ENDS, tzinfo=tz)
    moments = [begins + offset for offset in PLANNING_TIMELINE] + ([begins] if ongoing else [begins, ends])
    events = list(Event.objects.filter(state=state).order_by("version").values_list("pk", flat=True))
    for pk, when in zip(events, moments, strict=True):
        Event.objects.filter(pk=pk).update(created_at=when)
    opened = moments[0]
    ExperienceRequest.objects.filter(pk=request.pk).update(created_at=opened, updated_at=ends)
    CoordinationState.objects.filter(pk=state.pk).update(created_at=opened, updated_at=ends)
    Itinerary.objects.filter(request=request).update(created_at=moments[1], updated_at=moments[2])
    for booking in bookings:
        Booking.objects.filter(pk=booking.pk).update(
            created_at=booking.confirmed_at - REQUESTED_BEFORE_CONFIRMED, updated_at=ends)
    Review.objects.filter(state=state).update(created_at=ends + REVIEWED_AFTER_TRIP)


def ensure_open_request(*, traveler: User, today: dt.date) -> CoordinationState:
    """The traveler's upcoming Tokyo week (expert path, in matching), through intake."""
    existing = CoordinationState.objects.filter(request__traveler=traveler, request__title=OPEN_REQUEST_TITLE).first()
    if existing:
        return existing
    start = today + dt.timedelta(days=30)
    return request_submit(traveler=traveler, data=IntakeData(
        destination="Tokyo", title=OPEN_REQUEST_TITLE, start_date=start, end_date=start + dt.timedelta(days=6),
        adults=2, budget_min=Decimal("3000"), budget_max=Decimal("5000"), currency=traveler.currency,
        interests=["food", "culture"], dietary_restrictions=["vegetarian"], path=Path.EXPERT,
        notes="First time in Japan; we love small restaurants and quiet temples."))


def ensure_upcoming_booking(*, traveler: User, expert: Expert, today: dt.date) -> CoordinationState:
    """Emma's upcoming Tokyo weekend, taken through the whole flow up to bookings: the demo
    ``vendor`` then has a request pending in its portal (its tour confirms manually)."""
    existing = CoordinationState.objects.filter(request__traveler=traveler, request__title=UPCOMING_TITLE).first()
    if existing:
        return existing
    start = today + dt.timedelta(days=12)
    state = request_submit(traveler=traveler, data=IntakeData(
        destination="Tokyo", title=UPCOMING_TITLE, start_date=start, end_date=start + dt.timedelta(days=2),
        adults=2, budget_min=Decimal("800"), budget_max=Decimal("2500"), currency=traveler.currency,
        interests=["culture", "history", "photography"], path=Path.EXPERT))
    expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    expert_accept(state_id=state.pk, actor=expert.user)
    itinerary_generate(state_id=state.pk, actor=expert.user)
    itinerary_send(state_id=state.pk, actor=expert.user)
    itinerary_approve(state_id=state.pk, actor=traveler)
    tour = Slot.objects.filter(offering__vendor__user__username="vendor", start__date__gte=start,
                               capacity_available__gte=2).order_by("start").first()
    if tour and not Booking.objects.filter(state=state, slot__offering=tour.offering).exists():
        booking_request(state_id=state.pk, actor=expert.user, slot_id=tour.pk, quantity=2)
    state.refresh_from_db()
    return state


def ensure_open_wedding(*, traveler: User, today: dt.date) -> CoordinationState:
    """The traveler's Lisbon wedding in six weeks (planned on their own), through intake:
    the venue of the ``vendor_lisbon`` login shortlisted for the day and its price under
    negotiation (the couple offered, the venue countered), a photographer shortlisted too."""
    existing = CoordinationState.objects.filter(request__traveler=traveler, request__title=WEDDING_TITLE).first()
    if existing:
        return existing
    day = today + dt.timedelta(days=42)
    state = request_submit(traveler=traveler, data=IntakeData(
        destination="Lisbon", title=WEDDING_TITLE, experience_type=ExperienceType.WEDDING, start_date=day,
        end_date=day, adults=2, guest_count=60, budget_min=Decimal("15000"), budget_max=Decimal("25000"),
        currency=traveler.currency, path=Path.BROWSE,
        event={"ceremony": True, "reception": True, "date_flexibility": "week", "style": "intimate"},
        vendor_notes="Two guests are vegan and one uses a wheelchair.",
        notes="A small wedding by the river, then dinner and fado."))
    venue = Slot.objects.filter(offering__vendor__user__username="vendor_lisbon", start__date=day).first()
    photographer = Offering.objects.filter(vendor__city="Lisbon", vendor__vendor_type="photographer").first()
    if venue is not None:
        entry = shortlist_add(state_id=state.pk, actor=traveler, offering_id=venue.offering_id, category="venue",
                              slot_id=venue.pk)
        price_offer(state_id=state.pk, actor=traveler, entry_id=entry.pk, amount=venue.offering.base_price * 85 / 100,
                    note="Could you do a weekday price?")
        price_offer(state_id=state.pk, actor=venue.offering.vendor.user, entry_id=entry.pk,
                    amount=venue.offering.base_price * 92 / 100, note="With the garden aperitivo included.")
    if photographer is not None:
        shortlist_add(state_id=state.pk, actor=traveler, offering_id=photographer.pk, category="photographer")
    state.refresh_from_db()
    return state


def counts() -> dict[str, int]:
    """What the demo database holds, for the command's summary."""
    return {
        "users": User.objects.count(),
        "experts": Expert.objects.count(),
        "consultation slots": ConsultationSlot.objects.count(),
        "places": Place.objects.count(),
        "vendors": Vendor.objects.count(),
        "vendor types": Vendor.objects.values("vendor_type").annotate(n=Count("id")).count(),
        "offerings": Offering.objects.count(),
        "price rules": PriceRule.objects.count(),
        "slots": Slot.objects.count(),
        "requests": ExperienceRequest.objects.count(),
        "bookings": Booking.objects.count(),
        "reviews": Review.objects.count(),
        "events": Event.objects.count(),
    }
