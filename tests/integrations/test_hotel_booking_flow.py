"""A stay from the hotel provider's offer, booked at the provider on approval, end to end
against the fake Amadeus on a loopback port: one booking for all nights at the offer's
price, confirmed with the provider's reference, cancelled there under the offer's terms;
faults at the booking call are retried without booking twice; an offer that expired or
changed price is never booked: the traveler is told and the stay is planned again."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.coordination.booking_tasks import (confirm_stalled_instant_bookings, replan_after_fallthrough,
                                             sweep_supplier_bookings)
from apps.coordination.models import Booking, Event, SupplierReservation
from apps.coordination.phases import BookingStatus
from apps.coordination.services import itinerary
from apps.coordination.services.bookings import booking_cancel
from apps.exports.document import build_document
from apps.itineraries.models import Item
from apps.itineraries.planner.replan import Change, replan
from apps.itineraries.selectors import itinerary_serialize
from tests.factories import make_request, make_user
from tests.fakes import hotel_server

pytestmark = pytest.mark.django_db
Twin = SupplierReservation.Status


@pytest.fixture
def hotels(settings):
    """The fake provider, configured with short timeouts and no retries inside a call (the
    sweep is the retry)."""
    settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "octo": {
        **settings.TRAVELOURE_PROVIDERS["octo"], "give_up_after": 3}, "hotels": {
        **settings.TRAVELOURE_PROVIDERS["hotels"], "backend": "amadeus", "client_id": "id", "client_secret": "s",
        "options": {"timeout": 0.5, "retries": 0, "backoff": 0, "breaker_failures": 1000}}}
    with hotel_server.running() as (url, fake):
        settings.TRAVELOURE_PROVIDERS["hotels"]["url"] = url
        yield fake


@pytest.fixture
def approved(hotels):
    """A browse request whose approved plan stays at the provider's Ginza hotel."""
    traveler = make_user()
    state = make_request(traveler, path="browse", interests=["culture"], dietary_restrictions=[])
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    return state, traveler, Booking.objects.select_related("vendor", "offering").get(state=state)


def booked_there(fake) -> list[dict]:
    return list(fake["bookings"].values())


def stay_item(state) -> dict:
    state.refresh_from_db()
    data = itinerary_serialize(state.current_itinerary)
    (stay,) = [item for day in data["days"] for item in day["items"] if item["kind"] == "stay"]
    return stay


def test_approval_books_the_offer_at_the_provider_then_cancels_it_under_its_terms(approved, hotels):
    state, traveler, booking = approved
    assert booking.offering.title == "Mitsui Garden Hotel Ginza" and booking.vendor.inventory_adapter == "hotels"
    assert (booking.status, booking.quantity, booking.price, booking.currency, booking.slot_id) == (
        BookingStatus.REQUESTED, 1, Decimal("1432.20"), "USD", None)  # two adults: one room, every night
    twin = SupplierReservation.objects.get(booking=booking)
    assert twin.offer["offer_id"] == "OFFER-RTTYOGIN" and twin.expires_at == booking.deadline
    assert booked_there(hotels) == []  # nothing asked under the lock: the task does it after commit
    requested = Event.objects.get(state=state, type="booking.requested")
    assert requested.payload["offer"]["free_cancellation_until"].endswith("23:59:00+09:00")
    assert confirm_stalled_instant_bookings() == 0  # the provider confirms, not our timer

    assert sweep_supplier_bookings() == {"confirmed": 1}
    booking.refresh_from_db()
    (made,) = booked_there(hotels)
    assert booking.status == BookingStatus.CONFIRMED and booking.reference == made["providerConfirmationId"]
    assert stay_item(state)["booking"] == {"id": booking.pk, "status": "confirmed", "reference": "GINZA-0001"}
    state.refresh_from_db()
    document = build_document(state.current_itinerary)  # confirmations, calendar, PDF and budget read it
    (shown,) = document.bookings
    assert (shown.reference, shown.status, shown.offering, shown.price.amount) == (
        "GINZA-0001", "confirmed", "Mitsui Garden Hotel Ginza", Decimal("1432.20"))
    assert shown.policy.startswith("Booked through amadeus: free cancellation until")
    assert dict(document.budget.by_category)["Hotel"].amount == Decimal("1432.20")  # the booked price, in USD
    assert sweep_supplier_bookings() == {}  # settled

    booking_cancel(booking_id=booking.pk, actor=traveler, reason="Change of plans")
    booking.refresh_from_db()
    assert booking.refund_amount == Decimal("1432.20")  # before the free-cancellation deadline
    assert sweep_supplier_bookings() == {"cancelled": 1}
    assert made["bookingStatus"] == "CANCELLED" and len(booked_there(hotels)) == 1
    assert sweep_supplier_bookings() == {}


def bookings_page(client, traveler, state) -> str:
    client.force_login(traveler)
    return client.get(reverse("traveler:request_detail", args=[state.request_id])).content.decode()


