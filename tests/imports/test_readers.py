"""Each confirmation of the fixture set (tests/imports/fixtures, built by build.py) reads
into the bookings it describes: kind, local start and end with their offsets, the zone,
the place, the reference; and the refused files are refused with their code."""
import random
from pathlib import Path

import pytest

from apps.core.errors import DomainError
from apps.imports.readers import Context, Unreadable, read

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOKYO = "Asia/Tokyo"

# file → [(kind, start, end, time zone, place name starts with, reference)]
EXPECTED = {
    "airline_jsonld.eml": [("flight", "2027-03-14T19:40:00+00:00", "2027-03-15T22:05:00+09:00", TOKYO,
                            "Narita International Airport (NRT)", "TPX4Q7")],
    "hotel_chain_microdata.html": [("stay", "2027-03-18T15:00:00+09:00", "2027-03-20T11:00:00+09:00", TOKYO,
                                    "Grand Kamo Riverside Kyoto", "KY-88213")],
    "booking_site.txt": [("stay", "2027-03-15T15:00:00+09:00", "2027-03-18T11:00:00+09:00", TOKYO,
                          "Hotel Sakura Asakusa", "4417.220.918")],
    "restaurant_jsonld.html": [("restaurant", "2027-03-16T19:30:00+09:00", None, TOKYO, "Sushi Omakase Kanda",
                                "OMK-2291")],
    "rail_jsonld.eml": [("train", "2027-03-18T09:30:00+09:00", "2027-03-18T11:45:00+09:00", TOKYO, "Kyoto Station",
                         "JR-5530-01")],
    "event_ticket.ics": [("event", "2027-03-17T16:30:00+09:00", "2027-03-17T20:50:00+09:00", TOKYO,
                          "Kabukiza Theatre", "KBZ-55120")],
    "return_flight.ics": [("flight", "2027-03-22T11:15:00+09:00", "2027-03-22T15:10:00+00:00", "Europe/Lisbon",
                           "Lisbon Portela Airport (LIS)", "TPX4Q7")],
    "ryokan_allday.ics": [("stay", "2027-03-20T15:00:00+09:00", "2027-03-22T11:00:00+09:00", TOKYO,
                           "Hakone Yumoto Inn", "HK-3310")],
    "airline_eticket.pdf": [("flight", "2027-03-19T08:00:00+09:00", "2027-03-19T09:10:00+09:00", TOKYO,
                             "Osaka International Airport (ITM)", "ITM9Z2")],
    "hotel_invoice.pdf": [("stay", "2027-03-19T15:00:00+09:00", "2027-03-20T10:00:00+09:00", TOKYO,
                           "Dotonbori Canal Hotel", "DCH-60418")],
    "car_rental.eml": [("car", "2027-03-20T09:00:00+09:00", "2027-03-21T18:00:00+09:00", TOKYO,
                        "Narita International Airport (NRT)", "CR-771-204")],
    "event_microdata.eml": [("event", "2027-03-17T10:00:00+09:00", "2027-03-17T12:00:00+09:00", TOKYO,
                             "teamLab Planets", "TL-0092-77")],
    "tour.txt": [("event", "2027-03-16T07:30:00+09:00", "2027-03-16T10:00:00+09:00", TOKYO, "Tsukiji Outer Market",
                  "TSK-1188")],
    "restaurant_with_pdf.eml": [("restaurant", "2027-03-13T20:00:00+00:00", None, "Europe/Lisbon",
                                 "Trattoria Ponte", "TP-4410")],
}
SOURCES = {"eml": "eml", "html": "html", "txt": "text", "ics": "ics", "pdf": "pdf"}


def _read(name: str):
    return read(name, (FIXTURES / name).read_bytes(), Context(trip_zone=TOKYO))


def test_the_fixture_set_covers_every_shape_the_issue_names():
    assert len(EXPECTED) >= 12
    assert {n.rsplit(".", 1)[1] for n in EXPECTED} == set(SOURCES)
    kinds = {item[0] for items in EXPECTED.values() for item in items}
    assert kinds == {"flight", "stay", "train", "restaurant", "event", "car"}
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".py") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_confirmation_reads_into_its_bookings(name):
    reading = _read(name)
    assert reading.source == SOURCES[name.rsplit(".", 1)[1]]
    got = [(f["kind"], f["start"], f["end"], f["time_zone"], f["place"]["name"], f["reference"])
           for f in (found.as_json() for found in reading.items)]
    assert [(k, s, e, z, r) for k, s, e, z, _p, r in got] == [(k, s, e, z, r) for k, s, e, z, _p, r in EXPECTED[name]]
    for (*_, place, _ref), (*_, wanted, _r) in zip(got, EXPECTED[name]):
        assert place.startswith(wanted)


