"""The events provider and the sun in the planner: an event matching the traveler's
interests becomes an item with its reason (Ticketmaster fake on a loopback port); public
holidays come through the provider and close what closes on them; viewpoints and photo
spots are timed for golden hour, with the reason said."""
import datetime as dt
import urllib.parse
from http.server import ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from apps.integrations import registry
from apps.integrations.events import HOLIDAY, CalendarInfo, Happening
from apps.integrations.sun import sun_times
from apps.itineraries.planner.service import plan_for_request
from tests.factories import make_place, make_request
from tests.fakes.loopback import json_handler, serving

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)


def ticketmaster_page(path: str):
    start = dt.date.fromisoformat(dict(urllib.parse.parse_qsl(urllib.parse.urlparse(path).query))["startDateTime"][:10])
    event = {  # an afternoon show on the second day, and a match the traveler does not care for
        "name": "Kabuki matinee", "url": "https://tickets.example/kabuki",
        "dates": {"start": {"localDate": (start + dt.timedelta(days=1)).isoformat(), "localTime": "14:00:00"}},
        "classifications": [{"segment": {"name": "Arts & Theatre"}}],
        "_embedded": {"venues": [{"name": "Kabukiza", "location": {"latitude": "35.6695", "longitude": "139.7678"}}]}}
    match = {**event, "name": "J1 League match", "classifications": [{"segment": {"name": "Sports"}}]}
    return 200, {"_embedded": {"events": [event, match]}, "page": {"size": 2, "totalElements": 2, "number": 0}}


def items(plan):
    return [item for day in plan.days for item in day.items]


def test_an_event_matching_the_interests_is_planned_with_its_reason(settings):
    state = make_request(start_date=MON, end_date=MON + dt.timedelta(days=2), interests=["art"],
                         dietary_restrictions=[], accommodation="none")
    make_place(name="Mori Art Museum", interests=["art"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), json_handler(lambda method, path, body: ticketmaster_page(path)))
    with serving(server) as url:
        settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "events": {
            "backend": "ticketmaster", "url": url, "api_key": "k", "options": {"timeout": 1, "retries": 0}}}
        plan = plan_for_request(state.request, weather={}, max_iterations=200)
    (show,) = [item for item in items(plan) if item.title == "Kabuki matinee"]
    assert show.start == dt.datetime(2027, 3, 16, 14, tzinfo=TOKYO)
    assert "matches art" in show.reasoning and "an event on your dates: Kabuki matinee at Kabukiza" in show.reasoning
    assert show.tips == ["Tickets: https://tickets.example/kabuki"]
    assert "J1 League match" not in {item.title for item in items(plan)}
    assert plan.data_notes == []


class CompanyHoliday:
    """An events provider whose calendar has a holiday the hours library cannot know."""

    def calendar(self, *, country, lat, lon, start, end):
        return CalendarInfo([Happening(start + dt.timedelta(days=1), "City foundation day", HOLIDAY, "high", "")],
                            "test")


def test_a_holiday_from_the_provider_closes_what_closes_on_holidays(monkeypatch, settings):
    monkeypatch.setitem(registry.BACKENDS["events"], "test-calendar", lambda config: CompanyHoliday())
    settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "events": {"backend": "test-calendar"}}
    state = make_request(start_date=MON, end_date=MON + dt.timedelta(days=2), interests=["culture"],
                         dietary_restrictions=[], accommodation="none")
    make_place(name="Edo-Tokyo Museum", opening_hours="Mo-Su 09:00-17:00; PH off")
    plan = plan_for_request(state.request, weather={}, max_iterations=200)
    holiday = plan.days[1]
    assert holiday.notes == "Public holiday: City foundation day"
    assert "Edo-Tokyo Museum" not in {item.title for item in holiday.items}
    assert "Edo-Tokyo Museum" in {item.title for day in (plan.days[0], plan.days[2]) for item in day.items}


def test_a_viewpoint_is_timed_for_golden_hour():
    state = make_request(start_date=MON, end_date=MON, interests=["photography"], dietary_restrictions=[],
                         accommodation="none")
    make_place(name="Shibuya Sky", category="viewpoint", indoor=False, opening_hours="Mo-Su 09:00-22:00",
               interests=["photography"], lat=35.6585, lon=139.7023)
    plan = plan_for_request(state.request, weather={}, max_iterations=200)
    (view,) = [item for item in items(plan) if item.title == "Shibuya Sky"]
    sunset = sun_times(35.6585, 139.7023, MON, "Asia/Tokyo").sunset.replace(second=0, microsecond=0)
    assert sunset - dt.timedelta(minutes=30) <= view.end <= sunset  # in the last light
    assert f"golden hour: the light is best before sunset ({sunset:%H:%M})" in view.reasoning
