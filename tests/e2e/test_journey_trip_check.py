"""The trip check in a real browser: the traveler sets an arrival at 22:05 on day 1 while
the plan has a dinner at 19:30 that day → the guard shows ``arrival.after_first_item``
with a "move the dinner" button on both open pages → one click moves it → the finding
disappears live on the expert's open page."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState
from apps.itineraries.models import Item
from tests.e2e.test_journeys import assert_not_reloaded, mark_page, wait_for_live
from tests.factories import make_expert, make_user
from tests.factories.trips import make_trip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_a_late_arrival_moves_the_dinner_live(login):
    traveler = make_user(Role.TRAVELER, first_name="Emma")
    trip = make_trip(traveler=traveler)
    expert = make_expert(user=make_user(Role.EXPERT, first_name="Aiko", last_name="Tanaka"))
    CoordinationState.objects.filter(pk=trip.state.pk).update(expert=expert, expert_accepted_at=timezone.now())
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    request_id = trip.state.request_id

    pro = login(expert.user)
    pro.goto(f"/expert/requests/{request_id}/")
    wait_for_live(pro)
    panel = pro.locator("#trip-check")
    expect(panel.get_by_text("Everything fits")).to_be_visible()
    mark_page(pro)

    me = login(traveler)
    me.goto(f"/traveler/requests/{request_id}/")
    wait_for_live(me)
    mine = me.locator("#trip-check")
    mine.get_by_text("Your arrival and departure").click()
    mine.locator("#arrival-at").fill(trip.at(0, 22, 5).strftime("%Y-%m-%dT%H:%M"))
    mine.locator("#arrival-place").fill("NRT")
    mine.locator("#arrival-reference").fill("TP1234")
    mine.get_by_role("button", name="Save and check").click()

    finding = mine.locator("[data-check='arrival.after_first_item']")
    expect(finding).to_contain_text("22:05")
    button = finding.get_by_role("button", name="Move Izakaya dinner")
    expect(button).to_be_visible()
    expect(pro.locator("#trip-check [data-check='arrival.after_first_item']")).to_be_visible()  # live
    _shot(pro, "trip-check-expert-1280")
    _shot(me, "trip-check-1280")
    me.set_viewport_size({"width": 375, "height": 800})
    _shot(me, "trip-check-375")
    mine.get_by_text("Your arrival and departure").click()  # the form, open, fits the narrow screen
    expect(mine.locator("#arrival-place")).to_have_value("NRT")
    _shot(me, "trip-check-form-375")
    me.set_viewport_size({"width": 1280, "height": 900})

    button.click()
    expect(pro.locator("#trip-check [data-check='arrival.after_first_item']")).to_have_count(0)
    expect(pro.locator("#trip-check").get_by_text("Everything fits")).to_be_visible()
    assert_not_reloaded(pro)
    expect(mine.get_by_text("Everything fits")).to_be_visible()
    state = CoordinationState.objects.get(pk=trip.state.pk)
    dinner = Item.objects.get(day__itinerary=state.current_itinerary, title="Izakaya dinner")
    assert dinner.start == trip.at(1, 19, 30) and state.checks == []


FLIGHT = Path(__file__).resolve().parent.parent / "imports" / "fixtures" / "airline_jsonld.eml"


def test_an_imported_flight_moves_the_dinner_live(login, tmp_path):
    """The acceptance journey: the traveler imports the airline's e-mail for a flight that
    lands at 22:05 on day 1 while the plan has a dinner at 19:30 that day."""
    traveler = make_user(Role.TRAVELER, first_name="Emma")
    trip = make_trip(traveler=traveler)
    expert = make_expert(user=make_user(Role.EXPERT, first_name="Aiko", last_name="Tanaka"))
    CoordinationState.objects.filter(pk=trip.state.pk).update(expert=expert, expert_accepted_at=timezone.now())
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    day0 = trip.at(0, 0).date()
    email = tmp_path / "your-flight.eml"  # the fixture's flight, on this trip's first day
    email.write_text(FLIGHT.read_text().replace("2027-03-15", day0.isoformat())
                     .replace("2027-03-14", (day0 - dt.timedelta(days=1)).isoformat()))
    request_id = trip.state.request_id

    pro = login(expert.user)
    pro.goto(f"/expert/requests/{request_id}/")
    wait_for_live(pro)
    expect(pro.locator("#trip-check").get_by_text("Everything fits")).to_be_visible()
    mark_page(pro)

    me = login(traveler)
    me.goto(f"/traveler/requests/{request_id}/")
    wait_for_live(me)
    panel = me.locator("#elsewhere")
    panel.get_by_label("Add a booking you made elsewhere").set_input_files(str(email))
    panel.get_by_role("button", name="Read the confirmation").click()
    me.locator(".import-preview").get_by_role("button", name="Add to the trip").click()

    finding = pro.locator("#trip-check [data-check='arrival.after_first_item']")  # live on the expert's page
    expect(finding).to_contain_text("22:05")
    mine = me.locator("#trip-check [data-check='arrival.after_first_item']")
    mine.get_by_role("button", name="Move Izakaya dinner").click()
    expect(finding).to_have_count(0)
    expect(pro.locator("#trip-check").get_by_text("Everything fits")).to_be_visible()
    assert_not_reloaded(pro)
    state = CoordinationState.objects.get(pk=trip.state.pk)
    assert state.checks == [] and Item.objects.get(day__itinerary=state.current_itinerary,
                                                   title="Izakaya dinner").start == trip.at(1, 19, 30)
