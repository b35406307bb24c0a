"""Query counts of the hot pages (the ones ``bench/pages.py`` loads) do not grow with the
number of days, items, bookings or requests (Zulip-style: the exact count at two sizes,
and a ceiling so that a new per-page query is a conscious change)."""
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.coordination.models import Booking, CoordinationState
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.services.bookings import booking_cancel
from apps.coordination.services.external import external_bookings_add
from apps.portals.fragments import CSRF_MARKER
from tests.coordination.test_external_bookings import DINNER
from tests.factories import make_offering, make_request, make_slot, make_user, phase_repair
from tests.factories.bookings import make_booking
from tests.itineraries.factories import make_itinerary

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("same_time_bucket")]


def _trip(size: int) -> CoordinationState:
    """A request in planning with its expert accepted and a ``size``-day itinerary with a
    confirmed booking each day, ``size`` pending bookings at the same vendor and ``size``
    more requests of the traveler for the same expert: everything a page lists grows."""
    itinerary = make_itinerary(days=size, confirmed_days=range(size))
    state = CoordinationState.objects.get(current_itinerary=itinerary)
    accepted = {"expert_accepted_at": timezone.now(), "phase": Phase.PLANNING}
    CoordinationState.objects.filter(pk=state.pk).update(**accepted)
    vendor = Booking.objects.filter(state=state).first().vendor
    for _ in range(size):
        make_booking(state, slot=make_slot(make_offering(vendor)), status=BookingStatus.PENDING)
        other = make_request(state.request.traveler)
        CoordinationState.objects.filter(pk=other.pk).update(expert=state.expert, **accepted)
    state.refresh_from_db()
    return state


PAGES = {
    "traveler home": (lambda s: reverse("traveler:home"), lambda s: s.request.traveler),
    "request overview": (lambda s: reverse("traveler:request_detail", args=[s.request_id]),
                         lambda s: s.request.traveler),
    "itinerary": (lambda s: reverse("traveler:itinerary", args=[s.request_id]), lambda s: s.request.traveler),
    "expert inbox": (lambda s: reverse("expert:home"), lambda s: s.expert.user),
    "expert workspace": (lambda s: reverse("expert:request", args=[s.request_id]), lambda s: s.expert.user),
    "vendor dashboard": (lambda s: reverse("vendor:home"),
                         lambda s: Booking.objects.filter(state=s).first().vendor.user),
    "REST itinerary": (lambda s: f"/api/v1/requests/{s.request_id}/itinerary/", lambda s: s.request.traveler),
}
# Uncached, session and user included. The bookings made elsewhere cost one query where
# they are shown: the request pages' panel, the document (exports, itinerary pages), the REST itinerary.
# The portal pages' first is the page cache's fingerprint (``apps.portals.pagecache``).
MAX_QUERIES = {"traveler home": 5, "request overview": 10, "itinerary": 10, "expert inbox": 9,
               "expert workspace": 15, "vendor dashboard": 6, "REST itinerary": 8}
# Read again (the user is cached too): no query (the request's or the visitor's clock).
CACHED_QUERIES = dict.fromkeys(PAGES, 0)


