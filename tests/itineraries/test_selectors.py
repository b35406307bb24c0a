"""The itinerary JSON of DESIGN.md, in a constant number of queries."""
import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.selectors import itinerary_serialize, itinerary_with_days
from apps.itineraries.services import itinerary_create_from_plan
from tests.factories import make_offering, make_place, make_request, make_slot
from tests.factories.bookings import make_booking

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)
ITEM_KEYS = {"kind", "title", "start", "end", "place", "offering", "booking", "price", "travel_from_previous_min",
             "reasoning", "tips", "id", "pinned"}


def stored_itinerary(days: int, prefix: str = ""):
    state = make_request(start_date=MON, end_date=MON + dt.timedelta(days=days - 1), interests=["culture"],
                         dietary_restrictions=[], accommodation="none")
    tour = make_offering(title="Tour", interests=["culture"], duration_min=60)
    # one tour per call, at its own hour: both calls' tours are in the same market
    slot = make_slot(tour, start=dt.datetime.combine(MON, dt.time(14 if prefix else 10), tzinfo=TZ))
    for k in range(days * 2):
        make_place(name=f"{prefix}Sight {k}", lat=35.68 + k * 0.002, price=Decimal("500") if k % 2 else Decimal("0"))
    make_place(name=f"{prefix}Diner", category="restaurant", opening_hours="Mo-Su 11:00-22:00")
    plan = plan_for_request(state.request, weather={}, max_iterations=100)
    itinerary = itinerary_create_from_plan(request=state.request, plan=plan, author_role="expert")
    item = itinerary.days.first().items.get(offering=tour)
    booking = make_booking(state, slot=slot, item=item, quantity=2, status="confirmed",
                           reference=f"TRV-{prefix}1-AB", price=slot.price)
    return state.request, itinerary, booking


def test_shape_matches_the_public_itinerary_json():
    _, itinerary, booking = stored_itinerary(days=2)
    data = json.loads(json.dumps(itinerary_serialize(itinerary_with_days().get(pk=itinerary.pk))))
    assert set(data) == {"version", "state", "time_zone", "currency", "days", "total", "left_out", "conflicts",
                         "data_notes"}
    assert (data["version"], data["time_zone"], data["currency"]) == (1, "Asia/Tokyo", "USD")
    assert [d["date"] for d in data["days"]] == ["2027-03-15", "2027-03-16"]
    items = [i for d in data["days"] for i in d["items"]]
    assert items and all(set(i) == ITEM_KEYS for i in items)
    assert all(i["start"].endswith("+09:00") and set(i["place"]) == {"name", "lat", "lon"} for i in items)
    tour = next(i for i in items if i["title"] == "Tour")
    assert tour["start"] == "2027-03-15T10:00:00+09:00" and tour["offering"] == booking.offering_id
    assert tour["booking"] == {"id": booking.pk, "status": "confirmed", "reference": "TRV-1-AB"}
    priced = next(i for i in items if i["price"])
    assert set(priced["price"]) == {"amount", "currency"} and priced["price"]["currency"] == "USD"
    assert data["total"]["currency"] == "USD" and Decimal(data["total"]["amount"]) == itinerary.total
    assert {i["kind"] for i in items} >= {"activity", "meal"}


def _queries(itinerary_id):
    with CaptureQueriesContext(connection) as ctx:
        itinerary_serialize(itinerary_with_days().get(pk=itinerary_id))
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_days(django_assert_max_num_queries):
    _, short, _ = stored_itinerary(days=1)
    _, long, _ = stored_itinerary(days=5, prefix="L")
    assert long.days.count() == 5 and _queries(short.pk) == _queries(long.pk)
    with django_assert_max_num_queries(4):
        itinerary_serialize(itinerary_with_days().get(pk=long.pk))
