"""Traveler pages through the real views, engine and database."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import Booking, CoordinationState, Event, PlanWish, ShortlistEntry
from apps.coordination.phases import Phase
from apps.coordination.services.bookings import booking_propose
from apps.coordination.services.itinerary import itinerary_approve, itinerary_generate
from apps.coordination.services.experts import expert_accept
from apps.experts.models import ItemStatus
from apps.itineraries.models import Item
from apps.requests.models import ExperienceRequest
from apps.vendors.models import Confirmation
from tests.coordination.test_flow_degradation import wish
from tests.factories import (make_booking_state, make_consultation_slot, make_expert, make_offering, make_request,
                             make_slot, make_user, make_vendor)
from tests.factories.bookings import request_booking
from tests.itineraries.factories import make_itinerary

pytestmark = pytest.mark.django_db


def wizard_body(**overrides):
    start = timezone.localdate() + dt.timedelta(days=40)
    body = {"experience_type": "travel", "destination": "Tokyo", "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=5)).isoformat(), "adults": "2", "children": "0",
            "budget_min": "3000", "budget_max": "5000", "currency": "USD", "interests": ["food", "culture"],
            "pace": "moderate", "accommodation": "mid-range", "path": "expert", "notes": ""}
    body.update(overrides)
    return body


def test_wizard_submits_a_request_and_opens_its_page(client, traveler):
    make_expert()
    client.force_login(traveler)
    page = client.get(reverse("traveler:request_create"))
    assert page.status_code == 200 and b'data-step="4"' in page.content
    response = client.post(reverse("traveler:request_create"), wizard_body())
    request = ExperienceRequest.objects.get(traveler=traveler)
    assert response.url == reverse("traveler:request_detail", args=[request.pk])
    assert request.coordination.phase == Phase.MATCHING
    detail = client.get(response.url)
    assert b"Choose " in detail.content and b"data-live-socket" in detail.content


def test_wizard_shows_business_errors_next_to_fields(client, traveler):
    client.force_login(traveler)
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("traveler:request_create"), wizard_body(destination="Qwzxyville", start_date=past))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"destination", "start_date"}
    assert not ExperienceRequest.objects.exists()


def test_live_validation_runs_the_intake_rules_on_filled_fields_only(client, traveler):
    client.force_login(traveler)
    url = reverse("traveler:request_validate")
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    errors = client.post(url, {"destination": "Qwzxyville", "start_date": past}).json()["errors"]
    assert set(errors) == {"destination", "start_date"} and "Qwzxyville" in errors["destination"]
    assert client.post(url, wizard_body()).json()["errors"] == {}
    # Asking about an empty required field reports it; the adults' rule is the intake's.
    checked = client.post(url, {"destination": "Tokyo", "adults": "0", "children": "1", "_check": ["adults",
                                                                                                "budget_min"]})
    assert set(checked.json()["errors"]) == {"adults", "budget_min"}
    assert "adult" in checked.json()["errors"]["adults"]
    assert not ExperienceRequest.objects.exists()


def test_choose_expert_then_book_consultation_in_both_zones(client):
    traveler = make_user(time_zone="Europe/Paris")
    expert = make_expert(time_zone="Asia/Tokyo")
    state = make_request(traveler)
    client.force_login(traveler)
    detail = reverse("traveler:request_detail", args=[state.request_id])
    client.post(reverse("traveler:expert_choose", args=[state.request_id]), {"expert": expert.pk})
    assert CoordinationState.objects.get(pk=state.pk).expert_id == expert.pk
    expert_accept(state_id=state.pk, actor=expert.user)
    start = dt.datetime(2031, 5, 6, 1, 0, tzinfo=dt.UTC)
    slot = make_consultation_slot(expert, start=start)
    page = client.get(detail).content.decode()
    assert "Tue 6 May 03:00" in page and "10:00 expert" in page  # Paris (UTC+2) and Tokyo (UTC+9)
    client.post(reverse("traveler:consultation_book", args=[state.request_id]), {"slot": slot.pk})
    slot.refresh_from_db()
    assert slot.request_id == state.request_id
    assert Event.objects.filter(state=state, type="consultation.booked").exists()


def test_refused_command_is_a_message_not_an_error(client, traveler):
    state = make_request(traveler)
    client.force_login(traveler)
    response = client.post(reverse("traveler:expert_choose", args=[state.request_id]), {"expert": "999999"},
                           follow=True)
    assert response.status_code == 200
    assert "not among your matches" in [str(m) for m in response.context["messages"]][0]


def test_review_recommendation_items(client, world):
    client.force_login(world.traveler)
    url = reverse("traveler:recommendation_review", args=[world.request_id, world.rec_item.pk])
    client.post(url, {"action": "modify", "feedback": "Later please", "start_time": "18:30"})
    world.rec_item.refresh_from_db()
    assert (world.rec_item.status, world.rec_item.traveler_feedback) == (ItemStatus.MODIFIED, "Later please")
    assert world.rec_item.start_time == dt.time(18, 30)
    page = client.get(reverse("traveler:request_detail", args=[world.request_id]))
    assert b"Later please" in page.content


def test_itinerary_page_shows_days_bookings_and_live_hooks(client, traveler, django_assert_max_num_queries):
    itinerary = make_itinerary(traveler=traveler, days=7)
    request_id = itinerary.request_id
    client.force_login(traveler)
    url = reverse("traveler:itinerary", args=[request_id])
    with django_assert_max_num_queries(30):
        page = client.get(url)
    html = page.content.decode()
    booking = Booking.objects.filter(state__request_id=request_id).first()
    assert html.count('class="card day-card"') == 7 and html.count("<svg") == 7
    assert f'data-live-booking="{booking.pk}"' in html and booking.reference in html
    assert f'data-live-socket="/ws/requests/{request_id}/"' in html
    tz = ZoneInfo(itinerary.time_zone)
    first = itinerary.days.first().items.order_by("start").first()
    assert first.start.astimezone(tz).strftime("%H:%M") in html
    fragment = client.get(url, {"part": "days"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert client.get(url, {"part": "nope"}).status_code == 404


def test_itinerary_page_maps_each_day_on_tiles_from_the_setting(client, traveler, settings):
    """The slippy map: vendored Leaflet, tiles and attribution from MAP_TILES, stops as data
    attributes read by a static script (no inline script); the drawn map stays as fallback."""
    from django.contrib.staticfiles import finders

    settings.MAP_TILES = {"url": "https://tiles.example/{z}/{x}/{y}.png", "attribution": "© Example"}
    itinerary = make_itinerary(traveler=traveler, days=2)
    client.force_login(traveler)
    html = client.get(reverse("traveler:itinerary", args=[itinerary.request_id])).content.decode()
    assert "vendor/leaflet-1.9.4/leaflet.js" in html and "vendor/leaflet-1.9.4/leaflet.css" in html
    assert "js/daymap.js" in html and "<script>" not in html
    assert html.count('data-tiles="https://tiles.example/{z}/{x}/{y}.png"') == 2 and "© Example" in html
    stops = Item.objects.filter(day__itinerary=itinerary, lat__isnull=False).count()
    assert html.count("data-stop=") >= stops > 0 and html.count("<svg") == 2
    assert all(finders.find(f"vendor/leaflet-1.9.4/{name}") for name in ("leaflet.js", "leaflet.css", "LICENSE"))

    settings.MAP_TILES = {"url": "", "attribution": ""}
    cache.clear()  # settings change with a deploy; the page read above is cached for a few seconds
    html = client.get(reverse("traveler:itinerary", args=[itinerary.request_id])).content.decode()
    assert "leaflet" not in html and html.count("<svg") == 2  # offline: the drawn map only


def test_itinerary_query_count_does_not_grow_with_days(client, django_assert_max_num_queries):
    counts = []
    for days in (2, 8):
        traveler = make_user()
        itinerary = make_itinerary(traveler=traveler, days=days)
        client.force_login(traveler)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("traveler:itinerary", args=[itinerary.request_id]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_budget_page_in_travelers_currency(client, traveler):
    itinerary = make_itinerary(traveler=traveler)
    client.force_login(traveler)
    html = client.get(reverse("traveler:budget", args=[itinerary.request_id])).content.decode()
    assert "By category" in html and "USD" in html and "ECB" in html


def test_browse_filters_and_add_to_plan(client, traveler):
    state = make_request(traveler, path="browse")
    ramen = make_offering(title="Ramen class", kind="activity", interests=["food"])
    museum = make_offering(title="Museum pass", kind="activity", interests=["art"])
    day = state.request.start_date + dt.timedelta(days=1)
    slot = make_slot(ramen, start=dt.datetime.combine(day, dt.time(14), ZoneInfo("Asia/Tokyo")))
    client.force_login(traveler)
    url = reverse("traveler:browse", args=[state.request_id])
    html = client.get(url, {"interests": ["food"]}).content.decode()
    assert "Ramen class" in html and "Museum pass" not in html
    assert f'value="{slot.pk}"' in html
    client.post(reverse("traveler:browse_add", args=[state.request_id]), {"offering": ramen.pk, "slot": slot.pk})
    wish = PlanWish.objects.get(state=state)
    assert (wish.offering_id, wish.slot_id) == (ramen.pk, slot.pk)
    client.post(reverse("traveler:wish_remove", args=[state.request_id, wish.pk]))
    assert not PlanWish.objects.filter(state=state).exists()
    assert museum.title in client.get(url).content.decode()  # no filter: slot-less offerings too


def test_home_and_history_split_open_and_past_trips(client, traveler):
    make_request(traveler, title="Open trip")
    past = make_request(traveler, title="Old trip")
    CoordinationState.objects.filter(pk=past.pk).update(phase=Phase.COMPLETED)  # test setup
    client.force_login(traveler)
    home = client.get(reverse("traveler:home")).content.decode()
    history = client.get(reverse("traveler:history")).content.decode()
    assert "Open trip" in home and "Old trip" not in home
    assert "Old trip" in history and "Open trip" not in history


def test_plan_reject_and_move_items_from_the_itinerary_page(client, traveler):
    state = make_request(traveler, path="browse")
    day2 = state.request.start_date + dt.timedelta(days=1)
    tokyo = ZoneInfo("Asia/Tokyo")
    walk, boat = make_offering(title="Food walk"), make_offering(title="Boat ride")
    walk_slot = make_slot(walk, start=dt.datetime.combine(day2, dt.time(10), tokyo))
    make_slot(walk, start=dt.datetime.combine(day2 + dt.timedelta(days=1), dt.time(15), tokyo))
    boat_slot = make_slot(boat, start=dt.datetime.combine(day2, dt.time(15), tokyo))
    client.force_login(traveler)
    for offering, slot in ((walk, walk_slot), (boat, boat_slot)):
        client.post(reverse("traveler:browse_add", args=[state.request_id]), {"offering": offering.pk,
                                                                             "slot": slot.pk})
    client.post(reverse("traveler:itinerary_generate", args=[state.request_id]))
    page = client.get(reverse("traveler:itinerary", args=[state.request_id])).content.decode()
    assert "Food walk" in page and "Boat ride" in page and "Remove from my plan" in page

    def item(title):
        itinerary = CoordinationState.objects.get(pk=state.pk).current_itinerary
        return Item.objects.filter(day__itinerary=itinerary, day__date=day2, title=title).first()

    client.post(reverse("traveler:item_reject", args=[state.request_id, item("Boat ride").pk]))
    assert item("Boat ride") is None and CoordinationState.objects.get(pk=state.pk).current_itinerary.version == 2
    next_day = (day2 + dt.timedelta(days=1)).isoformat()
    client.post(reverse("traveler:item_move", args=[state.request_id, item("Food walk").pk]),
                {"day": next_day, "time": "15:00"})
    moved = CoordinationState.objects.get(pk=state.pk).current_itinerary
    assert moved.version == 3
    assert [i.start.astimezone(tokyo).strftime("%d %H:%M") for d in moved.days.all() for i in d.items.all()
            if i.title == "Food walk"] == [f"{day2.day + 1:02d} 15:00"]


def test_wedding_browse_shortlists_in_the_vendor_category(client, traveler):
    state = make_request(traveler, experience_type="wedding", destination="Florence", interests=[], guest_count=60,
                         path="browse")
    florist = make_vendor(vendor_type="florist", city="Florence", country="IT", lat=43.77, lon=11.25,
                          time_zone="Europe/Rome")
    bouquet = make_offering(florist, title="Bridal bouquet", kind="service", currency="EUR")
    client.force_login(traveler)
    page = client.get(reverse("traveler:browse", args=[state.request_id])).content.decode()
    assert "Bridal bouquet" in page and "Shortlist" in page
    client.post(reverse("traveler:browse_add", args=[state.request_id]), {"offering": bouquet.pk})
    entry = ShortlistEntry.objects.get(state=state)
    assert (entry.offering_id, entry.category) == (bouquet.pk, "florist")


def test_the_traveler_accepts_a_vendors_counter_proposal_from_the_request_page(client):
    booking = request_booking(confirmation=Confirmation.MANUAL)
    state, traveler = booking.state, booking.state.request.traveler
    later = make_slot(booking.offering, start=booking.slot.start + dt.timedelta(hours=2), capacity=3)
    booking_propose(booking_id=booking.pk, actor=booking.vendor.user, slot_id=later.pk, price=Decimal("45.00"),
                    note="Quieter at noon")
    detail = reverse("traveler:request_detail", args=[state.request_id])
    accept = reverse("traveler:booking_proposal_accept", args=[state.request_id, booking.pk])
    client.force_login(traveler)
    page = client.get(detail).content.decode()
    assert accept in page and "Quieter at noon" in page and "45.00" in page
    client.post(accept)
    booking.refresh_from_db()
    assert (booking.status, booking.slot_id, booking.price) == ("confirmed", later.pk, Decimal("45.00"))
    assert Event.objects.filter(state=state, type="booking.proposal_accepted").count() == 1
    assert accept not in client.get(detail).content.decode()


def test_a_counter_proposal_is_accepted_only_on_its_own_request_by_its_traveler(client):
    booking = request_booking(confirmation=Confirmation.MANUAL)
    booking_propose(booking_id=booking.pk, actor=booking.vendor.user, price=Decimal("45.00"))
    traveler = booking.state.request.traveler
    other = make_booking_state(traveler)
    client.force_login(traveler)
    elsewhere = reverse("traveler:booking_proposal_accept", args=[other.request_id, booking.pk])
    assert client.post(elsewhere).status_code == 404
    client.force_login(make_user(Role.TRAVELER))
    url = reverse("traveler:booking_proposal_accept", args=[booking.state.request_id, booking.pk])
    assert client.post(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "pending"


def _requirements(req, **overrides) -> dict:
    body = {"start_date": req.start_date.isoformat(), "end_date": req.end_date.isoformat(),
            "budget_min": f"{req.budget_min}", "budget_max": f"{req.budget_max}", "interests": req.interests}
    return {**body, **overrides}


def test_the_traveler_changes_the_dates_from_the_request_page_and_bookings_outside_are_cancelled(client):
    state = make_request(path="browse")
    req, traveler = state.request, state.request.traveler
    _, early = wish(state, "Meiji shrine walk", 0, 10)
    _, late = wish(state, "Hakone day trip", 5, 9)
    itinerary_generate(state_id=state.pk, actor=traveler)
    itinerary_approve(state_id=state.pk, actor=traveler)
    detail, change = (reverse(f"traveler:{name}", args=[req.pk]) for name in ("request_detail", "requirements_change"))
    client.force_login(traveler)
    assert change in client.get(detail).content.decode()
    version = CoordinationState.objects.get(pk=state.pk).version
    client.post(change, _requirements(req))  # nothing changed: refused, nothing written
    assert CoordinationState.objects.get(pk=state.pk).version == version
    new_end = req.start_date + dt.timedelta(days=3)
    client.post(change, _requirements(req, end_date=new_end.isoformat()))
    state.refresh_from_db()
    assert (state.phase, state.request.end_date, state.current_itinerary.version) == (Phase.PLANNING, new_end, 2)
    statuses = dict(Booking.objects.filter(state=state).values_list("slot_id", "status"))
    assert (statuses[early.pk], statuses[late.pk]) == ("requested", "cancelled")
    assert f'value="{new_end.isoformat()}"' in client.get(detail).content.decode()  # the card shows the new dates
