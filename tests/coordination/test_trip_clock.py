"""The periodic trip task (``advance_trips``): trips start on their first local day and
complete after their last, in the destination's zone; bookings complete once they ended;
travelers are asked for reviews once."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.flow_tasks import advance_trips
from apps.coordination.models import Booking, CoordinationState, Event
from apps.coordination.notifications import notify_event
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.schedules import PERIODIC
from apps.coordination.services.reviews import review_submit
from tests.factories import make_booking_state, make_offering, make_slot, make_vendor
from tests.factories.bookings import request_booking

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def _confirmed_trip(first: dt.date, last: dt.date, time_zone: str = "Asia/Tokyo"):
    state = make_booking_state()
    state.request.__class__.objects.filter(pk=state.request_id).update(start_date=first, end_date=last,
                                                                       time_zone=time_zone)
    booking = request_booking(state=state, start=timezone.now() + dt.timedelta(hours=1))
    confirm_instant_booking(booking.pk)
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.CONFIRMED
    return state, booking


def _phase(state) -> str:
    return CoordinationState.objects.get(pk=state.pk).phase


def test_trips_start_and_complete_by_the_local_date_of_their_destination():
    first = dt.date(2031, 4, 10)
    tokyo, tour = _confirmed_trip(first, first + dt.timedelta(days=2))
    lisbon, _tour = _confirmed_trip(first, first + dt.timedelta(days=2), "Europe/Lisbon")
    # 9 April 20:00 UTC: already 10 April 05:00 in Tokyo, still 9 April 21:00 in Lisbon.
    evening = dt.datetime(2031, 4, 9, 20, tzinfo=dt.UTC)
    assert advance_trips(evening)["started"] == 1
    assert (_phase(tokyo), _phase(lisbon)) == (Phase.IN_PROGRESS, Phase.CONFIRMED)
    assert advance_trips(evening)["started"] == 0  # idempotent

    # 12 April 16:00 UTC: 13 April in Tokyo (its last day is over), 12 April in Lisbon (the last day).
    later = dt.datetime(2031, 4, 12, 16, tzinfo=dt.UTC)
    done = advance_trips(later)
    assert (_phase(tokyo), _phase(lisbon)) == (Phase.COMPLETED, Phase.IN_PROGRESS)
    assert done["completed"] == 1 and done["started"] == 1
    asked = Event.objects.get(state=tokyo, type="review.requested")
    assert asked.payload["destination"] == tokyo.request.destination and asked.actor_id is None
    notify_event(asked.pk)  # what the relay does after commit
    assert set(tokyo.request.traveler.notifications.filter(event=asked).values_list("title", flat=True)) == {
        f"How was {tokyo.request.destination}? Reviews are open"}  # in-app and e-mail

    advance_trips(dt.datetime(2031, 4, 13, 16, tzinfo=dt.UTC))  # a day later in Lisbon too
    assert _phase(lisbon) == Phase.COMPLETED
    advance_trips(dt.datetime(2031, 4, 14, tzinfo=dt.UTC))
    assert Event.objects.filter(state=tokyo, type="review.requested").count() == 1  # asked once
    review_submit(state_id=tokyo.pk, actor=tokyo.request.traveler, target="vendor", rating=5, vendor_id=tour.vendor_id)


def test_bookings_complete_once_they_ended_a_stay_after_its_last_night():
    state = make_booking_state()
    held = {"capacity": 4, "capacity_available": 3}  # test set-up: the bookings' seats are held
    tour = make_slot(make_offering(make_vendor()), start=timezone.now() - dt.timedelta(hours=3), **held)
    hotel = make_offering(make_vendor(vendor_type="hotel"), kind="stay", price_unit="night")
    nights = [make_slot(hotel, start=timezone.now() - dt.timedelta(hours=30) + dt.timedelta(days=n),
                        end=timezone.now() - dt.timedelta(hours=10) + dt.timedelta(days=n), **held) for n in range(2)]
    done_tour = Booking.objects.create(state=state, vendor=tour.offering.vendor, offering=tour.offering, slot=tour,
                                       status=BookingStatus.CONFIRMED, price=50, currency="JPY")
    stay = Booking.objects.create(state=state, vendor=hotel.vendor, offering=hotel, slot=nights[0],
                                  status=BookingStatus.CONFIRMED, price=100, currency="JPY")
    stay.nights.set(nights)  # test set-up: the second night ends in 14 hours

    assert advance_trips()["bookings_completed"] == 1
    assert Booking.objects.get(pk=done_tour.pk).status == BookingStatus.COMPLETED
    assert Booking.objects.get(pk=stay.pk).status == BookingStatus.CONFIRMED
    assert advance_trips(timezone.now() + dt.timedelta(days=1))["bookings_completed"] == 1
    assert Booking.objects.get(pk=stay.pk).status == BookingStatus.COMPLETED
    assert Event.objects.filter(state=state, type="booking.completed").count() == 2


def test_the_task_is_scheduled():
    assert PERIODIC["trips-advance"][0] == "apps.coordination.flow_tasks.advance_trips"
