"""Browser journeys (b) and (c) of issue 13: a Lisbon trip planned on one's own (request →
browse → add → plan → approve → bookings), and a Lisbon wedding taken from the wizard to a
settled shortlist and a paid first installment, the venue answering in its portal. Pages
a phone shows are checked to fit 375 px."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.coordination.models import Booking, ShortlistEntry
from apps.coordination.phases import BookingStatus
from tests.e2e.test_journeys import settle
from tests.factories import make_offering, make_slot, make_user, make_vendor

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LISBON = ZoneInfo("Europe/Lisbon")
PHONE = {"width": 375, "height": 800}


def assert_fits(page) -> None:
    """Nothing sticks out sideways: the page is no wider than the viewport."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def lisbon_vendor(name: str, vendor_type: str, **kwargs):
    return make_vendor(name=name, vendor_type=vendor_type, city="Lisbon", country="PT", lat=38.71, lon=-9.14,
                       time_zone="Europe/Lisbon", **kwargs)


def wizard(page, *, kind: str, start: dt.date, end: dt.date, budget: tuple[str, str], step_two=None,
           accommodation: str = "mid-range") -> int:
    """Fill the request wizard for Lisbon on the browse path; returns the new request's id."""
    page.goto("/traveler/requests/new/")
    page.select_option("#id_experience_type", kind)
    page.fill("#id_destination", "Lisbon")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.click("fieldset[data-step='0'] [data-step-next]")
    page.fill("#id_adults", "2")
    if step_two:
        step_two(page)
    page.click("fieldset[data-step='1'] [data-step-next]")
    page.click("fieldset[data-step='2'] [data-step-next]")  # getting there: optional, skipped
    page.fill("#id_budget_min", budget[0])
    page.fill("#id_budget_max", budget[1])
    page.select_option("#id_currency", "USD")
    page.select_option("#id_accommodation", accommodation)
    page.click("fieldset[data-step='3'] [data-step-next]")
    page.click("fieldset[data-step='4'] [data-step-next]")
    page.get_by_text("Browse on my own").click()  # the path choice is a card: its label picks it
    expect(page.locator("#id_path_1")).to_be_checked()
    page.click("fieldset[data-step='5'] button[type=submit]")
    page.wait_for_url(re.compile(r"/traveler/requests/\d+/$"))
    return int(re.search(r"/requests/(\d+)/", page.url).group(1))


def test_lisbon_on_my_own_from_request_to_bookings(login):
    traveler = make_user(Role.TRAVELER, first_name="Rita", currency="USD")
    start = timezone.now().astimezone(LISBON).date() + dt.timedelta(days=30)
    tram = make_offering(lisbon_vendor("Tram 28 Walks", "tour"), title="Alfama by tram and on foot",
                         interests=["culture"], base_price=Decimal("25"), currency="EUR", duration_min=120)
    tram_slot = make_slot(tram, start=dt.datetime.combine(start + dt.timedelta(days=1), dt.time(10), LISBON))
    dinner = make_offering(lisbon_vendor("Tasca do Chico", "restaurant"), title="Fado dinner", kind="meal",
                           interests=["food"], base_price=Decimal("40"), currency="EUR", duration_min=120)
    dinner_slot = make_slot(dinner, start=dt.datetime.combine(start + dt.timedelta(days=1), dt.time(19, 30), LISBON))

    me = login(traveler, viewport=PHONE)
    rid = wizard(me, kind="travel", start=start, end=start + dt.timedelta(days=2), budget=("500", "2000"),
                 accommodation="none")
    expect(me.get_by_text("You plan this one yourself")).to_be_visible()
    expect(me.get_by_text("your expert")).to_have_count(0)
    assert_fits(me)

    me.get_by_role("link", name="Browse and add").click()
    card = me.locator("article.offering", has_text="Alfama by tram and on foot")
    card.locator("select[name=slot]").select_option(str(tram_slot.pk))
    card.get_by_role("button", name="Add to plan").click()
    expect(me.get_by_text("Added to your plan.")).to_be_visible()
    card = me.locator("article.offering", has_text="Fado dinner")
    card.locator("select[name=slot]").select_option(str(dinner_slot.pk))
    card.get_by_role("button", name="Add to plan").click()
    expect(me.get_by_text("Added to your plan.")).to_be_visible()
    assert_fits(me)

    me.get_by_role("button", name="Plan my days with these").click()
    expect(me.locator(".item-title", has_text="Alfama by tram and on foot")).to_be_visible()
    expect(me.locator(".item-title", has_text="Fado dinner")).to_be_visible()
    assert_fits(me)
    settle(me)
    me.get_by_role("button", name="Approve this plan").click()
    expect(me.get_by_text("Plan approved")).to_be_visible()
    me.reload()
    expect(me.locator(".item-title", has_text="Fado dinner").locator("..").locator(".home-price")).to_contain_text(
        "USD")  # booked in EUR, with USD beside it

    bookings = Booking.objects.filter(state__request_id=rid)
    assert {b.offering_id for b in bookings} == {tram.pk, dinner.pk}
    assert {b.status for b in bookings} == {BookingStatus.CONFIRMED}  # instant vendors
    me.goto(f"/traveler/requests/{rid}/")
    for booking in bookings:
        expect(me.locator(f"[data-live-booking='{booking.pk}']")).to_have_attribute("data-status", "confirmed")
    expect(me.locator(".bookings-total")).to_contain_text("USD")
    assert_fits(me)


