"""Expert pages through the real views, engine and database."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.coordination.models import CoordinationState
from apps.coordination.phases import Phase
from apps.coordination.services import experts
from apps.coordination.services.bookings import booking_propose
from apps.experts.models import Expert, Recommendation, RecommendationStatus
from apps.itineraries.models import Item, Place
from apps.insights.metrics import experts_refresh
from tests.factories import (make_consultation_slot, make_expert, make_offering, make_place, make_request, make_slot,
                             make_user, make_vendor, phase_repair)
from tests.factories.bookings import make_booking, request_booking

pytestmark = pytest.mark.django_db


def chosen(expert, traveler=None):
    state = make_request(traveler or make_user())
    experts.expert_choose(state_id=state.pk, actor=state.request.traveler, expert_id=expert.pk)
    return state


def test_inbox_accept_takes_capacity(client):
    expert = make_expert(capacity_max=2)
    state = chosen(expert)
    client.force_login(expert.user)
    home = client.get(reverse("expert:home")).content.decode()
    assert str(state.request) in home and "0 / 2" in home
    client.post(reverse("expert:accept", args=[state.request_id]))
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.PLANNING
    assert Expert.objects.get(pk=expert.pk).capacity_current == 1
    assert "1 / 2" in client.get(reverse("expert:home")).content.decode()


def test_decline_sends_the_request_back_to_matching(client):
    expert = make_expert()
    state = chosen(expert)
    client.force_login(expert.user)
    response = client.post(reverse("expert:decline", args=[state.request_id]), {"reason": "Away that week"})
    assert response.url == reverse("expert:home")
    state.refresh_from_db()
    assert state.expert_id is None and state.phase == Phase.MATCHING


def test_recommendation_editor_saves_versions_and_sends(client):
    expert = make_expert()
    state = chosen(expert)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    tour = make_offering(title="Food walk")
    day = state.request.start_date + dt.timedelta(days=1)
    client.force_login(expert.user)
    url = reverse("expert:recommendation", args=[state.request_id])
    page = client.get(url)
    assert page.status_code == 200 and b"Food walk" in page.content  # offering choices of the destination
    body = {"summary": "Eat well", "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
            "items-0-title": "Food walk", "items-0-offering": tour.pk, "items-0-category": "activity",
            "items-0-day": day.isoformat(), "items-0-start_time": "10:00", "items-0-pinned": "on",
            "items-0-reasoning": "Before the crowds", "items-0-tips": "Come hungry\nCash only",
            "items-0-alternatives": "", "items-1-category": "activity"}
    assert client.post(url, body).status_code == 302
    draft = Recommendation.objects.get(request_id=state.request_id)
    item = draft.items.get()
    assert (item.offering_id, item.day, item.start_time, item.pinned, item.tips) == (
        tour.pk, day, dt.time(10), True, ["Come hungry", "Cash only"])
    client.post(reverse("expert:recommendation_send", args=[state.request_id]))
    draft.refresh_from_db()
    assert draft.status == RecommendationStatus.SENT
    # Editing after sending opens version 2, prefilled from version 1.
    assert b'value="Food walk"' in client.get(url).content
    client.post(url, {**body, "summary": "Eat better"})
    assert list(Recommendation.objects.filter(request_id=state.request_id).values_list("version", "status")) == [
        (2, "draft"), (1, "sent")]


def test_editor_keeps_input_and_shows_errors(client):
    expert = make_expert()
    state = chosen(expert)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    client.force_login(expert.user)
    body = {"summary": "", "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-0-title": "",
            "items-0-category": "activity", "items-0-start_time": "25:99", "items-0-reasoning": "why"}
    response = client.post(reverse("expert:recommendation", args=[state.request_id]), body)
    assert response.status_code == 400
    assert "start_time" in response.context["formset"].forms[0].errors
    assert not Recommendation.objects.exists()


def test_booking_board_sorts_pending_problems_and_confirmed(client):
    expert = make_expert()
    state = chosen(expert)
    vendor = make_vendor(confirmation="manual")
    slot = make_slot(make_offering(vendor))

    def booking(status, **extra):
        return make_booking(state, slot=slot, status=status, **extra)

    pending, declined, confirmed = booking("pending"), booking("declined", decline_reason="Closed"), booking(
        "confirmed", reference="V-1")
    proposal = booking("pending", proposal={"slot": slot.pk})
    foreign = make_booking(make_request(), slot=slot, status="pending")
    client.force_login(expert.user)
    board = client.get(reverse("expert:bookings")).context["board"]
    assert [list(board[k]) for k in ("pending", "problems", "confirmed")] == [[pending], [proposal, declined],
                                                                              [confirmed]]
    fragment = client.get(reverse("expert:bookings"), {"part": "board"}).content.decode()
    assert "Closed" in fragment and f'data-live-booking="{foreign.pk}"' not in fragment
    assert client.get(reverse("expert:home")).context["board"] == {"pending": 1, "problems": 2}  # the inbox's counts


def test_the_expert_accepts_a_vendors_counter_proposal_from_the_board(client):
    expert = make_expert()
    state = chosen(expert)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    phase_repair(state_id=state.pk, actor=None, phase=Phase.BOOKING)
    booking = request_booking(confirmation="manual", state=state)
    booking_propose(booking_id=booking.pk, actor=booking.vendor.user, price=Decimal("45.00"), note="Sunset tour")
    accept = reverse("expert:booking_proposal_accept", args=[state.request_id, booking.pk])
    client.force_login(expert.user)
    board = client.get(reverse("expert:bookings")).content.decode()
    assert accept in board and "Sunset tour" in board
    assert client.post(accept)["Location"] == reverse("expert:bookings")
    booking.refresh_from_db()
    assert (booking.status, booking.price) == ("confirmed", Decimal("45.00"))
    assert accept not in client.get(reverse("expert:bookings")).content.decode()
    other = make_expert()  # not this request's expert: nothing to see, nothing to accept
    client.force_login(other.user)
    assert client.post(accept).status_code == 404


def test_generate_edit_and_send_the_draft(client):
    """The expert's draft: the traveler's page shows no plan until it is sent; the expert
    moves an item, finds and adds a place with the search, writes a tip, then sends."""
    expert = make_expert()
    state = chosen(expert)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    day2 = state.request.start_date + dt.timedelta(days=1)
    tour = make_offering(title="Tsukiji food walk")
    for hour in (10, 14):
        make_slot(tour, start=dt.datetime.combine(day2, dt.time(hour), ZoneInfo("Asia/Tokyo")))
    make_place(name="Tokyo National Museum")
    client.force_login(expert.user)
    client.post(reverse("expert:itinerary_generate", args=[state.request_id]))
    state.refresh_from_db()
    assert state.current_itinerary is None
    traveler = Client()
    traveler.force_login(state.request.traveler)
    assert "No itinerary yet" in traveler.get(reverse("traveler:itinerary", args=[state.request_id])).content.decode()

    url = reverse("expert:request", args=[state.request_id])
    page = client.get(url).content.decode()
    assert "only you see it until you send it" in page and "htmx-2.min.js" in page and "Send to" in page
    found = client.get(url, {"part": "search", "q": "museum"}).content.decode()
    assert "Tokyo National Museum" in found and "<html" not in found
    museum = Place.objects.get(name="Tokyo National Museum")
    client.post(reverse("expert:draft_add", args=[state.request_id]),
                {"entry": f"place:{museum.pk}", "day": day2.isoformat(), "time": "09:00"})
    item = Item.objects.filter(day__itinerary__state="draft", place=museum).latest("pk")
    client.post(reverse("expert:draft_edit", args=[state.request_id, item.pk, "move"]),
                {"day": day2.isoformat(), "time": "15:30"})
    client.post(reverse("expert:draft_edit", args=[state.request_id, item.pk, "note"]), {"tips": "Closed Mondays"})
    item.refresh_from_db()
    assert (item.start.astimezone(ZoneInfo("Asia/Tokyo")).time(), item.tips) == (dt.time(15, 30), ["Closed Mondays"])
    assert client.post(reverse("expert:draft_edit", args=[state.request_id, item.pk, "fly"])).status_code == 404

    client.post(reverse("expert:itinerary_send", args=[state.request_id]))
    state.refresh_from_db()
    assert state.current_itinerary_id == item.day.itinerary_id
    shown = traveler.get(reverse("traveler:itinerary", args=[state.request_id])).content.decode()
    assert "Tokyo National Museum" in shown and "Closed Mondays" in shown


def test_calendar_groups_by_the_experts_day_and_shows_both_zones(client):
    expert = make_expert(time_zone="Asia/Tokyo")
    traveler = make_user(time_zone="Europe/Paris")
    state = chosen(expert, traveler)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    utc_day = timezone.now().date() + dt.timedelta(days=3)
    start = dt.datetime.combine(utc_day, dt.time(20), dt.UTC)  # 05:00 the next day in Tokyo
    slot = make_consultation_slot(expert, start=start)
    experts.consultation_book(state_id=state.pk, actor=traveler, slot_id=slot.pk)
    client.force_login(expert.user)
    response = client.get(reverse("expert:calendar"))
    [(day, [entry])] = response.context["days"]
    assert day == utc_day + dt.timedelta(days=1) and entry["slot"] == slot
    html = response.content.decode()
    paris = start.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    assert "05:00–06:00" in html and f"{paris} Europe/Paris" in html and traveler.username in html


def test_metrics_from_expert_signals(client):
    expert = make_expert()
    state = chosen(expert)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    experts_refresh([expert.pk])  # what the insights task does after the event
    client.force_login(expert.user)
    metrics = client.get(reverse("expert:metrics"))
    assert metrics.context["signals"].response_hours is not None and metrics.context["active_count"] == 1


def test_inbox_shows_a_new_request_live(client):
    """The waiting list is a live fragment of the expert's /ws/me/ feed: a traveler's choice
    is addressed to the expert's group and the fragment then lists the request."""
    from apps.coordination.models import OutboxMessage

    expert = make_expert()
    client.force_login(expert.user)
    home = client.get(reverse("expert:home")).content.decode()
    assert 'data-live-socket="/ws/me/"' in home and "?part=waiting" in home and "expert.*" in home
    state = chosen(expert, make_user(first_name="Emma"))
    assert OutboxMessage.objects.filter(event__state=state, event__type="expert.chosen",
                                        group=f"user.{expert.user.pk}").exists()
    fragment = client.get(reverse("expert:home"), {"part": "waiting"}).content.decode()
    assert str(state.request) in fragment and "<html" not in fragment
