"""Live parts of a page as a person reads them: a part that starts as a placeholder loads
with the page even when the socket never brings its snapshot (a proxy that holds or
refuses WebSockets), and a status changed live reads as the page's word for it, not the
event's code."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.coordination.phases import BookingStatus
from apps.coordination.services.chat import message_post
from tests.factories import make_request
from tests.factories.trips import make_trip

from .test_journeys import wait_for_live

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_chat_loads_when_the_socket_stays_silent(login):
    state = make_request()
    traveler = state.request.traveler
    message_post(state_id=state.pk, actor=traveler, body="Can we start at ten?")
    page = login(traveler)
    page.route_web_socket("**/ws/**", lambda ws: None)  # accepted by the browser, never answered
    page.goto(f"/traveler/requests/{state.request_id}/chat/")
    expect(page.get_by_text("Can we start at ten?")).to_be_visible(timeout=5000)
    expect(page.get_by_text("Loading messages…")).to_have_count(0)


def test_the_trip_check_loads_when_the_socket_stays_silent(login):
    trip = make_trip()
    page = login(trip.state.request.traveler)
    page.route_web_socket("**/ws/**", lambda ws: None)
    page.goto(f"/traveler/requests/{trip.state.request_id}/")
    expect(page.locator("#trip-check")).not_to_contain_text("Checking the trip…", timeout=5000)


def test_a_status_set_live_reads_as_a_word(login):
    """The socket's snapshot sets every booking chip of the plan from its code (the days'
    refresh that follows is held back, so the chip shows what live.js wrote)."""
    trip = make_trip()
    booking = trip.booking(1, 14)  # confirmed
    page = login(trip.state.request.traveler)
    page.route("**/itinerary/?part=days", lambda route: route.abort())  # what the script wrote stays
    page.goto(f"/traveler/requests/{trip.state.request_id}/itinerary/")
    wait_for_live(page)
    chip = page.locator(f'[data-live-booking="{booking.pk}"]')
    expect(chip).to_have_attribute("data-status", "confirmed")
    page.wait_for_timeout(500)  # the snapshot has been applied
    expect(chip.locator("[data-live-text]")).to_have_text(str(BookingStatus.CONFIRMED.label))  # not "confirmed"
