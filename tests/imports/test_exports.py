"""Bookings made elsewhere in the exports: the calendar file (each time in its own zone)
and the PDF, marked as not managed by Traveloure."""
import io

import icalendar
import pytest
from pypdf import PdfReader

from apps.coordination.services.external import external_bookings_add
from apps.exports.document import build_document, content_fingerprint
from apps.exports.ics import render_ics
from apps.exports.pdf import render_itinerary_pdf
from tests.itineraries import factories
from tests.itineraries.factories import make_itinerary

pytestmark = pytest.mark.django_db
media_root = factories.media_root  # the PDF's images go to a temporary MEDIA_ROOT
FLIGHT = {"kind": "flight", "title": "Flight TP1234", "start": "2027-03-14T19:40:00+00:00",
          "end": "2027-03-15T22:05:00+09:00", "start_zone": "Europe/Lisbon", "time_zone": "Asia/Tokyo",
          "origin": {"name": "Lisbon Portela Airport (LIS)"}, "place": {"name": "Narita International Airport (NRT)"},
          "reference": "TPX4Q7", "price": {"amount": "1284.60", "currency": "EUR"}}


@pytest.fixture
def itinerary():
    itinerary = make_itinerary(days=2)
    state = itinerary.request.coordination
    before = content_fingerprint(itinerary)
    external_bookings_add(state_id=state.pk, actor=itinerary.request.traveler, items=[FLIGHT])
    assert content_fingerprint(itinerary) != before  # a rendered file is made again
    return itinerary


def test_the_calendar_carries_the_flight_in_its_airports_zones(itinerary):
    calendar = icalendar.Calendar.from_ical(render_ics(build_document(itinerary)))
    [flight] = [e for e in calendar.walk("VEVENT") if "TP1234" in str(e["SUMMARY"])]
    assert str(flight["SUMMARY"]) == "Flight TP1234 (booked elsewhere)"
    assert flight["DTSTART"].dt.isoformat() == "2027-03-14T19:40:00+00:00"
    assert str(flight["DTSTART"].dt.tzinfo) == "Europe/Lisbon" and str(flight["DTEND"].dt.tzinfo) == "Asia/Tokyo"
    assert flight["DTEND"].dt.isoformat() == "2027-03-15T22:05:00+09:00"
    assert "not managed by Traveloure" in str(flight["DESCRIPTION"]) and "TPX4Q7" in str(flight["DESCRIPTION"])
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} >= {"Europe/Lisbon", "Asia/Tokyo"}


def test_the_pdf_lists_it_as_booked_elsewhere_in_local_times(itinerary, media_root, tmp_path):
    path = tmp_path / "trip.pdf"
    path.write_bytes(render_itinerary_pdf(build_document(itinerary)))
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())
    assert "Booked elsewhere" in text and "not managed by Traveloure" in text
    assert "Sun 14 Mar 19:40 (Europe/Lisbon)" in text and "Mon 15 Mar 22:05 (Asia/Tokyo)" in text