def _count(client, state, page: str) -> int:
    url, user = PAGES[page]
    client.force_login(user(state))
    cache.clear()  # the uncached path: what the first view of each version costs
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(state))
    assert response.status_code == 200, (page, response.status_code)
    return len(queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_queries_do_not_grow_with_the_trip(client, page):
    small, large = _trip(2), _trip(6)
    counts = (_count(client, small, page), _count(client, large, page))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 2 days, {counts[1]} for 6"
    assert counts[1] <= MAX_QUERIES[page], f"{page}: {counts[1]} queries"


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_read_again_cost_at_most_their_fingerprint(client, page):
    for size in (2, 6):
        state = _trip(size)
        url, user = PAGES[page]
        _count(client, state, page)  # signs in, renders into the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(state)).status_code == 200
        assert len(queries) == CACHED_QUERIES[page], (page, size, [q["sql"][:80] for q in queries])


def test_cached_itinerary_json_follows_a_booking_change(client):
    state = _trip(2)
    client.force_login(state.request.traveler)
    url = PAGES["REST itinerary"][0](state)
    booked = [item["booking"] for day in client.get(url).json()["days"] for item in day["items"] if item["booking"]]
    booking_cancel(booking_id=booked[0]["id"], actor=state.request.traveler)
    again = [item["booking"] for day in client.get(url).json()["days"] for item in day["items"] if item["booking"]]
    assert booked[0]["status"] == "confirmed" and again[0] == {**booked[0], "status": "cancelled"}


def test_cached_itinerary_json_is_served_as_rendered_and_the_browsable_api_still_renders_it(client):
    state = _trip(2)
    client.force_login(state.request.traveler)
    url = PAGES["REST itinerary"][0](state)
    first, again = client.get(url), client.get(url)  # rendered into the cache, then read from it
    assert again.content == first.content and again["Content-Type"] == "application/json"
    assert len(first.json()["days"]) == 2
    browsable = client.get(url, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and browsable["Content-Type"].startswith("text/html")
    assert "external_bookings" in browsable.content.decode()


def test_cached_itinerary_json_follows_a_booking_made_elsewhere_and_still_checks_who_asks(client):
    state = _trip(2)
    url = PAGES["REST itinerary"][0](state)
    client.force_login(state.request.traveler)
    assert client.get(url).json()["external_bookings"] == []
    external_bookings_add(state_id=state.pk, actor=state.request.traveler, items=[DINNER])
    assert [b["reference"] for b in client.get(url).json()["external_bookings"]] == [DINNER["reference"]]
    client.force_login(make_user())  # the JSON is cached now: another traveler still gets a 404
    assert client.get(url).status_code == 404


def test_cached_days_follow_a_booking_change_and_carry_each_visitors_csrf_token(client):
    state = _trip(2)
    url = PAGES["itinerary"][0](state)
    booking = Booking.objects.filter(state=state, status=BookingStatus.CONFIRMED).order_by("pk").first()
    client.force_login(state.request.traveler)
    assert f'data-live-booking="{booking.pk}" data-status="confirmed"' in client.get(url).content.decode()
    booking_cancel(booking_id=booking.pk, actor=state.request.traveler)
    again = client.get(url + "?part=days").content.decode()
    assert f'data-live-booking="{booking.pk}"' not in again and 'data-status="confirmed"' in again  # off the plan
    other = Client(enforce_csrf_checks=True)  # a second session of the traveler: the cached fragment, its own token
    other.force_login(state.request.traveler)
    html = other.get(url).content.decode()
    action, token = re.search(r'<form method="post" action="([^"]+/reject/)">\s*<input type="hidden" '
                              r'name="csrfmiddlewaretoken" value="([^"]+)"', html).groups()
    assert CSRF_MARKER not in html
    assert other.post(action, {"csrfmiddlewaretoken": token}).status_code == 302  # a forged token would be 403


def test_cached_request_head_marks_each_pages_tab_and_follows_the_phase(client):
    state = _trip(2)
    client.force_login(state.request.traveler)
    overview, itinerary = (reverse(f"traveler:{name}", args=[state.request_id]) for name in ("request_detail", "itinerary"))
    for _ in range(2):  # cold, then from the cache
        assert f'<a href="{overview}" aria-current="page">' in client.get(overview).content.decode()
        html = client.get(itinerary).content.decode()
        assert f'<a href="{itinerary}" aria-current="page">' in html and f'<a href="{overview}">' in html
    assert f'data-live-phase="{state.pk}">Planning<' in html
    phase_repair(state_id=state.pk, actor=None, phase=Phase.BOOKING)
    assert f'data-live-phase="{state.pk}">Booking<' in client.get(itinerary).content.decode()


def test_cached_bookings_card_of_the_workspace_follows_a_booking_change(client):
    state = _trip(2)
    url = PAGES["expert workspace"][0](state)
    booking = Booking.objects.filter(state=state, status=BookingStatus.CONFIRMED).order_by("pk").first()
    client.force_login(state.expert.user)
    for _ in range(2):  # cold, then from the cache
        assert f'data-live-booking="{booking.pk}" data-status="confirmed"' in client.get(url).content.decode()
    booking_cancel(booking_id=booking.pk, actor=state.request.traveler)
    assert f'data-live-booking="{booking.pk}" data-status="cancelled"' in client.get(url).content.decode()
    part = client.get(url, {"part": "bookings"}).content.decode()  # the live refresh: the card alone
    assert f'data-live-booking="{booking.pk}" data-status="cancelled"' in part and "<html" not in part
