"""OSRM in the planner, against a fake OSRM on a loopback port: travel times come from its
table, each day's street path from its route (kept on the day and drawn by the map);
down, the offline estimates stay and the plan says so."""
import datetime as dt
import urllib.parse
from http.server import ThreadingHTTPServer

import pytest
from django.core.cache import cache

from apps.coordination.models import CoordinationState
from apps.exports.document import build_document
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.services import itinerary_create_from_plan
from tests.factories import make_place, make_request
from tests.fakes.loopback import json_handler, serving

pytestmark = pytest.mark.django_db
MON = dt.date(2027, 3, 15)


def osrm(down: bool, calls: list):
    def answer(method, path, body):
        url = urllib.parse.urlsplit(path)  # (urlparse would cut the path at its first ";")
        calls.append(url.path.split("/")[1])
        if down:
            return 503, {}
        coords = urllib.parse.unquote(url.path.rsplit("/", 1)[1])
        points = [tuple(map(float, pair.split(","))) for pair in coords.split(";")]
        if url.path.startswith("/table/"):
            query = dict(urllib.parse.parse_qsl(url.query))
            rows, cols = len(query["sources"].split(";")), len(query["destinations"].split(";"))
            return 200, {"code": "Ok", "durations": [[600.0] * cols for _ in range(rows)],
                         "distances": [[3000.0] * cols for _ in range(rows)]}
        path = [[lon, lat] for lon, lat in points]
        path.insert(1, [(points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2 + 0.001])
        return 200, {"code": "Ok", "routes": [{"geometry": {"type": "LineString", "coordinates": path},
                                               "distance": 3000.0, "duration": 600.0}]}
    return answer


@pytest.fixture
def osrm_at(settings):
    cache.clear()

    def configure(url):
        settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "travel": {
            "backend": "osrm", "url": url, "options": {"timeout": 1, "retries": 0}}}
    yield configure
    cache.clear()


def two_sights():
    state = make_request(start_date=MON, end_date=MON, interests=["culture"], dietary_restrictions=[],
                         accommodation="none")
    make_place(name="Tokyo National Museum", lat=35.7188, lon=139.7765)
    make_place(name="Shitamachi Museum", lat=35.7113, lon=139.7730)
    return state


@pytest.mark.parametrize("down", [False, True])
def test_travel_times_and_street_paths_come_from_osrm(osrm_at, down):
    state = two_sights()
    calls = []
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), json_handler(osrm(down, calls)))) as url:
        osrm_at(url)
        plan = plan_for_request(state.request, weather={}, max_iterations=200)
    (day,) = plan.days
    sights = [item for item in day.items if item.title.endswith("Museum")]
    assert len(sights) == 2 and "table" in calls
    if down:
        assert day.route == []
        assert any(note.startswith("Street travel times: estimated from straight-line distances (osrm: HTTP 503)")
                   for note in plan.data_notes)
        return
    # OSRM's 3 km of streets by transit: 9 min on the way and 8 to reach the station and wait
    # (offline: a 15 min walk)
    assert sights[1].travel_from_previous_min == 17
    assert "route" in calls and len(day.route) == len([i for i in day.items if i.lat is not None]) + 1
    assert plan.data_notes == []

    itinerary = itinerary_create_from_plan(request=state.request, plan=plan, author_role="platform")
    CoordinationState.objects.filter(pk=state.pk).update(current_itinerary=itinerary)
    (view,) = build_document(itinerary).days
    assert view.route == day.route and view.route_json.startswith("[[")
