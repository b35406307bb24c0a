"""A vendor's decline (or an expired hold) re-plans the itinerary around it: the platform
proposes a changed version (``itinerary.replanned``) that the traveler or the expert
accepts before anything new is booked; never a silent edit."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.coordination import booking_tasks
from apps.coordination.models import Booking, CoordinationState, Event
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.services import browse, itinerary
from apps.coordination.services.bookings import REPLAN_TASK, booking_decline
from apps.itineraries.models import Item, ItineraryState
from tests.api.test_flow_api import client_for
from tests.coordination.test_stays import make_hotel
from tests.factories import make_offering, make_request, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def _booked_trip():
    """A browse trip whose one wished tour waits for its (manual) vendor; another vendor
    runs a similar tour the same day."""
    traveler = make_user()
    state = make_request(traveler, path="browse", interests=["food"], dietary_restrictions=[])
    make_hotel(state.request.start_date, nights=7)
    day = state.request.start_date + dt.timedelta(days=1)
    sumo = make_offering(make_vendor(confirmation="manual", name="Sumo Mornings"), title="Sumo morning practice",
                         interests=["culture"])
    slot = make_slot(sumo, start=dt.datetime.combine(day, dt.time(9), TOKYO))
    walk = make_offering(make_vendor(name="Yanaka Walks"), title="Yanaka food walk", interests=["food"])
    make_slot(walk, start=dt.datetime.combine(day, dt.time(10), TOKYO))
    browse.plan_item_add(state_id=state.pk, actor=traveler, offering_id=sumo.pk, slot_id=slot.pk)
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    return traveler, state, Booking.objects.get(state=state, offering=sumo), walk


def test_a_decline_proposes_a_replanned_version_that_is_booked_once_accepted(client, monkeypatch,
                                                                              django_capture_on_commit_callbacks):
    traveler, state, sumo, walk = _booked_trip()
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kw: queued.append((func, args)))
    with django_capture_on_commit_callbacks(execute=True):
        booking_decline(booking_id=sumo.pk, actor=sumo.vendor.user, reason="Closed for a tournament")
    assert (REPLAN_TASK, (sumo.pk,)) in queued
    approved_version = CoordinationState.objects.get(pk=state.pk).current_itinerary

    assert booking_tasks.replan_after_fallthrough(sumo.pk) == approved_version.version + 1
    state = CoordinationState.objects.get(pk=state.pk)
    proposal = state.current_itinerary
    assert proposal.state == ItineraryState.PROPOSED and state.phase == Phase.BOOKING
    replanned = Event.objects.get(state=state, type="itinerary.replanned")
    assert replanned.actor_id is None
    assert replanned.payload["because"] == {"booking": sumo.pk, "title": sumo.offering.title, "status": "declined",
                                            "day": (state.request.start_date + dt.timedelta(days=1)).isoformat()}
    assert {"title": sumo.offering.title} in [{"title": r["title"]} for r in replanned.payload["changes"]["removed"]]
    assert not Item.objects.filter(day__itinerary=proposal, offering=sumo.offering).exists()
    assert Item.objects.filter(day__itinerary=proposal, offering=walk).exists()
    assert not Booking.objects.filter(state=state, offering=walk).exists()  # nothing booked before the OK
    stay = Booking.objects.get(state=state, offering__kind="stay")
    assert stay.item.day.itinerary_id == proposal.pk  # held bookings follow the new version
    assert booking_tasks.replan_after_fallthrough(sumo.pk) is None  # the request moved on: no second proposal

    client.force_login(traveler)
    page = client.get(reverse("traveler:itinerary", args=[state.request_id])).content.decode()
    assert "Sumo morning practice fell through" in page and "Accept the change and book it" in page
    client.post(reverse("traveler:itinerary_change_accept", args=[state.request_id]))
    state = CoordinationState.objects.get(pk=state.pk)
    assert state.current_itinerary.state == ItineraryState.APPROVED
    assert Event.objects.filter(state=state, type="itinerary.change_accepted").count() == 1
    assert Booking.objects.get(state=state, offering=walk).status == BookingStatus.REQUESTED
    assert "fell through" not in client.get(reverse("traveler:itinerary", args=[state.request_id])).content.decode()


def test_the_change_is_accepted_over_rest_too_and_only_by_the_request_s_people():
    traveler, state, sumo, walk = _booked_trip()
    booking_decline(booking_id=sumo.pk, actor=sumo.vendor.user, reason="Full")
    booking_tasks.replan_after_fallthrough(sumo.pk)
    outsider = client_for(make_user()).post(f"/api/v1/requests/{state.request_id}/itinerary/accept-change/")
    assert outsider.status_code == 404
    answer = client_for(traveler).post(f"/api/v1/requests/{state.request_id}/itinerary/accept-change/")
    assert answer.status_code == 200 and answer.json()["unbooked"] == []
    again = client_for(traveler).post(f"/api/v1/requests/{state.request_id}/itinerary/accept-change/")
    assert again.status_code == 409 and again.json()["code"] == "itinerary.transition_not_allowed"
