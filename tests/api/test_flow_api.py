"""The coordination flow through the REST API: both travel paths and a wedding, phase,
version and timeline at each step; role and ownership checks."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.flow_tasks import match_or_fallback
from apps.coordination.models import Booking
from apps.coordination.services.experts import expert_choose
from apps.coordination.services.lifecycle import trip_complete, trip_start
from tests.factories import (PASSWORD, make_consultation_slot, make_expert, make_offering, make_request, make_slot,
                             make_user, make_vendor)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def client_for(user, *, token: bool = False) -> APIClient:
    client = APIClient()
    if token:
        key = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    else:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def intake_body(path="expert", **overrides):
    start = dt.date.today() + dt.timedelta(days=30)
    body = {"experience_type": "travel", "destination": "Tokyo",
            "dates": {"start": start.isoformat(), "end": (start + dt.timedelta(days=4)).isoformat()},
            "travelers": {"adults": 2, "children": 0}, "budget": {"min": 3000, "max": 5000, "currency": "USD"},
            "preferences": {"interests": ["food", "culture"], "dietary_restrictions": ["vegetarian"]}, "path": path}
    body.update(overrides)
    return body


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json() if response.content else None


def timeline(client, rid) -> list[str]:
    return [e["type"] for e in ok(client.get(f"/api/v1/requests/{rid}/events/"))["results"]]


def step(client, rid, status, events, hidden=0):
    """Status, version and timeline; ``hidden``: versions the client does not see (the expert's draft)."""
    data = ok(client.get(f"/api/v1/requests/{rid}/"))
    assert (data["status"], data["version"]) == (status, len(events) + hidden)
    assert timeline(client, rid) == events


def finish_trip(client, rid, staff, events, hidden=0):
    state_id = Booking.objects.filter(state__request_id=rid).values_list("state_id", flat=True).first()
    trip_start(state_id=state_id, actor=staff)
    trip_complete(state_id=state_id, actor=staff)
    step(client, rid, "completed", [*events, "trip.started", "trip.completed"], hidden)


def test_expert_path_over_rest(staff):
    traveler = make_user(time_zone="America/New_York")
    expert = make_expert()
    t, e = client_for(traveler, token=True), client_for(expert.user)
    rid = ok(t.post("/api/v1/requests/", intake_body(), format="json"), 201)["id"]
    events = ["request.submitted"]
    start = dt.date.today() + dt.timedelta(days=31)
    tour = make_offering(title="Kappabashi knife workshop")
    slot = make_slot(tour, start=dt.datetime.combine(start, dt.time(11), TOKYO))

    matches = ok(t.get(f"/api/v1/requests/{rid}/matches/"))
    assert [m["expert"] for m in matches] == [expert.pk] and matches[0]["reasons"]
    assert ok(t.post(f"/api/v1/requests/{rid}/expert/", {"expert": expert.pk}, format="json"))["expert"] == expert.pk
    step(t, rid, "matching", events := [*events, "expert.chosen"])
    ok(e.post(f"/api/v1/requests/{rid}/expert/accept/"))
    step(t, rid, "planning", events := [*events, "expert.accepted"])

    consult = make_consultation_slot(expert)
    [offered] = ok(t.get(f"/api/v1/requests/{rid}/consultations/"))
    assert offered["traveler"]["time_zone"] == "America/New_York" and offered["expert"]["time_zone"] == "Asia/Tokyo"
    ok(t.post(f"/api/v1/requests/{rid}/consultations/", {"slot": consult.pk}, format="json"))
    events.append("consultation.booked")

    ok(e.post(f"/api/v1/requests/{rid}/recommendations/", {"summary": "Knives!", "items": [
        {"title": tour.title, "offering": tour.pk, "day": start.isoformat(), "start_time": "11:00", "pinned": True,
         "tips": ["Bring cash"]}]}, format="json"), 201)
    assert ok(t.get(f"/api/v1/requests/{rid}/recommendations/")) == []  # drafts stay with the expert
    ok(e.post(f"/api/v1/requests/{rid}/recommendations/send/"))
    [doc] = ok(t.get(f"/api/v1/requests/{rid}/recommendations/"))
    item_id = doc["items"][0]["id"]
    review = ok(t.post(f"/api/v1/requests/{rid}/recommendations/items/{item_id}/review/", {"action": "approve"},
                       format="json"))
    assert review["status"] == "approved"
    # The expert's drafts (recommendations, then the itinerary) are not in the traveler's timeline.
    step(t, rid, "planning", events := [*events, "recommendation.sent", "recommendation.item_reviewed"], hidden=1)

    draft = ok(e.post(f"/api/v1/requests/{rid}/itinerary/generate/", {"seed": 1}, format="json"), 201)
    assert (draft["version"], draft["state"], draft["time_zone"]) == (1, "draft", "Asia/Tokyo")
    assert ok(t.get(f"/api/v1/requests/{rid}/itinerary/"), 404)["code"] == "itinerary.none"
    assert ok(t.get(f"/api/v1/requests/{rid}/itinerary/", {"draft": 1}), 403)["code"] == "permission_denied"
    step(t, rid, "planning", events, hidden=2)
    plan = ok(e.post(f"/api/v1/requests/{rid}/itinerary/send/"))
    assert (plan["version"], plan["state"]) == (1, "proposed")
    assert ok(t.get(f"/api/v1/requests/{rid}/itinerary/")) == plan
    workshop = [i for d in plan["days"] for i in d["items"] if i["offering"] == tour.pk]
    assert [i["start"] for i in workshop] == [dt.datetime.combine(start, dt.time(11), TOKYO).isoformat()]
    assert "Bring cash" in workshop[0]["tips"]  # the recommendation lives on as the item's tip
    approved = ok(t.post(f"/api/v1/requests/{rid}/itinerary/approve/"))
    assert (approved["status"], approved["unbooked"]) == ("booking", [])
    step(t, rid, "booking", events := [*events, "itinerary.proposed", "itinerary.approved", "booking.requested"],
         hidden=2)
    assert timeline(e, rid)[-4:] == ["itinerary.drafted", "itinerary.proposed", "itinerary.approved",
                                     "booking.requested"]
    confirm_instant_booking(Booking.objects.get(slot=slot).pk)
    events.append("booking.confirmed")
    assert ok(t.get(f"/api/v1/requests/{rid}/itinerary/"))["days"]
    finish_trip(t, rid, staff, events, hidden=2)


def test_browse_path_over_rest(staff):
    traveler = make_user()
    t = client_for(traveler)
    rid = ok(t.post("/api/v1/requests/", intake_body("browse"), format="json"), 201)["id"]
    start = dt.date.today() + dt.timedelta(days=32)
    veg = make_offering(title="Shojin ryori lunch", kind="meal", dietary=["vegetarian", "vegan"], interests=["food"])
    make_offering(title="Wagyu grill", kind="meal", dietary=[], interests=["food"])
    slot = make_slot(veg, start=dt.datetime.combine(start, dt.time(12), TOKYO))
    step(t, rid, "planning", events := ["request.submitted"])

    found = ok(t.get(f"/api/v1/requests/{rid}/offerings/", {"dietary": "vegetarian", "kind": "meal"}))["results"]
    assert [o["id"] for o in found] == [veg.pk]
    wish = ok(t.post(f"/api/v1/requests/{rid}/plan-items/", {"offering": veg.pk, "slot": slot.pk}, format="json"), 201)
    assert wish["slot"] == slot.pk
    plan = ok(t.post(f"/api/v1/requests/{rid}/itinerary/generate/", format="json"), 201)
    assert slot.start.astimezone(TOKYO).isoformat() in [i["start"] for d in plan["days"] for i in d["items"]
                                                          if i["offering"] == veg.pk]
    ok(t.post(f"/api/v1/requests/{rid}/itinerary/approve/"))
    step(t, rid, "booking", events := [*events, "plan.item_added", "itinerary.proposed", "itinerary.approved",
                                       "booking.requested"])
    confirm_instant_booking(Booking.objects.get(slot=slot).pk)
    step(t, rid, "confirmed", events := [*events, "booking.confirmed"])
    finish_trip(t, rid, staff, events)


def test_wedding_over_rest(staff):
    couple = make_user()
    planner = make_expert(destinations=["Florence"], specializations=["wedding"])
    villa = make_vendor(city="Florence", country="IT", lat=43.77, lon=11.25, vendor_type="venue",
                        confirmation="manual", time_zone="Europe/Rome")
    venue = make_offering(villa, title="Villa garden", kind="service", base_price=Decimal("9000"), currency="EUR",
                          price_unit="booking", interests=[])
    c, p, v = client_for(couple), client_for(planner.user), client_for(villa.user, token=True)
    body = intake_body(experience_type="wedding", destination="Florence", guest_count=60,
                       preferences={"interests": []})
    rid = ok(c.post("/api/v1/requests/", body, format="json"), 201)["id"]
    wedding_day = dt.date.fromisoformat(body["dates"]["start"])
    slot = make_slot(venue, start=dt.datetime.combine(wedding_day, dt.time(17), ZoneInfo("Europe/Rome")), capacity=1)

    ok(c.post(f"/api/v1/requests/{rid}/expert/", {"expert": planner.pk}, format="json"))
    ok(p.post(f"/api/v1/requests/{rid}/expert/accept/"))
    entry = ok(p.post(f"/api/v1/requests/{rid}/shortlist/", {"offering": venue.pk, "category": "venue",
                                                               "slot": slot.pk}, format="json"), 201)
    ok(c.post(f"/api/v1/requests/{rid}/shortlist/{entry['id']}/offers/", {"amount": "8000"}, format="json"))
    assert [e["category"] for e in ok(v.get(f"/api/v1/requests/{rid}/shortlist/"))] == ["venue"]
    countered = ok(v.post(f"/api/v1/requests/{rid}/shortlist/{entry['id']}/offers/", {"amount": "8600"},
                          format="json"))
    assert [(o["party"], o["amount"]) for o in countered["offers"]] == [("client", "8000.00"), ("vendor", "8600.00")]
    assert ok(c.post(f"/api/v1/requests/{rid}/shortlist/{entry['id']}/accept/"))["agreed_price"] == "8600.00"
    events = ["request.submitted", "expert.chosen", "expert.accepted", "shortlist.added", "price.offered",
              "price.offered", "price.agreed"]
    step(c, rid, "planning", events)

    ok(p.post(f"/api/v1/requests/{rid}/itinerary/generate/", format="json"), 201)
    ok(p.post(f"/api/v1/requests/{rid}/itinerary/send/"))
    ok(c.post(f"/api/v1/requests/{rid}/itinerary/approve/"))
    settled = ok(c.post(f"/api/v1/requests/{rid}/shortlist/settle/", {"deposit_percent": "50"}, format="json"))
    assert settled["bookings"][0]["price"] == "8600.00" and settled["bookings"][0]["status"] == "confirmed"
    step(c, rid, "confirmed", events := [*events, "itinerary.proposed", "itinerary.approved", "booking.requested",
                                         "booking.proposed", "booking.proposal_accepted",
                                         "booking.payment_schedule_set"], hidden=1)
    finish_trip(c, rid, staff, events, hidden=1)


@pytest.mark.parametrize(("who", "code"), [("stranger", 404), ("other_expert", 404), ("vendor", 404),
                                           ("traveler", 403)])
def test_accept_scope_and_role(who, code):
    traveler = make_user()
    expert = make_expert()
    state = make_request(traveler)
    expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    actor = {"stranger": lambda: make_user(), "other_expert": lambda: make_expert().user,
             "vendor": lambda: make_user(Role.VENDOR), "traveler": lambda: traveler}[who]()
    response = client_for(actor).post(f"/api/v1/requests/{state.request_id}/expert/accept/")
    assert response.status_code == code
    assert set(response.json()) == {"code", "detail", "fields"}


@pytest.mark.parametrize("path", ["matches/", "itinerary/", "recommendations/", "consultations/"])
def test_other_travelers_get_404_and_anonymous_401(path):
    state = make_request()
    url = f"/api/v1/requests/{state.request_id}/{path}"
    assert client_for(make_user()).get(url).status_code == 404
    assert APIClient().get(url).status_code in (401, 403)


def test_queued_request_offers_browse_in_the_api():
    state = make_request()
    client = client_for(state.request.traveler)
    assert ok(client.get(f"/api/v1/requests/{state.request_id}/"))["browse_offered"] is False
    match_or_fallback(state.pk)
    data = ok(client.get(f"/api/v1/requests/{state.request_id}/"))
    assert (data["queued_for_expert"], data["browse_offered"]) == (True, True)
    assert ok(client.get(f"/api/v1/requests/{state.request_id}/itinerary/"))["version"] == 1
    assert ok(client.post(f"/api/v1/requests/{state.request_id}/browse/"))["status"] == "planning"


def test_requirements_change_errors_point_at_the_input():
    state = make_request(path="browse")
    client = client_for(state.request.traveler)
    start = state.request.start_date
    response = client.post(f"/api/v1/requests/{state.request_id}/requirements/",
                           {"dates": {"start": start.isoformat(), "end": (start - dt.timedelta(days=2)).isoformat()}},
                           format="json")
    assert response.status_code == 400 and "dates.end" in response.json()["fields"]
    changed = ok(client.post(f"/api/v1/requests/{state.request_id}/requirements/",
                             {"budget": {"min": 1000, "max": 2000}}, format="json"))
    assert changed["budget"]["max"] == "2000.00" and changed["version"] == 3
