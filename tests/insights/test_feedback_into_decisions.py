"""Metrics change decisions: matching order, the planner's choices, the alternative offered
after a decline."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.models import Event
from apps.coordination.services.bookings import booking_decline, booking_request
from apps.experts.matching import expert_matches
from apps.experts.models import ExpertMetrics
from apps.insights.metrics import experts_refresh, travelers_refresh, vendors_refresh
from apps.insights.selectors import planner_signals
from apps.itineraries.planner.service import plan_for_request
from apps.requests.services import traveler_profile_update
from tests.factories import (
    make_booking_state,
    make_expert,
    make_offering,
    make_past_client,
    make_request,
    make_slot,
    make_user,
    make_vendor,
)

from .history import completed, confirmed, declined

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)


def test_expert_metrics_change_the_matching_order():
    first, second = make_expert(), make_expert()
    request = make_request().request
    assert [m.expert for m in expert_matches(request)][:2] == [first, second]  # a tie: lower id first

    make_past_client(first, make_user(), rating=3)
    make_past_client(second, make_user(), rating=5)
    experts_refresh([first.pk, second.pk])
    assert [m.expert for m in expert_matches(request)][:2] == [second, first]

    # The maintained metric wins over the ad hoc figures (no event says 500 hours).
    ExpertMetrics.objects.filter(expert=second).update(response_avg_hours=Decimal("500"))
    matches = expert_matches(request)
    assert [m.expert for m in matches][:2] == [first, second]
    assert matches[1].response_hours == 500 and "Usually answers within 500 hours" in matches[1].performance


def _tour(name, vendor, interests=("culture",)):
    offering = make_offering(vendor, title=name, interests=list(interests))
    make_slot(offering, start=dt.datetime.combine(MON, dt.time(10), tzinfo=TZ))
    return offering


def _chosen(request, signals):
    plan = plan_for_request(request, weather={}, max_iterations=300, signals=signals)
    return {i.title for d in plan.days for i in d.items if i.kind == "activity"}


def _trip_request(traveler=None):
    return make_request(traveler, start_date=MON, end_date=MON, interests=["culture"], dietary_restrictions=[],
                        accommodation="none").request


@pytest.mark.parametrize("unreliable", ["A", "B"])
def test_vendor_reliability_from_history_changes_the_plan(unreliable):
    """Two identical tours at the same time: the vendor whose past requests were declined loses."""
    vendors = {"A": make_vendor(confirmation="manual"), "B": make_vendor(confirmation="manual")}
    tours = {name: _tour(f"Tour {name}", vendor) for name, vendor in vendors.items()}
    past = make_booking_state()
    for name, vendor in vendors.items():
        (declined if name == unreliable else confirmed)(past, tours[name])
    vendors_refresh([v.pk for v in vendors.values()])
    request = _trip_request()
    signals = planner_signals(request)
    assert signals["reliability"][vendors[unreliable].pk] == 0.0
    reliable = "B" if unreliable == "A" else "A"
    assert _chosen(request, signals) == {f"Tour {reliable}"}


def test_traveler_history_and_its_correction_change_the_plan():
    vendor = make_vendor()
    _tour("Gallery walk", vendor, ["art"])
    _tour("Market tasting", vendor, ["food"])
    traveler = make_user()
    past = make_booking_state(traveler)
    completed(past, make_offering(vendor, interests=["art"]))
    travelers_refresh([traveler.pk])
    request = _trip_request(traveler)
    assert planner_signals(request)["history"] == {"art": 1.0}
    assert _chosen(request, planner_signals(request)) == {"Gallery walk"}

    traveler_profile_update(traveler=traveler, actor=traveler, interests={"art": -1, "food": 1})
    assert planner_signals(request)["history"] == {"art": -1.0, "food": 1.0}
    assert _chosen(request, planner_signals(request)) == {"Market tasting"}


def test_alternative_after_a_decline_prefers_the_reliable_vendor():
    start = dt.datetime.combine(MON, dt.time(10), tzinfo=TZ)
    original = make_vendor(confirmation="manual")
    famous = make_vendor(rating=Decimal("5.0"), confirmation="manual")
    modest = make_vendor(rating=Decimal("3.0"))
    wanted = make_slot(make_offering(original), start=start)
    famous_slot = make_slot(make_offering(famous), start=start)
    modest_slot = make_slot(make_offering(modest), start=start + dt.timedelta(hours=1))
    state = make_booking_state()

    def decline_and_offer():
        booking = booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=wanted.pk, quantity=1)
        booking_decline(booking_id=booking.pk, actor=original.user, reason="Closed")
        event = Event.objects.filter(state=state, type="booking.declined").order_by("-version").first()
        return event.payload["alternative"]["slot"]

    assert decline_and_offer() == famous_slot.pk  # rating 5.0 / 5 beats 3.0 / 5 while nothing is known
    declined(make_booking_state(), make_offering(famous))  # the famous vendor declines its requests
    vendors_refresh([famous.pk])
    assert decline_and_offer() == modest_slot.pk  # reliability 0.0 < 0.6


def test_engine_generation_uses_the_learned_signals():
    """itinerary_generate feeds the learned signals to the planner (without them the first tour wins the tie)."""
    from apps.coordination.services.itinerary import itinerary_generate

    vendor = make_vendor()
    _tour("Gallery walk", vendor, ["art"])
    _tour("Market tasting", vendor, ["food"])
    traveler = make_user()
    traveler_profile_update(traveler=traveler, actor=traveler, interests={"food": 1, "art": -1})
    state = make_request(traveler, start_date=MON, end_date=MON, interests=["art", "food"], dietary_restrictions=[],
                         accommodation="none")
    itinerary_generate(state_id=state.pk, actor=None)
    state.refresh_from_db()
    titles = {i.title for d in state.current_itinerary.days.all() for i in d.items.all() if i.kind == "activity"}
    assert titles == {"Market tasting"}
    # No trip with us yet: the interests are what the traveler said, not "things you enjoyed before".
    [tasting] = [i for d in state.current_itinerary.days.all() for i in d.items.all() if i.kind == "activity"]
    assert "enjoyed before" not in tasting.reasoning and "what you told us you like" in tasting.reasoning
