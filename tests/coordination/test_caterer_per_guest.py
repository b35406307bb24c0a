"""A caterer priced per guest: one event per slot (the slot's capacity counts events, the
offering's ``max_guests`` caps the guests it serves), booked with ``quantity`` = the guests
of the wedding and priced per guest × guests (or at the total agreed on the shortlist)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.models import Booking
from apps.coordination.services import itinerary, weddings
from apps.coordination.services.bookings import booking_cancel, booking_request
from apps.core.errors import DomainError
from apps.requests.models import ExperienceRequest
from tests.factories import make_booking_state, make_offering, make_request, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def _caterer(day: dt.date):
    kitchen = make_vendor(name="Sapori di Fiesole Catering", vendor_type="caterer", city="Florence", country="IT",
                          lat=43.8066, lon=11.2936, time_zone="Europe/Rome")
    banquet = make_offering(kitchen, title="Tuscan wedding banquet", kind="service", price_unit="guest",
                            base_price=Decimal("85"), currency="EUR", max_guests=120, duration_min=240, interests=[])
    return banquet, make_slot(banquet, start=dt.datetime.combine(day, dt.time(13), ROME), capacity=1)


def _wedding(guests: int):
    state = make_booking_state(make_user())
    ExperienceRequest.objects.filter(pk=state.request_id).update(
        experience_type="wedding", destination="Florence", country="IT", time_zone="Europe/Rome", guest_count=guests)
    return state


def test_a_per_guest_caterer_books_every_guest_on_its_one_event():
    first = _wedding(80)
    banquet, slot = _caterer(first.request.start_date)

    booking = booking_request(state_id=first.pk, actor=first.request.traveler, slot_id=slot.pk, quantity=80)
    assert (booking.quantity, booking.price, booking.currency) == (80, Decimal("6800.00"), "EUR")
    slot.refresh_from_db()
    assert slot.capacity_available == 0  # the one event of the slot, whatever the guests

    other = _wedding(40)
    with pytest.raises(DomainError) as taken:
        booking_request(state_id=other.pk, actor=other.request.traveler, slot_id=slot.pk, quantity=40)
    assert taken.value.code == "booking.sold_out"

    booking_cancel(booking_id=booking.pk, actor=first.request.traveler)
    slot.refresh_from_db()
    assert slot.capacity_available == 1
    with pytest.raises(DomainError) as too_many:
        booking_request(state_id=other.pk, actor=other.request.traveler, slot_id=slot.pk, quantity=130)
    assert (too_many.value.code, too_many.value.fields) == ("booking.invalid", {"quantity": "At most 120."})


def test_approving_the_wedding_plan_books_the_caterer_for_the_guest_count_at_the_agreed_total():
    couple = make_user()
    state = make_request(couple, experience_type="wedding", destination="Florence", interests=[], guest_count=80,
                         path="browse", dietary_restrictions=[], currency="EUR")
    banquet, slot = _caterer(state.request.start_date)
    entry = weddings.shortlist_add(state_id=state.pk, actor=couple, offering_id=banquet.pk, category="caterer",
                                   slot_id=slot.pk)
    weddings.price_offer(state_id=state.pk, actor=couple, entry_id=entry.pk, amount=Decimal("6400"))
    weddings.price_offer(state_id=state.pk, actor=banquet.vendor.user, entry_id=entry.pk, amount=Decimal("6600"))
    weddings.price_accept(state_id=state.pk, actor=couple, entry_id=entry.pk)

    generated = itinerary.itinerary_generate(state_id=state.pk, actor=couple)
    [item] = [i for d in generated.current_itinerary.days.all() for i in d.items.all() if i.offering_id == banquet.pk]
    assert (item.price, item.currency) == (Decimal("6600.00"), "EUR")
    approved = itinerary.itinerary_approve(state_id=state.pk, actor=couple)
    assert approved.unbooked == []
    booking = Booking.objects.get(state=state, offering=banquet)
    assert (booking.quantity, booking.seats, booking.price) == (80, 1, Decimal("6600"))
    slot.refresh_from_db()
    assert slot.capacity_available == 0
