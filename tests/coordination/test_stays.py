"""A hotel stay is one itinerary item from check-in to check-out and, once the plan is
approved, one booking of all its nights: rooms held on every night's slot (all or none),
priced night by night, released together, shown with its reference in every output."""
import datetime as dt
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.models import Booking
from apps.coordination.phases import BookingStatus
from apps.coordination.services import itinerary
from apps.coordination.services.bookings import booking_cancel
from apps.exports.document import build_document
from apps.exports.ics import render_ics
from apps.exports.pdf import render_itinerary_pdf
from apps.itineraries.selectors import itinerary_serialize, itinerary_with_days
from apps.vendors.models import Slot
from tests.factories import make_hotel, make_request, make_user

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NIGHTS = 3


def _approved(full_night_offset: int | None = None):
    traveler = make_user()
    start = dt.date.today() + dt.timedelta(days=40)
    state = make_request(traveler, path="browse", start_date=start, end_date=start + dt.timedelta(days=NIGHTS),
                         interests=["culture"], dietary_restrictions=[])
    room = make_hotel(start, full_night=None if full_night_offset is None else start + dt.timedelta(
        days=full_night_offset))
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    approved = itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    return traveler, state, room, approved


def _nights(room):
    return list(Slot.objects.filter(offering=room).order_by("start"))


def test_approving_books_the_stay_once_for_all_its_nights_and_cancelling_releases_every_night():
    traveler, state, room, approved = _approved()
    assert approved.unbooked == []
    stay = Booking.objects.get(state=state, offering=room)
    trip_nights = _nights(room)[1:NIGHTS + 1]
    assert stay.quantity == 1  # two adults, one room
    assert sorted(stay.nights.values_list("pk", flat=True)) == [n.pk for n in trip_nights]
    assert stay.slot_id == trip_nights[0].pk and stay.item.kind == "stay"
    assert stay.price == Decimal("20000") * NIGHTS and stay.currency == "JPY"
    assert [n.capacity_available for n in _nights(room)] == [3, 2, 2, 2, 3, 3]

    booking_cancel(booking_id=stay.pk, actor=traveler)
    assert [n.capacity_available for n in _nights(room)] == [3] * (NIGHTS + 3)
    booking_cancel(booking_id=stay.pk, actor=traveler)  # already cancelled: released once only
    assert [n.capacity_available for n in _nights(room)] == [3] * (NIGHTS + 3)


def test_the_booked_stay_spans_its_nights_in_the_json_the_calendar_and_the_pdf(tmp_path):
    traveler, state, room, approved = _approved()
    stay = Booking.objects.get(state=state, offering=room)
    confirm_instant_booking(stay.pk)
    stay.refresh_from_db()
    assert stay.status == BookingStatus.CONFIRMED and stay.reference.startswith("GRA-")
    start = state.request.start_date

    current = itinerary_with_days().get(pk=approved.current_itinerary_id)
    item = next(i for d in itinerary_serialize(current)["days"] for i in d["items"] if i["kind"] == "stay")
    assert item["start"] == dt.datetime.combine(start, dt.time(14), TOKYO).isoformat()
    assert item["end"] == dt.datetime.combine(start + dt.timedelta(days=NIGHTS), dt.time(11), TOKYO).isoformat()
    assert item["booking"] == {"id": stay.pk, "status": "confirmed", "reference": stay.reference}

    doc = build_document(current)
    event = next(e for e in Calendar.from_ical(render_ics(doc)).walk("VEVENT") if e["summary"] == room.title)
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (start, start + dt.timedelta(days=NIGHTS))
    assert stay.reference in str(event["description"])

    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(render_itinerary_pdf(doc))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert stay.reference in text and "Hotel Gracery" in text


def test_a_full_night_books_nothing_of_the_stay_and_says_why():
    traveler, state, room, approved = _approved(full_night_offset=1)
    assert [(u["code"], u["title"]) for u in approved.unbooked] == [("booking.sold_out", "Double room at Hotel Gracery")]
    assert not Booking.objects.filter(state=state, offering=room).exists()
    assert [n.capacity_available for n in _nights(room)] == [3, 3, 0, 3, 3, 3]
