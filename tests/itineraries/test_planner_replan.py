"""Re-planning keeps confirmed bookings and still-valid items in place."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.itineraries.planner.replan import Change, replan
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.services import itinerary_create_from_plan
from tests.factories import make_offering, make_place, make_request, make_slot
from tests.factories.bookings import make_booking

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)


def at(hh, mm=0, day=MON):
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TZ)


@pytest.fixture
def trip():
    state = make_request(start_date=MON, end_date=MON, interests=["culture"], dietary_restrictions=[],
                         accommodation="none")
    tour = make_offering(title="Outdoor tour", indoor=False, duration_min=120, interests=["culture"])
    slot = make_slot(tour, start=at(10))
    make_place(name="Garden", category="garden", indoor=False, opening_hours="Mo-Su 09:00-17:00",
               interests=["culture"], lat=35.69)
    make_place(name="Museum", indoor=True, opening_hours="Mo-Su 09:00-20:00", lat=35.70)
    plan = plan_for_request(state.request, weather={}, max_iterations=200)
    itinerary = itinerary_create_from_plan(request=state.request, plan=plan, author_role="platform")
    tour_item = itinerary.days.get().items.get(offering=tour)
    make_booking(state, slot=slot, item=tour_item, quantity=2, status="confirmed", price=slot.price)
    return state, itinerary, tour_item


def test_rained_out_day_keeps_the_confirmed_tour_and_moves_the_rest(trip):
    _state, itinerary, tour_item = trip
    before = {i.title: i.start for i in itinerary.days.get().items.all()}
    assert set(before) == {"Outdoor tour", "Garden", "Museum"}
    plan, diff = replan(itinerary, change=Change(weather={MON: {"rain_hours": list(range(8, 20))}}),
                        max_iterations=200)
    after = {i.title: i for i in plan.items}
    assert after["Outdoor tour"].start == tour_item.start and "kept: booking confirmed" in after["Outdoor tour"].reasoning
    assert "Garden" not in after
    assert diff["removed"] == [{"title": "Garden", "start": before["Garden"].astimezone(TZ).isoformat()}]
    assert diff["added"] == []
    if after["Museum"].start != before["Museum"]:
        assert [m["title"] for m in diff["moved"]] == ["Museum"]


def test_rejected_item_is_replaced_and_the_rest_stays(trip):
    state, itinerary, _tour_item = trip
    garden = itinerary.days.get().items.get(title="Garden")
    make_place(name="Gallery", indoor=True, lat=35.695, interests=["culture"])
    plan, diff = replan(itinerary, change=Change(rejected_item_ids={garden.pk}), max_iterations=200)
    titles = {i.title for i in plan.items}
    assert "Garden" not in titles and {"Outdoor tour", "Museum", "Gallery"} <= titles
    assert {"title": "Garden", "start": garden.start.astimezone(TZ).isoformat()} in diff["removed"]
    assert [a["title"] for a in diff["added"]] == ["Gallery"]
    assert diff["moved"] == []
    stored = itinerary_create_from_plan(request=state.request, plan=plan, author_role="platform")
    assert stored.version == itinerary.version + 1 and stored.state == "draft"
