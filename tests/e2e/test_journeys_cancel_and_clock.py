"""Browser journeys (d) and (e) of issue 13: the traveler cancels one booking and then the
whole trip, with the refunds previewed and then given; the periodic trip task starts and
completes a trip while the traveler's page follows live."""
from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.flow_tasks import advance_trips
from apps.coordination.models import Booking, CoordinationState
from apps.coordination.phases import BookingStatus, Phase
from apps.vendors.models import Slot
from tests.e2e.test_journeys import assert_not_reloaded, mark_page, wait_for_live
from tests.factories import make_booking_state, make_user, make_vendor
from tests.factories.bookings import request_booking

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TOKYO = ZoneInfo("Asia/Tokyo")
TIERS = [{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}]


def run_periodic_task(now: dt.datetime | None = None) -> dict:
    """``advance_trips`` as the worker runs it: in a thread of its own (the main thread runs
    Playwright's event loop, where publishing after commit cannot block)."""
    done = {}
    worker = threading.Thread(target=lambda: done.update(advance_trips(now)))
    worker.start()
    worker.join()
    return done


def _refund_shown(page) -> Decimal:
    return Decimal(page.locator("[data-refund-total]").inner_text().split()[0])


def test_traveler_cancels_a_booking_then_the_trip_and_gets_the_refunds_previewed(login):
    traveler = make_user(Role.TRAVELER, first_name="Alex")
    state = make_booking_state(traveler)
    soon = request_booking(vendor=make_vendor(name="Sumo Mornings", cancellation_tiers=TIERS), quantity=2,
                           state=state, start=timezone.now() + dt.timedelta(days=2))
    later = request_booking(vendor=make_vendor(name="Yanaka Walks", cancellation_tiers=TIERS), state=state,
                            start=timezone.now() + dt.timedelta(days=10))
    for booking in (soon, later):
        confirm_instant_booking(booking.pk)

    me = login(traveler)
    me.goto(f"/traveler/requests/{state.request_id}/")
    me.locator(f"[data-live-booking='{soon.pk}']").get_by_role("link", name="Cancel…").click()
    expect(me.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    previewed = _refund_shown(me)
    assert previewed == Decimal("50.00")  # 50 % of 100 JPY, two days before
    me.get_by_role("button", name="Yes, cancel this booking").click()
    expect(me.get_by_text("Booking cancelled.")).to_be_visible()
    soon.refresh_from_db()
    assert (soon.status, soon.refund_amount) == (BookingStatus.CANCELLED, previewed)

    me.get_by_role("link", name="Cancel this trip…").click()
    expect(me.get_by_role("heading", name="Cancel the whole trip?")).to_be_visible()
    expect(me.locator("[data-cancel-booking]")).to_have_count(1)
    previewed = _refund_shown(me)
    me.fill("#cancel-reason", "Plans changed")
    me.get_by_role("button", name="Yes, cancel my trip").click()
    expect(me.get_by_text("Your trip is cancelled")).to_be_visible()
    expect(me.locator("[data-live-phase]")).to_have_text(re.compile("cancelled", re.I))
    later.refresh_from_db()
    assert (later.status, later.refund_amount) == (BookingStatus.CANCELLED, previewed)
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.CANCELLED
    expect(me.get_by_role("link", name="Cancel this trip…")).to_have_count(0)


def test_the_periodic_task_starts_and_completes_a_trip_live(login):
    traveler = make_user(Role.TRAVELER, first_name="Alex")
    state = make_booking_state(traveler)
    today = timezone.now().astimezone(TOKYO).date()
    type(state.request).objects.filter(pk=state.request_id).update(start_date=today, end_date=today)
    tour = request_booking(state=state, start=timezone.now() + dt.timedelta(minutes=30))
    confirm_instant_booking(tour.pk)
    # Test setup: the morning tour is over by now.
    Slot.objects.filter(pk=tour.slot_id).update(start=timezone.now() - dt.timedelta(hours=3),
                                               end=timezone.now() - dt.timedelta(hours=1))

    me = login(traveler, viewport={"width": 375, "height": 800})
    me.goto(f"/traveler/requests/{state.request_id}/")
    expect(me.locator("[data-live-phase]")).to_have_text(re.compile("confirmed", re.I))
    wait_for_live(me)
    mark_page(me)

    assert run_periodic_task() == {"started": 1, "bookings_completed": 1, "completed": 0}
    expect(me.locator("[data-live-phase]")).to_have_text(re.compile("in progress", re.I))
    assert Booking.objects.get(pk=tour.pk).status == BookingStatus.COMPLETED
    assert run_periodic_task(timezone.now() + dt.timedelta(days=2)) == {"started": 0, "bookings_completed": 0,
                                                                         "completed": 1}
    expect(me.locator("[data-live-phase]")).to_have_text(re.compile("completed", re.I))
    assert_not_reloaded(me)

    me.goto("/traveler/notifications/")
    expect(me.get_by_text("How was Tokyo? Reviews are open").first).to_be_visible()
