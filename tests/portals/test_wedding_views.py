"""A wedding through the portals: the couple shortlists and offers, the venue counters in
the vendor portal, the couple accepts and settles, the venue records the deposit; the
vendor's booking page shows whom it serves and the notes addressed to vendors."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import Booking, Event, ShortlistEntry
from apps.coordination.phases import BookingStatus
from apps.coordination.services import itinerary
from apps.coordination.services.bookings import booking_decline
from apps.requests.models import ExperienceRequest
from apps.vendors.models import Slot
from tests.factories import make_offering, make_request, make_slot, make_user, make_vendor
from tests.factories.bookings import make_booking

pytestmark = pytest.mark.django_db
LISBON = ZoneInfo("Europe/Lisbon")


@pytest.fixture
def wedding():
    couple = make_user(Role.TRAVELER, first_name="Ana", last_name="Costa", currency="USD")
    day = timezone.localdate() + dt.timedelta(days=60)
    state = make_request(couple, experience_type="wedding", destination="Lisbon", start_date=day, end_date=day,
                         interests=[], dietary_restrictions=[], guest_count=60, path="browse",
                         vendor_notes="Two vegan guests.")
    venue = make_vendor(name="Quinta Azul", vendor_type="venue", city="Lisbon", country="PT", lat=38.71,
                        lon=-9.16, time_zone="Europe/Lisbon", confirmation="manual")
    offering = make_offering(venue, title="Wedding day", kind="service", base_price=Decimal("8000"),
                             currency="EUR", price_unit="booking", duration_min=600, interests=[])
    slot = make_slot(offering, start=dt.datetime.combine(day, dt.time(11), LISBON), capacity=1)
    return state, couple, venue, slot


def test_shortlist_offers_settle_and_deposit_through_the_portals(client, wedding):
    state, couple, venue, slot = wedding
    rid = state.request_id
    client.force_login(couple)
    client.post(reverse("traveler:browse_add", args=[rid]), {"offering": slot.offering_id, "slot": slot.pk})
    entry = ShortlistEntry.objects.get(state=state)
    assert (entry.category, entry.slot_id) == ("venue", slot.pk)
    client.post(reverse("traveler:shortlist_offer", args=[rid, entry.pk]), {"amount": "7000", "note": "Weekday?"})

    client.force_login(venue.user)
    page = client.get(reverse("vendor:negotiations"))
    assert b"Ana Costa" in page.content and b"60 guests" in page.content and b"Accept 7,000.00 EUR" in page.content
    assert b"Two vegan guests" not in page.content  # no live booking yet: the notes stay hidden
    client.post(reverse("vendor:negotiation-offer", args=[entry.pk]), {"amount": "7500"})

    client.force_login(couple)
    page = client.get(reverse("traveler:shortlist", args=[rid]))
    assert b"Accept 7,500.00 EUR" in page.content and b"USD" in page.content  # both currencies side by side
    client.post(reverse("traveler:shortlist_accept", args=[rid, entry.pk]))
    entry.refresh_from_db()
    assert (entry.status, entry.agreed_price) == (ShortlistEntry.Status.AGREED, Decimal("7500"))

    itinerary.itinerary_generate(state_id=state.pk, actor=couple)
    itinerary.itinerary_approve(state_id=state.pk, actor=couple)
    booking = Booking.objects.get(state=state)
    assert booking.status == BookingStatus.PENDING
    assert b"Settle and book" in client.get(reverse("traveler:shortlist", args=[rid])).content
    client.post(reverse("traveler:shortlist_settle", args=[rid]), {"deposit_percent": "30", "balance_due_days": "14"})
    booking.refresh_from_db()
    assert (booking.status, booking.price) == (BookingStatus.CONFIRMED, Decimal("7500"))
    deposit, balance = booking.installments.all()
    assert (deposit.kind, deposit.amount, balance.amount) == ("deposit", Decimal("2250.00"), Decimal("5250.00"))

    client.force_login(venue.user)
    page = client.get(reverse("vendor:booking", args=[booking.pk]))
    assert b"Ana Costa" in page.content and b"Two vegan guests" in page.content and b"60 guests" in page.content
    client.post(reverse("vendor:installment-paid", args=[deposit.pk]))
    deposit.refresh_from_db()
    assert deposit.paid_at is not None
    assert Event.objects.filter(state=state, type="booking.payment_recorded").count() == 1

    client.force_login(couple)
    assert b"Paid" in client.get(reverse("traveler:request_detail", args=[rid])).content


def test_vendor_sets_the_schedule_and_another_vendor_cannot_touch_it(client, wedding):
    state, couple, venue, slot = wedding
    booking = make_booking(state, slot=slot, status=BookingStatus.CONFIRMED)
    client.force_login(venue.user)
    client.post(reverse("vendor:booking-schedule", args=[booking.pk]),
                {"deposit_percent": "100", "balance_due_days": "0"})
    [full] = booking.installments.all()
    assert (full.kind, full.amount) == ("full", Decimal("8000.00"))

    client.force_login(make_vendor().user)
    assert client.get(reverse("vendor:booking", args=[booking.pk])).status_code == 404
    assert client.post(reverse("vendor:installment-paid", args=[full.pk])).status_code == 404
    full.refresh_from_db()
    assert full.paid_at is None


def test_notes_for_vendors_are_the_travelers_and_only_live_bookings_show_them(client, wedding):
    state, couple, venue, slot = wedding
    client.force_login(couple)
    client.post(reverse("traveler:vendor_notes", args=[state.request_id]), {"vendor_notes": "  Arriving late.  "})
    assert ExperienceRequest.objects.get(pk=state.request_id).vendor_notes == "Arriving late."
    assert Event.objects.filter(state=state, type="request.vendor_notes_changed").count() == 1

    Slot.objects.filter(pk=slot.pk).update(capacity_available=0)  # the seat the pending booking holds
    booking = make_booking(state, slot=slot, status=BookingStatus.PENDING)
    client.force_login(venue.user)
    assert b"Arriving late." in client.get(reverse("vendor:booking", args=[booking.pk])).content
    booking_decline(booking_id=booking.pk, actor=venue.user, reason="Booked that day")
    assert b"Arriving late." not in client.get(reverse("vendor:booking", args=[booking.pk])).content


def test_wizard_asks_what_a_wedding_needs(client):
    couple = make_user(Role.TRAVELER)
    client.force_login(couple)
    day = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    client.post(reverse("traveler:request_create"), {
        "experience_type": "wedding", "destination": "Lisbon", "start_date": day, "end_date": day, "adults": "2",
        "children": "0", "guest_count": "80", "ceremony": "on", "date_flexibility": "month", "style": "rustic",
        "budget_min": "10000", "budget_max": "20000", "currency": "EUR", "pace": "moderate",
        "accommodation": "none", "path": "browse", "notes": "", "vendor_notes": "No nuts, please."})
    request = ExperienceRequest.objects.get(traveler=couple)
    assert request.event == {"ceremony": True, "reception": False, "date_flexibility": "month", "style": "rustic"}
    assert (request.guest_count, request.vendor_notes) == (80, "No nuts, please.")
    page = client.get(reverse("traveler:request_detail", args=[request.pk]))
    assert b"Rustic" in page.content and b"Within a month" in page.content


def test_browse_of_a_wedding_lists_its_suppliers_with_free_times(client, wedding):
    state, couple, venue, slot = wedding
    make_offering(make_vendor(name="Lisbon Tours", city="Lisbon", country="PT", time_zone="Europe/Lisbon"),
                  title="Tram 28 ride", base_price=Decimal("20"), currency="EUR")
    client.force_login(couple)
    page = client.get(reverse("traveler:browse", args=[state.request_id]))
    assert [o.title for o, _slots in page.context["results"]] == ["Wedding day"]
    assert page.context["results"][0][1][0][0] == slot  # one booking needs one seat, not one per person
