"""The traveler profile: learned from rejections, corrected and reset by the traveler,
shown on ``traveler:profile``; the staff rebuild command and the per-event task."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState, Event
from apps.coordination.services.itinerary import itinerary_item_reject
from apps.core.errors import DomainError, Forbidden
from apps.insights.metrics import travelers_refresh
from apps.insights.selectors import traveler_profile_for
from apps.insights.services import traveler_profile_reset
from apps.insights.tasks import on_event
from apps.itineraries.models import Day, Item, Itinerary
from apps.requests.models import TravelerProfile
from apps.requests.services import traveler_profile_update
from tests.factories import PASSWORD, make_booking_state, make_offering, make_user

pytestmark = pytest.mark.django_db


def _reject_all(state, items):
    """The traveler turns down each (travel minutes, interests) item of a proposed version."""
    itinerary = Itinerary.objects.create(request=state.request, version=99, time_zone="Asia/Tokyo", currency="JPY")
    day = Day.objects.create(itinerary=itinerary, date=state.request.start_date)
    begin = dt.datetime.combine(state.request.start_date, dt.time(1), tzinfo=dt.UTC)
    for n, (minutes, interests) in enumerate(items):
        item = Item.objects.create(day=day, position=n, title=f"Item {n}", start=begin, end=begin,
                                   offering=make_offering(interests=interests), travel_from_previous_min=minutes)
        CoordinationState.objects.filter(pk=state.pk).update(current_itinerary=itinerary)  # setup: that version,
        Itinerary.objects.filter(pk=itinerary.pk).update(state="proposed")  # proposed again
        itinerary_item_reject(state_id=state.pk, actor=state.request.traveler, item_id=item.pk, reason="no")


def test_rejections_teach_long_transfers_and_dislikes():
    state = make_booking_state(phase="planning")
    traveler = state.request.traveler
    _reject_all(state, [(45, ["nightlife"]), (40, ["food"]), (5, ["food", "art"])])
    assert Event.objects.filter(state=state, type="itinerary.item_rejected").count() == 3
    travelers_refresh([traveler.pk])
    profile, preferences = traveler_profile_for(traveler)
    assert (profile.rejections, profile.long_transfer_rejections) == (3, 2)
    assert profile.interests == {"art": -1.0, "food": -1.0, "nightlife": -1.0}
    assert preferences.avoids_long_transfers and not preferences.prefers_mornings


def test_corrections_survive_recomputation_until_reset():
    traveler, stranger = make_user(), make_user()
    with pytest.raises(Forbidden):
        traveler_profile_update(traveler=traveler, actor=stranger, prefers_mornings=True)
    with pytest.raises(DomainError) as exc:
        traveler_profile_update(traveler=traveler, actor=traveler, interests={"skydiving": 1})
    assert exc.value.fields == {"skydiving": "Unknown interest."}
    traveler_profile_update(traveler=traveler, actor=traveler, prefers_mornings=True, interests={"food": 0.5})
    travelers_refresh([traveler.pk])  # nothing learned, the corrections stay
    _profile, preferences = traveler_profile_for(traveler)
    assert (preferences.prefers_mornings, preferences.interests, preferences.edited) == (
        True, {"food": 0.5}, frozenset({"prefers_mornings", "interests"}))
    assert traveler_profile_reset(traveler=traveler, actor=traveler) is None  # nothing learned either
    assert traveler_profile_for(traveler)[1].prefers_mornings is False


@pytest.mark.parametrize("role,status", [(Role.TRAVELER, 200), (Role.EXPERT, 403), (Role.VENDOR, 403), (None, 302)])
def test_profile_page_gate(client, role, status):
    if role:
        client.login(username=make_user(role).username, password=PASSWORD)
    response = client.get(reverse("traveler:profile"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_profile_page_edit_and_reset(client, django_assert_max_num_queries):
    traveler = make_user()
    client.login(username=traveler.username, password=PASSWORD)
    url = reverse("traveler:profile")
    with django_assert_max_num_queries(6):
        assert "Nothing learned yet" in client.get(url).content.decode()
    response = client.post(url, {"prefers_mornings": "yes", "avoids_long_transfers": "", "more_of": ["art"],
                                 "less_of": ["nightlife"]})
    assert response.status_code == 302
    assert TravelerProfile.objects.get(traveler=traveler).overrides == {
        "prefers_mornings": True, "interests": {"art": 1.0, "nightlife": -1.0}}
    page = client.get(url).content.decode()
    assert "You prefer mornings." in page and "set by you" in page
    client.post(url, {"reset": "1"})
    assert not TravelerProfile.objects.filter(traveler=traveler).exists()


def test_rebuild_command_and_missing_event(capsys):
    state = make_booking_state(phase="planning")
    _reject_all(state, [(50, ["art"])])
    assert on_event(10**9) == {}
    event = Event.objects.filter(state=state, type="itinerary.item_rejected").get()
    assert on_event(event.pk)["travelers"] == 1
    TravelerProfile.objects.all().delete()
    call_command("rebuild_insights")
    assert "travelers: 1" in capsys.readouterr().out
    assert TravelerProfile.objects.get(traveler=state.request.traveler).long_transfer_rejections == 1