def test_a_flight_keeps_each_end_in_its_own_airport_zone():
    flight = _read("airline_jsonld.eml").items[0].as_json()
    assert (flight["start_zone"], flight["time_zone"]) == ("Europe/Lisbon", TOKYO)
    assert flight["origin"]["name"] == "Lisbon Portela Airport (LIS)"
    assert flight["price"] == {"amount": "1284.60", "currency": "EUR"}
    assert flight["notes"] == []  # both times carried their offsets


def test_a_local_time_is_read_in_the_places_zone_and_said_so():
    stay = _read("hotel_chain_microdata.html").items[0].as_json()
    assert stay["start"] == "2027-03-18T15:00:00+09:00"
    assert any("no offset" in note and "Asia/Tokyo" in note for note in stay["notes"])
    # The same local time in Lisbon is read in Lisbon's zone, not the trip's.
    lisbon = _read("restaurant_with_pdf.eml").items[0].as_json()
    assert lisbon["start"] == "2027-03-13T20:00:00+00:00" and "Europe/Lisbon" in lisbon["notes"][0]


def test_a_place_whose_zone_is_unknown_falls_back_to_the_trips_zone_with_a_note():
    ryokan = _read("ryokan_allday.ics").items[0].as_json()
    assert any("unknown" in note and TOKYO in note for note in ryokan["notes"])
    assert any("whole day" in note for note in ryokan["notes"])


@pytest.mark.parametrize("name, code", [
    ("newsletter.txt", "import.not_a_confirmation"),
    ("scripts.html", "import.active_content"),
    ("malformed.eml", "import.malformed"),
    ("encrypted.pdf", "import.encrypted"),
])
def test_bad_files_are_refused_with_their_code(name, code):
    with pytest.raises(Unreadable) as refused:
        _read(f"bad/{name}")
    assert refused.value.code == code and refused.value.status == 400


@pytest.mark.parametrize("data", [
    b"<html><body><p onclick=\"steal()\">Hotel: X</p></body></html>",
    b"<html><body><a href=\" javascript:alert(1)\">Hotel</a></body></html>",
    b"<html><body><a href=\"java&#9;script:alert(1)\">Hotel</a></body></html>",
    b"<html><body><iframe src=\"https://evil.example\"></iframe></body></html>",
])
def test_html_with_event_handlers_links_or_frames_is_refused(data):
    with pytest.raises(Unreadable) as refused:
        read("mail.html", data, Context(trip_zone=TOKYO))
    assert refused.value.code == "import.active_content"


@pytest.mark.parametrize("data", [b"", b"\x00\xff\xfe binary", b"%PDF-1.7 garbage", b"BEGIN:VCALENDAR\r\nnot ical",
                                  b"Subject: hi\n\nnothing here"])
def test_empty_binary_or_broken_files_are_refused_not_crashed_on(data):
    with pytest.raises(Unreadable):
        read("file", data, Context(trip_zone=TOKYO))


def test_mutated_fixtures_are_read_or_refused_never_crash_the_reader():
    """Bytes flipped, cut and inserted into every fixture: the parsers are third-party code
    fed by anyone, and whatever they raise must end as a refusal (400), not a 500."""
    rnd = random.Random(15)
    seeds = [p.read_bytes() for p in FIXTURES.rglob("*") if p.is_file() and p.suffix != ".py"]
    for _ in range(400):
        data = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 6)):
            at = rnd.randrange(len(data))
            if rnd.random() < 0.5:
                data[at] = rnd.randrange(256)
            else:
                del data[at:at + rnd.randint(1, 80)]
        try:
            read(rnd.choice(["a.eml", "a.ics", "a.pdf", "a.txt"]), bytes(data), Context(trip_zone=TOKYO))
        except DomainError as refused:
            assert refused.status == 400
