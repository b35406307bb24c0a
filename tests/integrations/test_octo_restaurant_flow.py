"""A restaurant whose tables are sold over OCTO (table slots as OCTO availability), end to
end against the fake supplier on a loopback port: its lunch and dinner slots become meals
of the plan, and approval holds the party's seats there (one unit per guest) until our
deadline, confirms them when the restaurant accepts, and cancels them on cancel."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.booking_tasks import sweep_supplier_bookings
from apps.coordination.models import Booking, SupplierReservation
from apps.coordination.phases import BookingStatus
from apps.coordination.services import itinerary
from apps.coordination.services.bookings import booking_cancel, booking_confirm
from apps.demo.octo_supplier import restaurant_tables
from apps.itineraries.models import Item
from apps.vendors.supplier import vendor_sync
from tests.factories import make_offering, make_request, make_user, make_vendor
from tests.fakes.octo_server import API_KEY, running

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("octo_fast")]
TOKYO = ZoneInfo("Asia/Tokyo")
Twin = SupplierReservation.Status


@pytest.fixture
def restaurant():
    """A party of three on a browse request, and a sushi counter selling its tables over OCTO."""
    traveler = make_user()
    state = make_request(traveler, path="browse", adults=3, interests=["food"])
    supplier = restaurant_tables(api_key=API_KEY, first_day=state.request.start_date, days=7)
    with running(supplier) as url:
        vendor = make_vendor(name="Ginza Sushi Counter", vendor_type="restaurant", inventory_adapter="octo",
                             octo_url=url, octo_api_key=API_KEY, confirmation="manual", response_deadline_hours=6,
                             lat=35.6717, lon=139.7650)
        make_offering(vendor, title="Omakase at the counter", kind="meal", duration_min=120, interests=["food"],
                      dietary=["vegetarian"], octo_product_id="ginza-sushi-counter", octo_unit_id="guest",
                      lat=35.6717, lon=139.7650)
        vendor_sync(vendor.pk, days=60)
        yield state, traveler, supplier, vendor


def test_a_restaurants_octo_tables_are_planned_as_meals_and_booked_there(restaurant):
    state, traveler, supplier, vendor = restaurant
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    state.refresh_from_db()
    meals = list(Item.objects.filter(day__itinerary=state.current_itinerary, offering__vendor=vendor))
    assert meals and all(item.kind == "meal" and item.slot_id for item in meals)
    assert {item.start.astimezone(TOKYO).time() for item in meals} <= {dt.time(12), dt.time(19)}

    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    booking = Booking.objects.filter(state=state, vendor=vendor).order_by("slot__start").first()
    assert booking.status == BookingStatus.PENDING and booking.quantity == 3  # the party, one seat each
    assert supplier.bookings == {}  # nothing asked under the lock

    sweep_supplier_bookings()
    twin = SupplierReservation.objects.get(booking=booking)
    held = supplier.bookings[twin.uuid]
    assert (twin.status, held["status"], held["availabilityId"]) == (Twin.ON_HOLD, "ON_HOLD", booking.slot.external_id)
    assert [unit["unitId"] for unit in held["unitItems"]] == ["guest"] * 3
    assert abs((twin.expires_at - booking.deadline).total_seconds()) < 60
    assert supplier.departures[booking.slot.external_id].vacancies == 5

    booking_confirm(booking_id=booking.pk, actor=vendor.user)  # the restaurant accepts the table
    sweep_supplier_bookings()
    assert held["status"] == "CONFIRMED" and SupplierReservation.objects.get(pk=twin.pk).status == Twin.CONFIRMED

    booking_cancel(booking_id=booking.pk, actor=traveler, reason="Dinner elsewhere")
    sweep_supplier_bookings()
    assert held["status"] == "CANCELLED" and supplier.departures[booking.slot.external_id].vacancies == 8
