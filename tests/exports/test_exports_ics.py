"""The iCalendar file and the private webcal subscription."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from apps.coordination import engine
from apps.coordination.models import Booking
from apps.exports.document import build_document
from apps.exports.ics import render_ics
from apps.exports.share import calendar_subscription_get_or_create, token_link_revoke
from apps.itineraries.models import Item
from tests.itineraries.factories import make_itinerary

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def _events(body: bytes):
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_ics_round_trip():
    itinerary = make_itinerary()
    cal = Calendar.from_ical(render_ics(build_document(itinerary)))
    events = cal.walk("VEVENT")
    items = list(Item.objects.filter(day__itinerary=itinerary).order_by("start"))
    assert len(events) == len(items) == 31
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    for event, item in zip(events, items):
        start = event.decoded("dtstart")
        assert event["dtstart"].params["TZID"] == "Asia/Tokyo"
        assert start.replace(tzinfo=None) == item.start.astimezone(TOKYO).replace(tzinfo=None)
        assert start == item.start and event.decoded("dtend") == item.end
        assert str(event["summary"]) == item.title
        assert event["geo"].latitude == pytest.approx(item.lat)
        alarms = event.walk("VALARM")
        if item.travel_from_previous_min:
            assert alarms[0].decoded("trigger") == -dt.timedelta(minutes=item.travel_from_previous_min + 15)
        else:
            assert alarms == []
    described = " ".join(str(e.get("description", "")) for e in events)
    for booking in Booking.objects.filter(state__request=itinerary.request):
        assert f"Booking {booking.reference} — Confirmed" in described
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_uids_are_stable_across_versions():
    itinerary = make_itinerary()
    first = [str(e["uid"]) for e in _events(render_ics(build_document(itinerary)))]
    again = make_itinerary(state=itinerary.request.coordination, version=2)
    assert [str(e["uid"]) for e in _events(render_ics(build_document(again)))] == first


def test_subscription_follows_the_current_itinerary_and_dies_when_revoked(client, traveler):
    itinerary = make_itinerary(traveler=traveler)
    state = itinerary.request.coordination
    feed = calendar_subscription_get_or_create(request=itinerary.request, actor=traveler)
    assert calendar_subscription_get_or_create(request=itinerary.request, actor=traveler) == feed
    url = reverse("exports:calendar-feed", args=[feed.token])

    response = client.get(url)  # no login: the token is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert len(_events(response.content)) == 31

    newer = make_itinerary(state=state, version=2, days=2)
    Item.objects.filter(day__itinerary=newer, position=0).update(title="Sunrise at Tsukiji")
    with engine.command(state.pk, actor=traveler) as cmd:  # the planner's "propose" in short
        cmd.set(current_itinerary=newer)
        cmd.record("itinerary.proposed", {"version": 2})
    titles = [str(e["summary"]) for e in _events(client.get(url).content)]
    assert len(titles) == 9 and titles.count("Sunrise at Tsukiji") == 2

    tampered = feed.secret[:-1] + ("y" if feed.secret.endswith("x") else "x")
    assert client.get(url.replace(feed.secret, tampered)).status_code == 404
    token_link_revoke(link=feed, actor=traveler)
    assert client.get(url).status_code == 404
