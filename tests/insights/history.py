"""Building past histories through the real engine commands (test setup helpers)."""
import datetime as dt

from django.db.models import F
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import Booking, CoordinationState, Event
from apps.coordination.phases import Phase
from apps.coordination.services.bookings import (
    booking_cancel,
    booking_complete,
    booking_confirm,
    booking_decline,
    booking_expire,
    booking_request,
)
from apps.coordination.services.lifecycle import trip_complete, trip_start
from apps.vendors.models import Slot
from tests.factories import make_slot, make_user, phase_repair

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def staff():
    return make_user(Role.STAFF)


def book(state, offering, *, start=None) -> Booking:
    """The traveler requests one seat of a new slot of ``offering``."""
    slot = make_slot(offering, start=start)
    return booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=slot.pk, quantity=1)


def confirmed(state, offering, **kwargs) -> Booking:
    """Requested and confirmed (by the system for instant vendors, else by the vendor)."""
    booking = book(state, offering, **kwargs)
    actor = None if booking.status == "requested" else offering.vendor.user
    return booking_confirm(booking_id=booking.pk, actor=actor)


def completed(state, offering, **kwargs) -> Booking:
    """Confirmed, then (its start moved 60 days back, same time of day: setup) completed."""
    booking = confirmed(state, offering, **kwargs)
    back = dt.timedelta(days=60)
    Slot.objects.filter(pk=booking.slot_id).update(start=F("start") - back, end=F("end") - back)
    return booking_complete(booking_id=booking.pk, actor=offering.vendor.user)


def declined(state, offering) -> Booking:
    booking = book(state, offering)
    return booking_decline(booking_id=booking.pk, actor=offering.vendor.user, reason="Fully booked")


def expired(state, offering) -> Booking:
    booking = book(state, offering)
    Booking.objects.filter(pk=booking.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    return booking_expire(booking_id=booking.pk)


def cancelled(state, offering) -> Booking:
    booking = confirmed(state, offering)
    return booking_cancel(booking_id=booking.pk, actor=state.request.traveler, reason="Changed plans")


def finish_trip(state) -> CoordinationState:
    """Walk the request to completed with the phase commands."""
    actor = staff()
    phase = CoordinationState.objects.get(pk=state.pk).phase
    if phase in (Phase.PLANNING, Phase.BOOKING):
        phase_repair(state_id=state.pk, actor=actor, phase=Phase.CONFIRMED, reason="all set")
    trip_start(state_id=state.pk, actor=actor)
    return trip_complete(state_id=state.pk, actor=actor)


def at(state, event_type: str, when: dt.datetime, nth: int = 0) -> None:
    """Setup: the ``nth`` event of this type on the state happened at ``when``."""
    event = Event.objects.filter(state=state, type=event_type).order_by("version")[nth]
    Event.objects.filter(pk=event.pk).update(created_at=when)


def booking_at(booking, event_type: str, when: dt.datetime) -> None:
    """Setup: the booking's event of this type happened at ``when``."""
    event = next(e for e in Event.objects.filter(state_id=booking.state_id, type=event_type)
                 if e.payload["booking"]["id"] == booking.pk)
    Event.objects.filter(pk=event.pk).update(created_at=when)
