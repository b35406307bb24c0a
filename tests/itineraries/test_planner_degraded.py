"""With every provider failing, a plan is still produced and says which data was missing;
the notes are stored on the itinerary and shown in the JSON, the portal page and the PDF."""
import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.coordination.models import CoordinationState, Event
from apps.coordination.services.itinerary import itinerary_generate
from apps.exports.document import build_document
from apps.exports.pdf import render_itinerary_pdf
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.selectors import itinerary_serialize
from tests.factories import make_offering, make_place, make_request, make_slot

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
HTTP_BACKENDS = {"travel": "osrm", "weather": "open-meteo", "currency": "ecb", "events": "ticketmaster",
                 "hotels": "amadeus"}
FAULTS = {  # respx mock arguments, the reason the notes give
    "timeout": ({"side_effect": httpx.ReadTimeout("slow")}, "timeout"),
    "5xx": ({"return_value": httpx.Response(500, text="Internal Server Error")}, "HTTP 500"),
}
OFFLINE_WEATHER_NOTE = "Weather forecast: planned without a forecast (offline: no forecast source configured)"


@pytest.fixture(autouse=True)
def _no_kept_answers():
    """Last good answers and breaker states live in the cache: none may leak between tests."""
    cache.clear()
    yield
    cache.clear()


def fail_every_provider(settings, respx_mock, fault: str):
    """Every provider on its HTTP backend, every HTTP call failing with ``fault``."""
    settings.TRAVELOURE_PROVIDERS = {kind: {"backend": backend, "url": f"https://{backend}.test",
                                            "options": {"retries": 1, "backoff": 0}}
                                     for kind, backend in HTTP_BACKENDS.items()}
    mock, reason = FAULTS[fault]
    return respx_mock.route().mock(**mock), reason


def request_with_candidates():
    """A 2-day Tokyo trip starting the day after tomorrow (within the forecast horizon), with
    a bookable cooking class, two sights and a restaurant; returns the coordination state."""
    start = timezone.localdate() + dt.timedelta(days=2)
    state = make_request(start_date=start, end_date=start + dt.timedelta(days=1), interests=["food", "culture"],
                         dietary_restrictions=[], accommodation="none")
    cooking = make_offering(title="Ramen cooking class", interests=["food"], duration_min=90, indoor=True)
    make_slot(cooking, start=dt.datetime.combine(start, dt.time(10), TOKYO))
    make_place(name="Tokyo National Museum", lat=35.7188, lon=139.7765)
    make_place(name="Meiji Jingu", lat=35.6764, lon=139.6993, indoor=False, category="shrine")
    make_place(name="Afuri Harajuku", category="restaurant", lat=35.6702, lon=139.7027,
               opening_hours="Mo-Su 11:00-22:00", interests=["food"])
    return state


def missing_travel_and_weather(reason: str) -> list[str]:
    return [f"Street travel times: estimated from straight-line distances (osrm: {reason})",
            f"Weather forecast: planned without a forecast (open-meteo: {reason})"]


@pytest.mark.parametrize("fault", FAULTS)
def test_plan_with_every_provider_failing_still_has_items_and_says_what_is_missing(fault, settings, respx_mock):
    state = request_with_candidates()
    route, reason = fail_every_provider(settings, respx_mock, fault)

    plan = plan_for_request(state.request, max_iterations=200)

    assert route.called  # the adapters did try: the notes are not an offline shortcut
    titles = {item.title for item in plan.items}
    assert {"Ramen cooking class", "Afuri Harajuku"} <= titles
    assert all(item.start.tzinfo is not None for item in plan.items)
    assert [(day.weather["source"], day.weather["degraded"]) for day in plan.days] == [("none", True)] * 2
    for note in missing_travel_and_weather(reason):
        assert note in plan.data_notes
    assert f"Today's exchange rates: used the shipped ECB rates (ecb: {reason})" in plan.data_notes
    assert f"Local events: planned with public holidays only (ticketmaster: {reason})" in plan.data_notes
    assert f"Route lines on the map: drew straight lines between the stops (osrm: {reason})" in plan.data_notes
    assert len(plan.data_notes) == len(set(plan.data_notes)) == 5  # one note per missing piece of data
    assert plan.as_dict()["data_notes"] == plan.data_notes


def test_engine_generated_itinerary_stores_and_serializes_the_notes(settings, respx_mock):
    state = request_with_candidates()
    _route, reason = fail_every_provider(settings, respx_mock, "5xx")

    itinerary_generate(state_id=state.pk, actor=None)

    state = CoordinationState.objects.select_related("current_itinerary").get(pk=state.pk)
    proposed = Event.objects.filter(state=state).latest("version")
    assert (proposed.type, proposed.version) == ("itinerary.proposed", state.version)
    assert proposed.payload["summary"]["items"] > 0
    itinerary = state.current_itinerary
    assert itinerary.author_role == "platform"
    data = itinerary_serialize(itinerary)
    assert data["data_notes"] == itinerary.data_notes
    for note in missing_travel_and_weather(reason):
        assert note in data["data_notes"]
    assert sum(len(day["items"]) for day in data["days"]) > 0


def test_offline_weather_is_noted_and_offline_travel_is_not():
    state = request_with_candidates()

    plan = plan_for_request(state.request, max_iterations=200)

    assert plan.items
    assert plan.data_notes == [OFFLINE_WEATHER_NOTE]


def test_given_weather_leaves_no_note():
    state = request_with_candidates()
    plan = plan_for_request(state.request, weather={}, max_iterations=200)
    assert plan.items and plan.data_notes == []


def test_notes_are_for_the_planners_not_on_the_travelers_page_or_pdf(client, tmp_path):
    """"offline: no forecast source configured" is a data note for staff and the expert
    (the REST JSON keeps it); the traveler's page and PDF do not show it."""
    state = request_with_candidates()
    itinerary_generate(state_id=state.pk, actor=None)
    itinerary = CoordinationState.objects.get(pk=state.pk).current_itinerary
    assert itinerary.data_notes == [OFFLINE_WEATHER_NOTE]

    client.force_login(state.request.traveler)
    page = client.get(reverse("traveler:itinerary", args=[state.request_id]))
    assert page.status_code == 200
    assert OFFLINE_WEATHER_NOTE not in page.content.decode()
    assert "Some data was not available" not in page.content.decode()

    path = tmp_path / "plan.pdf"
    path.write_bytes(render_itinerary_pdf(build_document(itinerary)))
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Missing data" not in text and OFFLINE_WEATHER_NOTE not in " ".join(text.split())


def test_no_notice_without_notes(client):
    state = request_with_candidates()
    itinerary_generate(state_id=state.pk, actor=None)
    itinerary = CoordinationState.objects.get(pk=state.pk).current_itinerary
    itinerary.data_notes = []
    itinerary.save(update_fields=["data_notes"])  # test setup: an itinerary planned with every source answering

    client.force_login(state.request.traveler)
    page = client.get(reverse("traveler:itinerary", args=[state.request_id])).content.decode()
    assert "Some data was not available" not in page and "Ramen cooking class" in page