@pytest.mark.parametrize("fault", ["timeout", "500", "lost"])
def test_a_failed_booking_call_says_why_and_is_retried_without_booking_twice(approved, hotels, fault, client):
    state, traveler, booking = approved
    hotels["faults"].append(("POST", "/v1/booking/hotel-bookings", fault))
    assert sweep_supplier_bookings() == {"retry": 1}
    twin = SupplierReservation.objects.get(booking=booking)
    assert twin.failures == 1 and twin.last_error.startswith("amadeus:")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED
    assert "Waiting for the booking system (amadeus: " in bookings_page(client, traveler, state)  # says why
    assert sweep_supplier_bookings() == {"confirmed": 1}
    assert len(booked_there(hotels)) == 1  # the lost one is found again by our key, not made twice
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    page = bookings_page(client, traveler, state)
    assert "GINZA-0001" in page and "Booked through amadeus: free cancellation until 2" in page


def test_a_booking_lost_on_the_way_then_cancelled_here_is_cancelled_there(approved, hotels):
    state, traveler, booking = approved
    hotels["faults"].append(("POST", "/v1/booking/hotel-bookings", "lost"))
    sweep_supplier_bookings()
    booking_cancel(booking_id=booking.pk, actor=traveler)
    assert sweep_supplier_bookings() == {"cancelled": 1}
    (made,) = booked_there(hotels)
    assert made["bookingStatus"] == "CANCELLED"


def test_a_provider_that_stays_down_is_surfaced_to_the_expert_once(approved, hotels):
    state, traveler, booking = approved
    hotels["down"] = True
    for _ in range(3):  # give_up_after
        assert sweep_supplier_bookings() == {"retry": 1}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED and booking.needs_manual_confirmation
    assert Event.objects.get(state=state, type="booking.supplier_trouble").payload["error"].startswith("amadeus: HTTP 503")
    hotels["down"] = False
    sweep_supplier_bookings()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED and len(booked_there(hotels)) == 1


def test_a_price_changed_at_booking_is_not_booked_the_stay_is_planned_again(approved, hotels,
                                                                            django_capture_on_commit_callbacks):
    state, traveler, booking = approved
    hotels["prices"]["RTTYOGIN"] = "1610.00"
    with django_capture_on_commit_callbacks() as callbacks:
        assert sweep_supplier_bookings() == {"rejected": 1}
    assert callbacks  # the re-plan task is queued after the decline's commit; run it here
    replan_after_fallthrough(booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and booked_there(hotels) == []
    assert "1,610.00" in booking.decline_reason or "1610.00" in booking.decline_reason
    declined = Event.objects.get(state=state, type="booking.declined")
    assert declined.payload["booking"]["decline_reason"] == booking.decline_reason  # the traveler hears why
    replanned = Event.objects.get(state=state, type="itinerary.replanned")
    assert replanned.payload["because"]["booking"] == booking.pk
    assert stay_item(state)["offer"]["price"] == {"amount": "1610.00", "currency": "USD"}  # proposed, not booked

    itinerary.itinerary_change_accept(state_id=state.pk, actor=traveler)  # the traveler takes the new price
    sweep_supplier_bookings()
    again = Booking.objects.exclude(pk=booking.pk).get(state=state)
    assert (again.status, again.price) == (BookingStatus.CONFIRMED, Decimal("1610.00"))


def test_an_offer_expired_before_booking_is_not_booked(approved, hotels):
    state, traveler, booking = approved
    SupplierReservation.objects.filter(booking=booking).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep_supplier_bookings() == {"expired": 1}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and "expired" in booking.decline_reason
    assert booked_there(hotels) == [] and "/v1/booking/hotel-bookings" not in hotels["calls"]


def test_an_offer_gone_at_booking_is_not_booked(approved, hotels):
    state, traveler, booking = approved
    hotels["gone"].add("RTTYOGIN")
    assert sweep_supplier_bookings() == {"rejected": 1}
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DECLINED and booked_there(hotels) == []
    assert Item.objects.filter(pk=booking.item_id).exists()


def test_re_planning_keeps_the_booked_stay_whatever_the_provider_offers_now(approved, hotels):
    state, traveler, booking = approved
    sweep_supplier_bookings()
    state.refresh_from_db()
    hotels["gone"].add("RTTYOGIN")  # a fresh search would now find only the other hotel
    cache.clear()
    plan, _changes = replan(state.current_itinerary, change=Change(), max_iterations=50)
    (stay,) = [item for day in plan.days for item in day.items if item.kind == "stay"]
    assert (stay.title, stay.offer["offer_id"], stay.price) == (
        "Mitsui Garden Hotel Ginza", "OFFER-RTTYOGIN", Decimal("1432.20"))
    assert stay.reasoning == "kept: booking confirmed"
