"""What the planner hands to the search, and the caches that keep a big market cheap."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.itineraries.planner import toptw
from apps.itineraries.planner.build import PACES, activity_node, searchable
from apps.itineraries.planner.candidates import Candidate, Trip, hours_windows
from apps.itineraries.planner.service import plan_for_request
from tests.factories import make_place, make_request

MON = dt.date(2027, 3, 15)


def vertex(i, score, windows=((0, 1440),), **kwargs):
    return toptw.Vertex(i, 30, score, windows, **kwargs)


def test_the_search_sees_only_the_vertices_it_may_choose():
    verts = [vertex(0, 0), vertex(1, 10), vertex(2, 10, tours=frozenset()), vertex(3, 0),
             vertex(4, 0, windows=((300, 300),), forced=True), vertex(5, 10, windows=((3000, 3100),)),
             vertex(6, 7, windows=((0, 2880),), tours=frozenset({1}))]
    travel = [[10 * i + j for j in range(7)] for i in range(7)]
    problem = toptw.Problem(verts, travel, 2, [0, 1440], [1440, 2880])
    search, index = searchable(problem)
    # no day (2), no score (3: a spare meal), nowhere in time (5: after both days); forced stays
    assert index == [0, 1, 4, 6]
    assert [v.id for v in search.vertices] == index
    assert search.travel == [[10 * i + j for j in index] for i in index]
    solution = toptw.solve(search, max_iterations=20)
    assert sorted(index[v] for route in solution.routes for v in route) == [1, 4, 6]


def trip(**kwargs):
    values = dict(days=(MON, MON + dt.timedelta(days=1)), time_zone="Asia/Tokyo", country="JP",
                  center=(35.6895, 139.6917), party=2, currency="JPY",
                  now=dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("UTC")), wheelchair=False)
    values.update(kwargs)
    return Trip(**values)


def candidate(key, **kwargs):
    values = dict(title=key, kind="activity", lat=35.69, lon=139.70, duration=60, windows={}, price=None, indoor=True)
    values.update(kwargs)
    return Candidate(key=key, **values)


def test_places_sharing_hours_share_the_work_not_the_windows():
    first, second = candidate("a"), candidate("b")
    first.windows = hours_windows(first, "Mo-Su 10:00-12:00", trip(), None)
    second.windows = hours_windows(second, "Mo-Su 10:00-12:00", trip(), None)
    assert first.windows == second.windows == {MON: ((600, 660),), MON + dt.timedelta(days=1): ((600, 660),)}
    first.windows[MON] = ()
    assert second.windows[MON] == ((600, 660),)
    longer = candidate("c", duration=90)
    assert hours_windows(longer, "Mo-Su 10:00-12:00", trip(), None)[MON] == ((600, 630),)


def test_unknown_hours_are_told_on_every_place_that_has_them():
    places = [candidate(key) for key in "ab"]
    for place in places:
        place.windows = hours_windows(place, "", trip(), None)
    assert [p.hours_known for p in places] == [False, False]
    assert places[0].windows[MON] == ((540, 1020),)  # a typical day: 09:00-18:00
    known = candidate("c")
    hours_windows(known, "Mo-Su 09:00-17:00", trip(), None)
    assert known.hours_known


def test_holidays_closing_a_place_follow_the_trip():
    spec = "Mo-Su 10:00-12:00; PH off"
    assert MON not in hours_windows(candidate("a"), spec, trip(holidays={MON: "Holiday"}), None)
    assert MON in hours_windows(candidate("b"), spec, trip(), None)


def test_an_activity_on_a_rainy_day_depends_on_being_indoors_and_on_the_rain():
    days = [MON]
    windows = {MON: ((540, 900),)}
    indoor, outdoor = candidate("in", windows=windows), candidate("out", windows=windows, indoor=False)
    rain = {MON: [(600, 840)]}
    pace = PACES["moderate"]
    assert activity_node(indoor, days, pace, rain, {}).windows == ((540, 900),)
    assert activity_node(outdoor, days, pace, rain, {}).windows == ((540, 540), (840, 900))
    assert activity_node(outdoor, days, pace, {}, {}).windows == ((540, 900),)


@pytest.mark.django_db
def test_sights_of_no_day_stay_out_of_the_search_but_are_explained():
    for k in range(3):  # museums: at most three of a kind a day
        make_place(name=f"Near {k}", lat=35.6895 + 0.001 * k, lon=139.6917, opening_hours="Mo-Su 09:00-18:00")
    make_place(name="Across town", lat=35.6895, lon=139.745, opening_hours="Mo-Su 09:00-18:00", interests=["art"])
    request = make_request(start_date=MON, end_date=MON, interests=["culture"], dietary_restrictions=[],
                           accommodation="none").request
    plan = plan_for_request(request, weather={}, max_iterations=50)
    assert plan.solver["searched"] < plan.solver["vertices"]
    assert sorted(i.title for i in plan.items if i.kind == "activity") == ["Near 0", "Near 1", "Near 2"]
    assert {"title": "Across town", "reason": "away from the neighbourhoods of your days"} in plan.left_out
