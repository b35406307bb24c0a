"""A live part of a page never takes what a person is typing: the vendor's answer form
keeps its text while a new request arrives on the same feed, and is sent as typed."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from apps.coordination.models import Booking
from apps.coordination.phases import BookingStatus
from apps.vendors.models import Confirmation
from tests.factories import make_vendor
from tests.factories.bookings import request_booking

from .test_journeys import wait_for_live

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_typed_answer_survives_a_live_update(login):
    vendor = make_vendor(name="Asakusa Rickshaw", confirmation=Confirmation.MANUAL)
    first = request_booking(vendor=vendor)
    shop = login(vendor.user)
    shop.goto("/vendor/")
    wait_for_live(shop)
    field = shop.locator(f"#booking-{first.pk} input[name$=reference]")
    field.fill("RICK-7781")

    made = []  # a new request reaches the vendor's feed; asked from a thread of its own, as a
    # worker or another web process would (this thread runs Playwright's event loop)
    asking = threading.Thread(target=lambda: made.append(request_booking(vendor=vendor)))
    asking.start()
    asking.join()
    [second] = made
    shop.wait_for_timeout(1500)  # a refresh would have landed by now
    expect(field).to_have_value("RICK-7781")
    expect(shop.locator(f"#booking-{second.pk}")).to_have_count(0)  # the part waits for the form

    shop.locator(f"#booking-{first.pk}").get_by_role("button", name="Accept").click()
    expect(shop.get_by_text(f"Booking #{first.pk} is now confirmed")).to_be_visible()
    first.refresh_from_db()
    assert (first.status, first.reference) == (BookingStatus.CONFIRMED, "RICK-7781")
    expect(shop.locator(f"#booking-{second.pk}")).to_be_visible()  # and the page is current again
    assert Booking.objects.filter(pk=second.pk, status=BookingStatus.PENDING).exists()
