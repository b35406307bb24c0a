"""A hotel stay is one item from check-in to check-out, in every output."""
import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from icalendar import Calendar

from apps.coordination.models import CoordinationState
from apps.exports.document import build_document
from apps.exports.ics import render_ics
from apps.exports.pdf import render_itinerary_pdf
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.selectors import itinerary_serialize, itinerary_with_days
from apps.itineraries.services import itinerary_create_from_plan
from tests.factories import make_offering, make_place, make_request, make_vendor

pytestmark = pytest.mark.django_db

MON = dt.date(2027, 3, 15)


def test_stay_spans_its_nights_in_json_pdf_and_ics(tmp_path):
    hotel = make_offering(make_vendor(vendor_type="hotel", lat=35.70, lon=139.70), title="Mid Hotel", kind="stay",
                          price_unit="night", base_price=Decimal("150"), currency="USD", check_in=dt.time(14),
                          check_out=dt.time(10, 30))
    make_place(name="Museum", lat=35.701, lon=139.701)
    state = make_request(start_date=MON, end_date=MON + dt.timedelta(days=3), accommodation="mid-range",
                         dietary_restrictions=[], interests=["culture"])
    plan = plan_for_request(state.request, weather={}, max_iterations=100)
    itinerary = itinerary_create_from_plan(request=state.request, plan=plan, author_role="platform")
    CoordinationState.objects.filter(pk=state.pk).update(current_itinerary=itinerary)

    data = itinerary_serialize(itinerary_with_days().get(pk=itinerary.pk))
    stays = [i for d in data["days"] for i in d["items"] if i["kind"] == "stay"]
    assert [(s["offering"], s["start"], s["end"]) for s in stays] == [
        (hotel.pk, "2027-03-15T14:00:00+09:00", "2027-03-18T10:30:00+09:00")]  # three nights, one item

    doc = build_document(itinerary)
    (event,) = [e for e in Calendar.from_ical(render_ics(doc)).walk("VEVENT") if str(e["summary"]) == "Mid Hotel"]
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (MON, MON + dt.timedelta(days=3))
    assert "Check-in from Mon 15 Mar 14:00, check-out by Thu 18 Mar 10:30" in str(event["description"])

    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(render_itinerary_pdf(doc))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Check-in 14:00" in text and "check-out Thu 18 Mar 10:30" in text
    assert "21:33" not in text