def test_lisbon_wedding_to_a_settled_shortlist_and_a_paid_deposit(login):
    couple = make_user(Role.TRAVELER, first_name="Ana", last_name="Costa", currency="USD")
    day = timezone.now().astimezone(LISBON).date() + dt.timedelta(days=60)
    venue = lisbon_vendor("Quinta Azul", "venue", confirmation="manual",
                          user=make_user(Role.VENDOR, first_name="Marta"))
    wedding_day = make_offering(venue, title="Exclusive use for a wedding day", kind="service", interests=[],
                                base_price=Decimal("7800"), currency="EUR", price_unit="booking", duration_min=600)
    slot = make_slot(wedding_day, start=dt.datetime.combine(day, dt.time(11), LISBON), capacity=1)

    me = login(couple)

    def the_day(page):
        page.fill("#id_guest_count", "60")
        page.select_option("#id_style", "intimate")
        page.select_option("#id_date_flexibility", "week")

    rid = wizard(me, kind="wedding", start=day, end=day, budget=("15000", "25000"), step_two=the_day,
                 accommodation="none")
    expect(me.get_by_text("60 guests")).to_be_visible()
    expect(me.get_by_text("Intimate")).to_be_visible()

    me.get_by_role("link", name="Browse and add").click()
    card = me.locator("article.offering", has_text="Exclusive use for a wedding day")
    card.locator("select[name=slot]").select_option(str(slot.pk))
    card.get_by_role("button", name="Shortlist").click()
    me.get_by_role("link", name="Offers and prices").click()
    entry = ShortlistEntry.objects.get(state__request_id=rid)
    offer = me.locator(f"#entry-{entry.pk}")
    offer.locator("input[name=amount]").fill("7000")
    offer.locator("input[name=note]").fill("A weekday price?")
    offer.get_by_role("button", name="Send offer").click()
    expect(me.get_by_text("Offer sent.")).to_be_visible()

    shop = login(venue.user, viewport=PHONE)
    shop.goto("/vendor/negotiations/")
    ask = shop.locator(f"#entry-{entry.pk}")
    expect(ask).to_contain_text("Ana Costa")
    expect(ask).to_contain_text("60 guests")
    assert_fits(shop)
    ask.locator("input[name=amount]").fill("7400")
    ask.get_by_role("button", name="Send offer").click()
    expect(shop.get_by_text("Offer sent.")).to_be_visible()

    me.reload()
    me.get_by_role("button", name="Accept 7,400.00 EUR").click()
    expect(me.get_by_text("Price agreed.")).to_be_visible()

    me.get_by_role("link", name="Itinerary").click()
    me.get_by_role("button", name="Plan my days").click()
    expect(me.locator(".item-title", has_text="Exclusive use for a wedding day")).to_be_visible()
    settle(me)
    me.get_by_role("button", name="Approve this plan").click()
    expect(me.get_by_text("Plan approved")).to_be_visible()
    booking = Booking.objects.get(state__request_id=rid)
    assert booking.status == BookingStatus.PENDING

    me.get_by_role("link", name="Shortlist").click()
    me.get_by_role("button", name="Settle and book").click()
    expect(me.get_by_text("Booked at the agreed prices.")).to_be_visible()
    booking.refresh_from_db()
    assert (booking.status, booking.price, booking.currency) == (BookingStatus.CONFIRMED, Decimal("7400"), "EUR")
    deposit = booking.installments.get(kind="deposit")
    assert deposit.amount == Decimal("2220.00")

    shop.goto(f"/vendor/bookings/{booking.pk}/")
    expect(shop.get_by_text("Ana Costa")).to_be_visible()
    assert_fits(shop)
    shop.locator(f"#installment-{deposit.pk}").get_by_role("button", name="Mark paid").click()
    expect(shop.get_by_text("Payment recorded.")).to_be_visible()
    deposit.refresh_from_db()
    assert deposit.paid_at is not None

    phone = login(couple, viewport=PHONE)
    phone.goto(f"/traveler/requests/{rid}/shortlist/")
    expect(phone.locator(f"[data-live-booking='{booking.pk}'] .installments")).to_contain_text("Paid")
    assert_fits(phone)
