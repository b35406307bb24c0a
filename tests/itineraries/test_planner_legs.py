"""The planner and the traveler's arrival and departure: nothing on the arrival day before
landing plus the way to the hotel, nothing on the departure day after leaving for the
airport or station."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.itineraries.planner.service import plan_for_request
from apps.requests.legs import legs_validate
from tests.factories import make_place, make_request

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)


def at(day, hh, mm=0):
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TZ)


@pytest.fixture
def request_with_sights():
    for n in range(12):
        make_place(name=f"Sight {n}", lat=35.68 + n * 0.002, lon=139.70 + n * 0.002, typical_visit_min=60,
                   opening_hours="Mo-Su 08:00-21:00", interests=["culture"])
    return make_request(start_date=MON, end_date=MON + dt.timedelta(days=1), interests=["culture"],
                        dietary_restrictions=[], accommodation="none").request


def _with_legs(request, **legs):
    stored, errors = legs_validate(legs.get("arrival"), legs.get("departure"), start=request.start_date,
                                   end=request.end_date)
    assert not errors
    request.arrival, request.departure = stored["arrival"], stored["departure"]
    return request


def test_nothing_before_landing_and_the_transfer_nor_after_leaving(request_with_sights):
    request = request_with_sights
    free = plan_for_request(request, weather={}, max_iterations=300)
    tue = MON + dt.timedelta(days=1)
    assert min(i.start for i in free.items if i.start.date() == MON) < at(MON, 12)
    assert max(i.end for i in free.items if i.start.date() == tue) > at(tue, 11)

    _with_legs(request, arrival={"at": at(MON, 11).isoformat(), "mode": "flight", "place": "NRT"},
               departure={"at": at(tue, 13).isoformat(), "mode": "flight", "place": "HND"})
    bounded = plan_for_request(request, weather={}, max_iterations=300)
    first, last = ([i for i in bounded.items if i.start.date() == day] for day in (MON, tue))
    # Narita: 60 min to leave the airport, ~80 min into town; Haneda: check in 120 min before, ~25 min out
    assert first and min(i.start for i in first) >= at(MON, 13, 20)
    assert last and max(i.end for i in last) <= at(tue, 10, 35)


def test_a_late_arrival_leaves_the_first_day_empty(request_with_sights):
    request = _with_legs(request_with_sights, arrival={"at": at(MON, 22, 5).isoformat(), "mode": "flight",
                                                       "place": "NRT"})
    result = plan_for_request(request, weather={}, max_iterations=300)
    assert not [i for i in result.items if i.start.date() == MON]
    assert [i for i in result.items if i.start.date() == MON + dt.timedelta(days=1)]
    assert request.arrival["code"] == "NRT"
