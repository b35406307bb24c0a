"""A vendor on its own OCTO system, end to end against the fake supplier on a loopback port:
plan, approval, hold with our deadline, confirmation, cancellation, and a fault at each
step (after which the sweep leaves both sides agreeing), supplier-side changes by sync and
by webhook."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.coordination.booking_tasks import confirm_stalled_instant_bookings, sweep_supplier_bookings
from apps.coordination.models import Booking, Event, SupplierReservation
from apps.coordination.phases import BookingStatus
from apps.coordination.services import browse, itinerary
from apps.coordination.services.bookings import booking_cancel, booking_confirm
from apps.demo.octo_supplier import signed_webhook
from apps.itineraries.planner.candidates import collect
from apps.itineraries.planner.service import trip_for
from apps.vendors.models import Slot
from apps.vendors.supplier import vendor_sync
from tests.factories import make_offering, make_request, make_user, make_vendor
from tests.fakes.octo_server import API_KEY, running, supplier_for_trip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("octo_fast")]

TOKYO = ZoneInfo("Asia/Tokyo")
Twin = SupplierReservation.Status


@pytest.fixture
def trip():
    """A browse request, and the fake supplier selling its first six days."""
    traveler = make_user()
    state = make_request(traveler, path="browse")
    supplier = supplier_for_trip(state.request.start_date, 6)
    with running(supplier) as url:
        yield state, traveler, supplier, url


def octo_vendor(url: str, *, confirmation: str = "manual"):
    vendor = make_vendor(name="Shinjuku Night Walks", inventory_adapter="octo", octo_url=url, octo_api_key=API_KEY,
                         octo_supplier_id="tokyo-fake", confirmation=confirmation, response_deadline_hours=6)
    make_offering(vendor, title="Shinjuku night food walk", kind="activity", duration_min=180, interests=["food"],
                  dietary=["vegetarian"], octo_product_id="tokyo-night-food-walk")
    vendor_sync(vendor.pk, days=60)
    return vendor


def plan_and_approve(state, traveler, vendor) -> Booking:
    offering = vendor.offerings.get()
    day = state.request.start_date + dt.timedelta(days=1)
    slot = Slot.objects.get(offering=offering, start=dt.datetime.combine(day, dt.time(17), TOKYO))
    browse.plan_item_add(state_id=state.pk, actor=traveler, offering_id=offering.pk, slot_id=slot.pk)
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    return Booking.objects.get(state=state)


def twin_of(booking):
    return SupplierReservation.objects.get(booking=booking)


def there(supplier, booking) -> str:
    return supplier.bookings[twin_of(booking).uuid]["status"]


def vacancies(supplier, booking) -> int:
    return supplier.departures[booking.slot.external_id].vacancies


def test_sync_writes_the_supplier_departures_as_slots(trip):
    state, traveler, supplier, url = trip
    vendor = octo_vendor(url)
    slots = Slot.objects.filter(offering__vendor=vendor).order_by("start")
    assert slots.count() == 6
    first = slots.first()
    assert (first.capacity_available, first.price, first.currency, first.external_id) == (
        12, 9500, "JPY", dt.datetime.combine(state.request.start_date, dt.time(17), TOKYO).isoformat())


def test_approval_holds_there_until_our_deadline_then_confirms_and_cancels(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url))
    assert booking.status == BookingStatus.PENDING and booking.quantity == 2
    assert supplier.bookings == {}  # nothing asked under the lock: the task does it after commit

    sweep_supplier_bookings()
    twin = twin_of(booking)
    assert (twin.status, there(supplier, booking)) == (Twin.ON_HOLD, "ON_HOLD")
    assert abs((twin.expires_at - booking.deadline).total_seconds()) < 60  # utcExpiresAt = our deadline
    assert vacancies(supplier, booking) == 10

    booking_confirm(booking_id=booking.pk, actor=booking.vendor.user)  # the vendor accepts the hold
    sweep_supplier_bookings()
    assert (twin_of(booking).status, there(supplier, booking)) == (Twin.CONFIRMED, "CONFIRMED")
    assert supplier.bookings[twin.uuid]["resellerReference"] == Booking.objects.get(pk=booking.pk).reference

    booking_cancel(booking_id=booking.pk, actor=traveler, reason="Change of plans")
    sweep_supplier_bookings()
    assert (twin_of(booking).status, there(supplier, booking)) == (Twin.CANCELLED, "CANCELLED")
    assert vacancies(supplier, booking) == 12
    assert sweep_supplier_bookings() == {}  # settled: nothing left to reconcile


def test_an_instant_vendor_is_confirmed_by_the_supplier_not_by_our_timer(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url, confirmation="instant"))
    assert booking.status == BookingStatus.REQUESTED
    Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert confirm_stalled_instant_bookings() == 0  # the supplier decides, not our stalled-instant sweep
    sweep_supplier_bookings()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and there(supplier, booking) == "CONFIRMED"


@pytest.mark.parametrize("fault", ["timeout", "500", "lost"])
def test_a_failed_hold_is_retried_and_never_doubled(trip, fault):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url, confirmation="instant"))
    supplier.fail("POST", "/bookings", fault, delay=1.0)
    assert sweep_supplier_bookings() == {"retry": 1}
    sweep_supplier_bookings()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and there(supplier, booking) == "CONFIRMED"
    assert len(supplier.bookings) == 1 and vacancies(supplier, booking) == 10  # one seat pair, not two


def test_a_confirm_that_fails_once_is_retried(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url, confirmation="instant"))
    supplier.fail("POST", "/bookings/", "500")  # the hold posts to "/bookings": only the confirm fails
    assert sweep_supplier_bookings() == {"retry": 1}
    assert twin_of(booking).status == Twin.ON_HOLD and Booking.objects.get(pk=booking.pk).status == "requested"
    sweep_supplier_bookings()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert there(supplier, booking) == "CONFIRMED"


def test_a_confirm_that_keeps_failing_is_surfaced_to_the_expert_then_the_hold_runs_out(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url, confirmation="instant"))
    supplier.fail("POST", "/bookings/", "500", times=99)
    for _ in range(3):  # give_up_after
        assert sweep_supplier_bookings() == {"retry": 1}
    booking.refresh_from_db()
    assert booking.needs_manual_confirmation and booking.status == BookingStatus.REQUESTED
    trouble = Event.objects.get(state=state, type="booking.supplier_trouble")
    assert trouble.payload["notify"] == "expert"
    sweep_supplier_bookings()
    assert Event.objects.filter(state=state, type="booking.supplier_trouble").count() == 1  # said once
    assert there(supplier, booking) == "ON_HOLD"

    supplier.expire_holds()  # our deadline passed there: the seats go back on both sides
    sweep_supplier_bookings()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and twin_of(booking).status == Twin.EXPIRED
    assert vacancies(supplier, booking) == 12
    assert Slot.objects.get(pk=booking.slot_id).capacity_available == 12
    assert sweep_supplier_bookings() == {}


def test_availability_gone_under_us_declines_ours_and_releases_the_seats(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url))
    held_here = Slot.objects.get(pk=booking.slot_id).capacity_available
    supplier.departures[booking.slot.external_id].vacancies = 1  # sold at their desk meanwhile
    sweep_supplier_bookings()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and twin_of(booking).status == Twin.REJECTED
    assert Slot.objects.get(pk=booking.slot_id).capacity_available == held_here + 2
    assert Event.objects.filter(state=state, type="booking.declined").exists()
    assert sweep_supplier_bookings() == {}


def test_a_failed_cancel_is_retried_until_their_seats_are_back(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url))
    sweep_supplier_bookings()
    supplier.fail("DELETE", "/bookings/", "timeout", delay=1.0)
    booking_cancel(booking_id=booking.pk, actor=traveler)
    assert sweep_supplier_bookings() == {"retry": 1}
    assert there(supplier, booking) == "ON_HOLD"
    sweep_supplier_bookings()
    assert there(supplier, booking) == "CANCELLED" and vacancies(supplier, booking) == 12


def test_a_seat_lost_there_after_we_confirmed_is_surfaced(trip):
    state, traveler, supplier, url = trip
    booking = plan_and_approve(state, traveler, octo_vendor(url))
    sweep_supplier_bookings()
    supplier.expire_holds()
    booking_confirm(booking_id=booking.pk, actor=booking.vendor.user)  # accepted too late
    sweep_supplier_bookings()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.needs_manual_confirmation
    assert Event.objects.filter(state=state, type="booking.supplier_trouble").count() == 1


def test_a_supplier_change_reaches_the_planner_within_one_sync(trip):
    state, traveler, supplier, url = trip
    vendor = octo_vendor(url)
    day = state.request.start_date + dt.timedelta(days=2)
    departure = dt.datetime.combine(day, dt.time(17), TOKYO).isoformat()
    supplier.set_vacancies(departure, 0)
    assert Slot.objects.get(offering__vendor=vendor, external_id=departure).capacity_available == 12
    vendor_sync(vendor.pk)
    assert Slot.objects.get(offering__vendor=vendor, external_id=departure).capacity_available == 0
    cands, _left = collect(trip_for(state.request))
    (candidate,) = [c for c in cands if c.offering_id == vendor.offerings.get().pk]
    assert day not in candidate.windows and len(candidate.windows) == 5


def test_a_signed_webhook_queues_a_sync(trip, client, django_capture_on_commit_callbacks):
    state, traveler, supplier, url = trip
    vendor = octo_vendor(url)
    raw, headers = signed_webhook({"event": "availability_update"}, vendor.webhook_secret)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/api/v1/octo-hooks/{vendor.pk}/", raw, content_type="application/json",
                               headers={k: v for k, v in headers.items() if k != "Content-Type"})
    assert response.status_code == 202 and response.json() == {"queued": "sync"}
    assert len(callbacks) == 1
    bad = client.post(f"/api/v1/octo-hooks/{vendor.pk}/", raw, content_type="application/json",
                      headers={"X-Traveloure-Timestamp": headers["X-Traveloure-Timestamp"],
                               "X-Traveloure-Signature": "sha256=00"})
    assert bad.status_code == 403
