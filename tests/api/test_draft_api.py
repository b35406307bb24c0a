"""The expert's itinerary draft over REST: generate, ``?draft=1``, the item edits, send;
the traveler's ``GET itinerary/`` never shows a draft; each role's refusal has the error shape."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.accounts.models import Role
from apps.coordination.services import experts
from tests.api.test_flow_api import client_for, ok
from tests.factories import make_expert, make_offering, make_place, make_request, make_slot, make_user

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def trip():
    traveler, expert = make_user(), make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    day2 = state.request.start_date + dt.timedelta(days=1)
    tour = make_offering(title="Tsukiji food walk")
    for hour in (10, 14):
        make_slot(tour, start=dt.datetime.combine(day2, dt.time(hour), TOKYO))
    return type("Trip", (), dict(rid=state.request_id, traveler=traveler, expert=expert.user, tour=tour, day2=day2,
                                 museum=make_place(name="Tokyo National Museum")))


def items(doc):
    return [i for d in doc["days"] for i in d["items"]]


def test_draft_edits_then_send(trip):
    e, t = client_for(trip.expert), client_for(trip.traveler)
    base = f"/api/v1/requests/{trip.rid}/itinerary/"
    draft = ok(e.post(f"{base}generate/", format="json"), 201)
    assert draft["state"] == "draft" and "alternatives" in draft
    assert ok(t.get(base), 404)["code"] == "itinerary.none"
    assert ok(e.get(base, {"draft": 1})) == draft

    draft = ok(e.post(f"{base}draft/items/", {"offering": trip.tour.pk, "day": trip.day2.isoformat(),
                                              "time": "10:00"}, format="json"), 201)
    [tour] = [i for i in items(draft) if i["offering"] == trip.tour.pk and i["pinned"]]
    draft = ok(e.post(f"{base}draft/items/{tour['id']}/move/", {"day": trip.day2.isoformat(), "time": "14:00"},
                      format="json"))
    moved = next(i for i in items(draft) if i["id"] == tour["id"])
    assert moved["start"] == dt.datetime.combine(trip.day2, dt.time(14), TOKYO).isoformat()
    draft = ok(e.post(f"{base}draft/items/{tour['id']}/note/", {"tips": ["Come hungry"]}, format="json"))
    assert next(i for i in items(draft) if i["id"] == tour["id"])["tips"] == ["Come hungry"]
    draft = ok(e.post(f"{base}draft/items/{tour['id']}/pin/", {"pinned": False}, format="json"))
    assert next(i for i in items(draft) if i["id"] == tour["id"])["pinned"] is False
    draft = ok(e.post(f"{base}draft/items/{tour['id']}/replace/", {"place": trip.museum.pk}, format="json"))
    assert next(i for i in items(draft) if i["id"] == tour["id"])["title"] == "Tokyo National Museum"
    assert {"title": "Tsukiji food walk", "reason": "your expert chose Tokyo National Museum instead", "offering": trip.tour.pk,
            "place": None} in draft["alternatives"]
    draft = ok(e.post(f"{base}draft/items/{tour['id']}/remove/", format="json"))
    assert tour["id"] not in [i["id"] for i in items(draft)]

    bad = ok(e.post(f"{base}draft/items/", {"offering": trip.tour.pk, "place": trip.museum.pk,
                                            "day": trip.day2.isoformat(), "time": "10:00"}, format="json"), 400)
    assert bad["code"] == "invalid" and "offering" in bad["fields"]
    late = ok(e.post(f"{base}draft/items/", {"offering": trip.tour.pk, "time": "10:00",
                                             "day": (trip.day2 + dt.timedelta(days=3)).isoformat()},
                     format="json"), 409)
    assert late["code"] == "itinerary.no_slot"

    sent = ok(e.post(f"{base}send/"))
    assert (sent["state"], sent["version"]) == ("proposed", draft["version"])
    assert ok(t.get(base)) == sent
    assert ok(e.get(base, {"draft": 1}), 404)["code"] == "itinerary.no_draft"
    assert ok(e.post(f"{base}send/"), 409)["code"] == "itinerary.no_draft"


@pytest.mark.parametrize(("who", "code"), [("traveler", 403), ("other_expert", 404), ("vendor", 404),
                                           ("stranger", 404)])
def test_others_cannot_see_edit_or_send_the_draft(trip, who, code):
    e = client_for(trip.expert)
    base = f"/api/v1/requests/{trip.rid}/itinerary/"
    draft = ok(e.post(f"{base}generate/", format="json"), 201)
    draft = ok(e.post(f"{base}draft/items/", {"place": trip.museum.pk, "day": trip.day2.isoformat(),
                                              "time": "09:00"}, format="json"), 201)
    item = items(draft)[0]["id"]
    user = {"traveler": lambda: trip.traveler, "other_expert": lambda: make_expert().user,
            "vendor": lambda: trip.tour.vendor.user, "stranger": lambda: make_user(Role.TRAVELER)}[who]()
    c = client_for(user)
    attempts = [c.get(base, {"draft": 1}), c.post(f"{base}send/"),
                c.post(f"{base}draft/items/", {"place": trip.museum.pk, "day": trip.day2.isoformat(),
                                               "time": "09:00"}, format="json"),
                c.post(f"{base}draft/items/{item}/move/", {"day": trip.day2.isoformat(), "time": "11:00"},
                       format="json"),
                c.post(f"{base}draft/items/{item}/replace/", {"offering": trip.tour.pk}, format="json"),
                c.post(f"{base}draft/items/{item}/remove/", format="json"),
                c.post(f"{base}draft/items/{item}/pin/", {"pinned": True}, format="json"),
                c.post(f"{base}draft/items/{item}/note/", {"tips": ["x"]}, format="json")]
    for response in attempts:
        body = ok(response, code)
        assert set(body) == {"code", "detail", "fields"}
    assert ok(e.get(base, {"draft": 1})) == draft
