"""Bookings for tests: rows placed without the engine (set-up for reads, pages and live
feeds), or requested through it (set-up for the vendor's side of the flow)."""
from __future__ import annotations

from apps.accounts.models import User
from apps.coordination.models import Booking
from apps.coordination.services.bookings import booking_request
from apps.vendors.models import Confirmation, Offering, Slot, Vendor

from . import make_booking_state, make_offering, make_slot, make_vendor


def make_booking(state, *, slot: Slot | None = None, offering: Offering | None = None, quantity: int = 1,
                 **fields) -> Booking:
    """A booking row of ``state`` on ``slot`` (or on ``offering`` without a slot), priced
    at the slot's (or offering's) price × ``quantity``. Test set-up only: no event, no
    seats taken, status ``requested`` unless given."""
    offering = offering or slot.offering
    unit = slot.price if slot is not None else offering.base_price
    values = dict(vendor=offering.vendor, offering=offering, slot=slot, quantity=quantity, price=unit * quantity,
                  currency=slot.currency if slot is not None else offering.currency)
    values.update(fields)
    return Booking.objects.create(state=state, **values)


def make_vendor_booking(state, vendor_user: User) -> Booking:
    """A requested booking for 2 of ``vendor_user``'s vendor (made if missing) on a new
    slot of 10 whose availability already counts the 2 held seats."""
    vendor = Vendor.objects.filter(user=vendor_user).first() or make_vendor(user=vendor_user)
    slot = make_slot(make_offering(vendor), capacity=10, capacity_available=8)
    return make_booking(state, slot=slot, quantity=2)


def request_booking(*, vendor: Vendor | None = None, confirmation: str = Confirmation.INSTANT, quantity: int = 1,
                    start=None, capacity: int = 4, state=None) -> Booking:
    """A booking requested through the engine by the traveler of ``state`` (default: a new
    request in phase booking) on a new slot of ``vendor`` (default: a new vendor that
    confirms by ``confirmation``)."""
    vendor = vendor or make_vendor(confirmation=confirmation)
    slot = make_slot(make_offering(vendor), capacity=capacity, start=start)
    state = state or make_booking_state()
    return booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=slot.pk, quantity=quantity)
