"""A booking made elsewhere, in a real browser: the traveler uploads an airline's
confirmation e-mail on the request page, checks the preview, adds it; the flight shows in
the panel, and live on the expert's open page (375 px) without a reload.
``IMPORT_SCREENSHOTS=<dir>`` also saves each step at 1280 and 375 px."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.coordination.models import CoordinationState, ExternalBooking
from tests.factories import make_booking_state, make_expert

from .test_journeys import assert_not_reloaded, mark_page, wait_for_live

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FIXTURES = Path(__file__).resolve().parent.parent / "imports" / "fixtures"


def _shot(page, name: str) -> None:
    folder = os.environ.get("IMPORT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator("#elsewhere").scroll_into_view_if_needed()
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_traveler_imports_a_flight_and_the_expert_sees_it_live(login):
    state = make_booking_state(expert=make_expert())
    CoordinationState.objects.filter(pk=state.pk).update(expert_accepted_at=state.created_at)

    pro = login(state.expert.user, viewport={"width": 375, "height": 800})
    pro.goto(f"/expert/requests/{state.request_id}/")
    wait_for_live(pro)
    mark_page(pro)
    expect(pro.locator("#elsewhere")).to_contain_text("Flights, hotels or tables you booked yourself")

    me = login(state.request.traveler)
    me.goto(f"/traveler/requests/{state.request_id}/")
    panel = me.locator("#elsewhere")
    expect(panel.get_by_label("Add a booking you made elsewhere")).to_be_visible()
    _shot(me, "1-upload-1280")
    panel.get_by_label("Add a booking you made elsewhere").set_input_files(str(FIXTURES / "airline_jsonld.eml"))
    mark_page(me)
    panel.get_by_role("button", name="Read the confirmation").click()

    preview = me.locator(".import-preview")
    expect(preview).to_contain_text("We found 1 booking in airline_jsonld.eml")
    expect(preview).to_contain_text("Sun 14 Mar 2027, 19:40 (Europe/Lisbon) → Mon 15 Mar 2027, 22:05 (Asia/Tokyo)")
    expect(preview).to_contain_text("TPX4Q7")
    assert ExternalBooking.objects.count() == 0
    _shot(me, "2-preview-1280")
    me.set_viewport_size({"width": 375, "height": 800})
    _shot(me, "2-preview-375")
    me.set_viewport_size({"width": 1280, "height": 900})

    preview.get_by_role("button", name="Add to the trip").click()
    expect(me.locator("#elsewhere [role=status]")).to_have_text("Added to your trip: Flight TP1234.")
    expect(me.locator("#elsewhere .elsewhere-list").first).to_contain_text("booked elsewhere")
    assert_not_reloaded(me)  # htmx swapped the panel
    _shot(me, "3-added-1280")
    assert ExternalBooking.objects.get().reference == "TPX4Q7"

    expect(pro.locator("#elsewhere .elsewhere-list")).to_contain_text("Flight TP1234")
    expect(pro.locator("#elsewhere .elsewhere-list")).to_contain_text("22:05 (Asia/Tokyo)")
    assert_not_reloaded(pro)
    _shot(pro, "4-expert-375")
