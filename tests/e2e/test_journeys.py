"""The acceptance journeys in a real browser against the real ASGI server: pages, forms,
engine, WebSockets and live.js together. Each open page is marked before the change it
waits for, and the mark is checked after: the update arrived without a reload."""
from __future__ import annotations

import datetime as dt
import time
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.coordination.models import Booking
from apps.coordination.phases import BookingStatus
from apps.coordination.services.bookings import booking_request, vendor_respond
from apps.coordination.models import CoordinationState
from apps.integrations.currency import rate
from apps.itineraries.models import Item
from tests.factories import (make_booking_state, make_expert, make_hotel, make_offering, make_place, make_request,
                             make_slot, make_user, make_vendor)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TOKYO = ZoneInfo("Asia/Tokyo")
NIGHTS = 4


def mark_page(page) -> None:
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def wait_for_live(page, timeout: float = 10.0) -> None:
    """Wait until live.js opened its feed and applied the first snapshot. Polled from here:
    ``page.wait_for_function`` evaluates its predicate with ``eval`` in the page, which the
    Content-Security-Policy (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate("() => !!(window.TraveloureLive && window.TraveloureLive.length"
                            " && window.TraveloureLive.every(f => f.socket && f.socket.readyState === 1))"):
        assert time.monotonic() < deadline, "the live feed did not open"
        page.wait_for_timeout(50)


def test_travel_request_to_live_vendor_confirmation(login):
    traveler = make_user(Role.TRAVELER, first_name="Alex", time_zone="America/New_York")
    expert = make_expert(user=make_user(Role.EXPERT, first_name="Aiko", last_name="Tanaka"))
    vendor = make_vendor(name="Asakusa Rickshaw", confirmation="manual")
    tour = make_offering(vendor, title="Rickshaw ride", interests=["culture"], duration_min=60)
    start = timezone.now().astimezone(TOKYO).date() + dt.timedelta(days=30)
    slot = make_slot(tour, start=dt.datetime.combine(start + dt.timedelta(days=1), dt.time(10), TOKYO))

    # The traveler asks through the wizard, step by step.
    me = login(traveler)
    me.goto("/traveler/requests/new/")
    me.fill("#id_destination", "Tokyo")
    me.fill("#id_start_date", start.isoformat())
    me.fill("#id_end_date", (start + dt.timedelta(days=3)).isoformat())
    me.click("fieldset[data-step='0'] [data-step-next]")
    me.fill("#id_adults", "2")
    me.click("fieldset[data-step='1'] [data-step-next]")
    me.click("fieldset[data-step='2'] [data-step-next]")  # getting there: optional, skipped
    me.fill("#id_budget_min", "2000")
    me.fill("#id_budget_max", "4000")
    me.select_option("#id_currency", "USD")
    me.click("fieldset[data-step='3'] [data-step-next]")
    me.check("input[name=interests][value=culture]")
    me.click("fieldset[data-step='4'] [data-step-next]")
    me.click("fieldset[data-step='5'] button[type=submit]")
    me.wait_for_url(re.compile(r"/traveler/requests/\d+/$"))
    request_id = int(re.search(r"/requests/(\d+)/", me.url).group(1))

    # … and picks the expert among the top matches.
    me.get_by_role("button", name="Choose Aiko Tanaka").click()
    expect(me.get_by_text("Waiting for Aiko Tanaka")).to_be_visible()

    # The expert accepts, writes the recommendation and sends it.
    pro = login(expert.user)
    pro.goto("/expert/")
    pro.locator(f"form[action='/expert/requests/{request_id}/accept/'] button").click()
    pro.goto(f"/expert/requests/{request_id}/recommendation/")
    pro.fill("#id_items-0-title", "Rickshaw ride")
    pro.select_option("#id_items-0-offering", str(tour.pk))
    pro.fill("#id_items-0-day", (start + dt.timedelta(days=1)).isoformat())
    pro.fill("#id_items-0-start_time", "10:00")
    pro.check("#id_items-0-pinned")
    pro.fill("#id_items-0-reasoning", "Asakusa before the crowds")
    pro.get_by_role("button", name="Save draft").click()
    pro.get_by_role("button", name="Send version 1").click()

    # The traveler's open page shows the recommendation live, and they approve it.
    expect(me.get_by_text("Asakusa before the crowds")).to_be_visible()
    me.locator(".rec-item").first.get_by_role("button", name="Approve").click()
    expect(me.locator(".rec-item .badge.approved")).to_be_visible()

    # The expert plans the itinerary; the traveler approves it (the vendor is asked).
    pro.goto(f"/expert/requests/{request_id}/")
    pro.get_by_role("button", name="Generate itinerary").click()
    expect(pro.locator(".day-card").first).to_be_visible()
    pro.get_by_role("button", name="Send to Alex").click()
    me.goto(f"/traveler/requests/{request_id}/itinerary/")
    me.get_by_role("button", name="Approve this plan").click()
    booking = Booking.objects.get(state__request_id=request_id)
    assert (booking.status, booking.slot_id) == (BookingStatus.PENDING, slot.pk)
    chip = me.locator(f"[data-live-booking='{booking.pk}']").first
    expect(chip).to_have_attribute("data-status", "pending")
    wait_for_live(me)
    mark_page(me)

    # The manual-review vendor accepts in the vendor portal …
    shop = login(vendor.user)
    shop.goto("/vendor/")
    shop.locator(f"#booking-{booking.pk}").get_by_role("button", name="Accept").click()
    expect(shop.get_by_text(f"Booking #{booking.pk} is now confirmed")).to_be_visible()

    # … and the traveler's open itinerary shows the confirmation and its reference.
    expect(me.locator(f"[data-live-booking='{booking.pk}']").first).to_have_attribute("data-status", "confirmed")
    booking.refresh_from_db()
    expect(me.locator("[data-booking-reference]").first).to_have_text(booking.reference)
    assert_not_reloaded(me)


def _same_local_day_soon(tz: ZoneInfo) -> dt.datetime:
    """A start a few minutes from now that is still today in ``tz``."""
    start = timezone.now() + dt.timedelta(minutes=5)
    return start if start.astimezone(tz).date() == timezone.now().astimezone(tz).date() else timezone.now()


def test_wedding_vendor_check_in_shows_live(login):
    rome = ZoneInfo("Europe/Rome")
    couple = make_user(Role.TRAVELER, first_name="Giulia")
    planner = make_expert(destinations=["Florence"], specializations=["wedding"], time_zone="Europe/Rome")
    state = make_booking_state(couple, expert=planner, phase="booking")  # test setup: planned and approved
    # Test setup only: the event is today (make_booking_state plans 30 days ahead).
    type(state.request).objects.filter(pk=state.request_id).update(
        experience_type="wedding", destination="Florence", country="IT", time_zone="Europe/Rome",
        start_date=timezone.now().astimezone(rome).date(), guest_count=80)
    florist = make_vendor(name="Fiori di Firenze", vendor_type="florist", city="Florence", country="IT",
                          time_zone="Europe/Rome", confirmation="manual", lat=43.77, lon=11.25)
    flowers = make_offering(florist, title="Ceremony flowers", kind="service", base_price=Decimal("900"),
                            currency="EUR", price_unit="booking", duration_min=120)
    slot = make_slot(flowers, start=_same_local_day_soon(rome), capacity=1)
    booking = booking_request(state_id=state.pk, actor=planner.user, slot_id=slot.pk, quantity=1)
    vendor_respond(booking_id=booking.pk, vendor=florist, channel="api", action="accept", dedupe_key="e2e",
                   payload={"reference": "FLOR-1"})

    me = login(couple)
    me.goto(f"/traveler/requests/{state.request_id}/")
    row = me.locator(f"[data-live-booking='{booking.pk}']")
    expect(row).to_have_attribute("data-status", "confirmed")
    expect(me.get_by_text("Arrived")).to_have_count(0)
    wait_for_live(me)
    mark_page(me)

    shop = login(florist.user, viewport={"width": 375, "height": 800})
    shop.goto("/vendor/")
    shop.get_by_role("button", name="Check in").click()
    expect(shop.get_by_text(f"Checked in: booking #{booking.pk}")).to_be_visible()

    expect(me.locator(f"[data-live-booking='{booking.pk}']").get_by_text("Arrived")).to_be_visible()
    assert_not_reloaded(me)


def settle(page) -> None:
    """Wait until the page's live feed is open and its first fragment refreshes are done
    (the test server's in-memory SQLite does not let a write overlap those reads)."""
    wait_for_live(page)
    page.wait_for_load_state("networkidle")


def test_expert_reviews_the_draft_before_the_traveler_sees_it(login):
    """Expert path, Tokyo, 4 nights: the traveler's choice reaches the expert's open inbox
    live; the expert's draft stays theirs while they move one item and replace another by
    an alternative the planner left out (with why); once sent the traveler approves, the
    hotel is one booking of the 4 nights, every vendor item is booked (none is refused),
    and the vendor's acceptance shows on the traveler's open page."""
    traveler = make_user(Role.TRAVELER, first_name="Alex")
    expert = make_expert(user=make_user(Role.EXPERT, first_name="Aiko", last_name="Tanaka"))
    start = timezone.now().astimezone(TOKYO).date() + dt.timedelta(days=30)
    days = [start + dt.timedelta(days=n) for n in range(NIGHTS + 1)]
    hotel = make_hotel(start, nights=NIGHTS)
    rickshaw = make_offering(make_vendor(name="Asakusa Rickshaw", confirmation="manual"), title="Rickshaw ride",
                             interests=["culture"], duration_min=60)
    _early, late = (make_slot(rickshaw, start=dt.datetime.combine(days[1], dt.time(h), TOKYO)) for h in (10, 14))
    masterclass = make_offering(make_vendor(name="Ginza Sushi Academy"), title="Private sushi masterclass",
                                interests=["food"], base_price=Decimal("900000"), duration_min=120)
    for day in days:
        make_slot(masterclass, start=dt.datetime.combine(day, dt.time(11), TOKYO))
    for name in ("Meiji Jingu", "Tokyo National Museum", "Ueno Park"):
        make_place(name=name, category="religious_site" if name == "Meiji Jingu" else "museum")
    state = make_request(traveler, start_date=days[0], end_date=days[-1], accommodation="mid-range",
                         dietary_restrictions=[], budget_min=Decimal("1000"), budget_max=Decimal("4000"))
    rid = state.request_id
    assert state.request.nights == NIGHTS

    pro = login(expert.user)
    pro.goto("/expert/")
    wait_for_live(pro)
    mark_page(pro)
    me = login(traveler)
    me.goto(f"/traveler/requests/{rid}/")
    me.get_by_role("button", name="Choose Aiko Tanaka").click()
    inbox = pro.locator(f"form[action='/expert/requests/{rid}/accept/'] button")
    expect(inbox).to_be_visible()  # arrived on the open inbox, no reload
    assert_not_reloaded(pro)
    inbox.click()
    settle(pro)

    pro.goto(f"/expert/requests/{rid}/")
    settle(pro)
    pro.get_by_role("button", name="Generate itinerary").click()
    expect(pro.get_by_text("only you see it until you send it")).to_be_visible()
    settle(pro)
    me.goto(f"/traveler/requests/{rid}/itinerary/")
    expect(me.get_by_text("Aiko Tanaka is preparing your plan")).to_be_visible()
    assert CoordinationState.objects.get(pk=state.pk).current_itinerary_id is None

    draft = Item.objects.filter(day__itinerary__request_id=rid, day__itinerary__state="draft")
    ride = draft.get(offering=rickshaw)
    card = pro.locator(f"#item-{ride.pk}")
    card.get_by_text("Edit").click()
    card.locator("select[name=day]").select_option(days[1].isoformat())
    card.locator("input[name=time]").fill("14:00")
    card.get_by_role("button", name="Move", exact=True).click()
    expect(pro.get_by_text("Moved.")).to_be_visible()
    settle(pro)
    assert draft.get(pk=ride.pk).slot_id == late.pk

    shrine = draft.filter(place__name="Meiji Jingu").first() or draft.filter(place__isnull=False).first()
    card = pro.locator(f"#item-{shrine.pk}")
    card.get_by_text("Edit").click()
    expect(card.locator("select[name=entry]")).to_contain_text("Private sushi masterclass — over budget")
    card.locator("select[name=entry]").select_option(f"offering:{masterclass.pk}")
    card.get_by_role("button", name="Replace").click()
    expect(pro.get_by_text("Replaced.")).to_be_visible()
    settle(pro)
    assert draft.get(pk=shrine.pk).offering_id == masterclass.pk

    pro.get_by_role("button", name="Send to Alex").click()
    me.goto(f"/traveler/requests/{rid}/itinerary/")
    expect(me.locator(".item-title", has_text="Private sushi masterclass")).to_be_visible()
    me.get_by_role("button", name="Approve this plan").click()
    expect(me.get_by_text("Plan approved")).to_be_visible()
    itinerary = CoordinationState.objects.get(pk=state.pk).current_itinerary
    # The stay: one booking of the 4 nights, one room for two, held on each night.
    stay = Booking.objects.get(state=state, offering=hotel)
    assert (stay.quantity, stay.nights.count(), stay.item.kind) == (1, NIGHTS, "stay")
    assert (stay.price, stay.currency) == (Decimal("20000") * NIGHTS, "JPY")
    assert stay.item.price == (stay.price * rate("JPY", "USD")).quantize(Decimal("0.01"))  # the price approved
    # Every vendor item is booked (a refusal would be listed with its reason on the page).
    vendor_items = Item.objects.filter(day__itinerary=itinerary, offering__isnull=False)
    assert {"stay", "activity"} <= set(vendor_items.values_list("kind", flat=True))
    assert [i.title for i in vendor_items if not Booking.objects.filter(item=i).exists()] == []
    expect(me.get_by_text("could not be booked")).to_have_count(0)
    stay_chip = me.locator(f"[data-live-booking='{stay.pk}']").first
    expect(stay_chip).to_have_attribute("data-status", "confirmed")  # an instant hotel
    expect(me.locator("li.kind-stay [data-nights]")).to_have_text(f"{NIGHTS} nights")
    booking = Booking.objects.get(state=state, slot=late)
    expect(me.locator(f"[data-live-booking='{booking.pk}']").first).to_have_attribute("data-status", "pending")
    wait_for_live(me)
    mark_page(me)

    shop = login(rickshaw.vendor.user, viewport={"width": 375, "height": 800})
    shop.goto("/vendor/")
    shop.locator(f"#booking-{booking.pk}").get_by_role("button", name="Accept").click()
    expect(me.locator(f"[data-live-booking='{booking.pk}']").first).to_have_attribute("data-status", "confirmed")
    assert_not_reloaded(me)
