"""The trip guard (apps.coordination.checks): each check fires on a trip built to break it
and stays silent on the sound trip of ``make_trip``; times are judged in each place's own
zone; the stored result after any sequence of commands equals a fresh evaluation."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.coordination.checks import evaluate, for_vendor
from apps.coordination.models import CoordinationState, Event, PaymentInstallment, SupplierReservation
from apps.coordination.services.guard import checks_apply, checks_refresh, travel_set
from apps.core.errors import Conflict
from apps.itineraries.models import Item
from tests.factories import make_vendor
from tests.factories.trips import make_trip

pytestmark = pytest.mark.django_db


def codes(trip) -> list[str]:
    return [f["code"] for f in evaluate(trip.fresh())]


def only(trip, code: str) -> dict:
    findings = evaluate(trip.fresh())
    assert [f["code"] for f in findings] == [code], findings
    return findings[0]


def flight(at: dt.datetime, place: str = "NRT") -> dict:
    return {"at": at.isoformat(), "mode": "flight", "place": place, "reference": "TP1234"}


def test_the_sound_trip_has_no_findings():
    trip = make_trip()
    trip.set_legs(arrival=flight(trip.at(0, 12, 30)), departure=flight(trip.at(3, 18), "HND"))
    assert codes(trip) == []


def test_arrival_after_the_first_item_suggests_moving_it():
    trip = make_trip()
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    trip.set_legs(arrival=flight(trip.at(0, 22, 5)))
    finding = only(trip, "arrival.after_first_item")
    assert finding["severity"] == "error" and finding["items"][0]["id"] == trip.dinner.pk
    assert "22:05" in finding["message"] and "19:30" in finding["message"]
    suggestion = finding["suggestion"]
    assert suggestion["action"] == "move" and suggestion["start"] == trip.at(1, 19, 30).isoformat()
    assert suggestion["label"].startswith("Move Izakaya dinner")


def test_departure_before_the_last_item():
    trip = make_trip()
    late = trip.item(3, 10, title="Last walk")
    trip.set_legs(departure=flight(trip.at(3, 12), "HND"))
    finding = only(trip, "departure.before_last_item")
    assert finding["items"][0]["id"] == late.pk
    assert finding["suggestion"]["start"] == trip.at(2, 10).isoformat()


def test_a_night_without_a_stay_suggests_booking_it():
    trip = make_trip()
    Item.objects.filter(pk=trip.stay.pk).update(end=trip.at(2, 11))
    finding = only(trip, "stay.night_uncovered")
    assert finding["items"][0]["id"] == trip.stay.pk and "No place to sleep the night of" in finding["message"]
    assert finding["suggestion"]["action"] == "move" and finding["suggestion"]["end"] == trip.at(3, 11).isoformat()
    assert finding["suggestion"]["label"] == "Book the night at Hotel Gracery Shinjuku"


def test_arriving_long_before_check_in_is_a_warning():
    trip = make_trip()
    trip.set_legs(arrival=flight(trip.at(0, 6, 30)))
    finding = only(trip, "stay.checkin_after_arrival_gap")
    assert finding["severity"] == "warning" and finding["suggestion"] is None
    trip.item(0, 11, title="Shinjuku Gyoen")  # somewhere to go: no warning
    assert codes(trip) == []


def test_an_item_outside_the_trip():
    trip = make_trip()
    outside = trip.item(0, 10)
    Item.objects.filter(pk=outside.pk).update(start=trip.at(0, 10) - dt.timedelta(days=2),
                                              end=trip.at(0, 11) - dt.timedelta(days=2))
    finding = only(trip, "item.outside_trip")
    assert finding["suggestion"] == {**finding["suggestion"], "action": "remove", "item": outside.pk}


def test_two_bookings_at_once_and_a_transfer_too_short():
    trip = make_trip()
    a = trip.booking(2, 11)
    trip.booking(2, 11, 30)
    assert codes(trip) == ["items.overlap"]
    trip = make_trip()
    trip.booking(2, 11)
    shibuya = trip.booking(2, 12, 5, lat=35.6595, lon=139.7005)
    finding = only(trip, "transfer.too_short")
    assert [i["booking"] for i in finding["items"]][1] == shibuya.pk and a.pk != shibuya.pk


def test_a_place_closed_at_that_time_suggests_its_opening_hours():
    trip = make_trip()
    Item.objects.filter(pk=trip.museum.pk).update(start=trip.at(1, 17, 30), end=trip.at(1, 18, 30))
    finding = only(trip, "place.closed")
    assert finding["suggestion"]["start"] == trip.at(1, 9).isoformat()


def test_a_hold_expiring_before_the_decision():
    trip = make_trip()
    booking = trip.booking(2, 11, status="pending", deadline=timezone.now() + dt.timedelta(hours=48))
    SupplierReservation.objects.create(booking=booking, uuid="u-1", status="on_hold",
                                       expires_at=timezone.now() + dt.timedelta(hours=2))
    assert codes(trip) == ["hold.expires_before_decision"]
    SupplierReservation.objects.filter(booking=booking).update(expires_at=timezone.now() + dt.timedelta(hours=72))
    assert codes(trip) == []


def test_a_payment_due_after_the_event():
    trip = make_trip()
    booking = trip.booking(2, 11)
    due = trip.start + dt.timedelta(days=5)
    PaymentInstallment.objects.create(booking=booking, kind="balance", amount=Decimal("100"), currency="EUR",
                                      due_date=due)
    assert codes(trip) == ["payment.due_after_event"]
    PaymentInstallment.objects.filter(booking=booking).update(paid_at=timezone.now())
    assert codes(trip) == []


def test_arriving_from_lisbon_into_tokyo_is_judged_in_tokyo_time():
    """The traveler typed the landing time as shown at home (Lisbon, +00:00 in winter):
    the stated offset disagrees with Narita's zone, and the items are judged against the
    instant it names, in Tokyo's local time."""
    trip = make_trip()
    Item.objects.filter(pk=trip.museum.pk).update(start=trip.at(1, 9), end=trip.at(1, 10))  # at opening time
    landing = trip.at(0, 22, 5)
    as_in_lisbon = landing.replace(tzinfo=dt.timezone.utc)  # 22:05 +00:00 = 07:05 next day in Tokyo
    trip.set_legs(arrival=flight(as_in_lisbon))
    findings = {f["code"]: f for f in evaluate(trip.fresh())}
    assert set(findings) == {"time_zone.mismatch", "arrival.after_first_item"}
    mismatch = findings["time_zone.mismatch"]
    assert "+00:00" in mismatch["message"] and "+09:00" in mismatch["message"]
    assert mismatch["suggestion"]["action"] == "fix_leg" and mismatch["suggestion"]["at"] == landing.isoformat()
    # 07:05 in Tokyo on day 1: the museum at 09:00 is out of reach (Narita is 1 h 20 from Ueno), the dinner is not
    late = findings["arrival.after_first_item"]
    assert [i["id"] for i in late["items"]] == [trip.museum.pk] and "07:05" in late["message"]

    travel_set(state_id=trip.state.pk, actor=trip.state.request.traveler,
               legs={"arrival": flight(landing)})  # read in Tokyo's zone: sound again
    assert codes(trip) == []


def test_apply_moves_the_item_and_the_finding_goes():
    trip = make_trip()
    traveler = trip.state.request.traveler
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    travel_set(state_id=trip.state.pk, actor=traveler, legs={"arrival": flight(trip.at(0, 22, 5))})
    assert checks_refresh(state_id=trip.state.pk) is True
    state = trip.fresh()
    assert [f["code"] for f in state.checks] == ["arrival.after_first_item"]
    assert Event.objects.filter(state=state).last().type == "checks.changed"
    checks_apply(state_id=state.pk, actor=traveler, suggestion_id=state.checks[0]["suggestion"]["id"])
    checks_refresh(state_id=state.pk)
    state = trip.fresh()
    assert state.checks == [] and state.current_itinerary.version == 2
    dinner = Item.objects.get(day__itinerary=state.current_itinerary, title="Izakaya dinner")
    assert dinner.start == trip.at(1, 19, 30)
    with pytest.raises(Conflict) as gone:
        checks_apply(state_id=state.pk, actor=traveler, suggestion_id="0123456789ab")
    assert gone.value.code == "checks.suggestion_gone"
    assert checks_refresh(state_id=state.pk) is False  # unchanged: no event


def test_vendors_see_only_findings_about_their_own_bookings():
    trip = make_trip()
    mine, theirs = make_vendor(), make_vendor()
    booking = trip.booking(2, 11, vendor=mine)
    trip.booking(2, 11, 30, vendor=theirs)  # overlap: about both vendors
    PaymentInstallment.objects.create(booking=booking, kind="balance", amount=Decimal("10"), currency="EUR",
                                      due_date=trip.start + dt.timedelta(days=9))
    findings = evaluate(trip.fresh())
    assert {f["code"] for f in findings} == {"items.overlap", "payment.due_after_event"}
    assert [f["code"] for f in for_vendor(findings, mine.pk)] == ["payment.due_after_event"]
    assert for_vendor(findings, theirs.pk) == []


# --- property: the stored result equals a fresh evaluation after any commands ------------

STEPS = ("arrive_late", "arrive_early", "clear_legs", "dinner_day0", "dinner_day1", "apply_first", "refresh")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=6))
def test_stored_checks_equal_a_fresh_evaluation(django_capture_on_commit_callbacks, steps, monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)  # the guard task runs at once, after each commit
    trip = make_trip()
    traveler = trip.state.request.traveler

    def move_dinner(day):
        Item.objects.filter(day__itinerary_id=trip.fresh().current_itinerary_id, title="Izakaya dinner").update(
            start=trip.at(day, 19, 30), end=trip.at(day, 21))
        travel_set(state_id=trip.state.pk, actor=traveler, legs={})  # any guarded command

    actions = {
        "arrive_late": lambda: travel_set(state_id=trip.state.pk, actor=traveler,
                                          legs={"arrival": flight(trip.at(0, 22, 5))}),
        "arrive_early": lambda: travel_set(state_id=trip.state.pk, actor=traveler,
                                           legs={"arrival": flight(trip.at(0, 6, 0))}),
        "clear_legs": lambda: travel_set(state_id=trip.state.pk, actor=traveler, legs={"arrival": None}),
        "dinner_day0": lambda: move_dinner(0),
        "dinner_day1": lambda: move_dinner(1),
        "apply_first": lambda: [checks_apply(state_id=trip.state.pk, actor=traveler, suggestion_id=f["suggestion"]["id"])
                                for f in trip.fresh().checks[:1] if f["suggestion"]],
        "refresh": lambda: checks_refresh(state_id=trip.state.pk),
    }
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            actions[step]()
        state = trip.fresh()
        assert state.checks == evaluate(state), (steps, step)
    changes = Event.objects.filter(state=trip.state, type="checks.changed").count()
    assert changes <= len(steps)
    assert CoordinationState.objects.get(pk=trip.state.pk).version == Event.objects.filter(state=trip.state).count()


def test_the_sweep_catches_a_guard_that_was_never_queued():
    """The command committed but its guard task was lost (broker down): the periodic sweep
    stores the result and records checks.changed; a second sweep changes nothing."""
    from apps.coordination.flow_tasks import refresh_recent_checks

    trip = make_trip()
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    travel_set(state_id=trip.state.pk, actor=trip.state.request.traveler, legs={"arrival": flight(trip.at(0, 22, 5))})
    assert trip.fresh().checks == []  # the after-commit task never ran in this transaction
    assert refresh_recent_checks() == 1
    assert [f["code"] for f in trip.fresh().checks] == ["arrival.after_first_item"]
    assert refresh_recent_checks() == 0


# --- bookings made elsewhere (confirmation import) ---------------------------------

def add_external(trip, **item) -> None:
    from apps.coordination.services.external import external_bookings_add

    external_bookings_add(state_id=trip.state.pk, actor=trip.state.request.traveler, items=[{
        "time_zone": "Asia/Tokyo", "reference": "X1", **item}])


def test_an_imported_flight_is_the_arrival_when_the_request_has_none():
    """A flight from Lisbon landing at Narita at 22:05 on day 0 (it left the day before, in
    Lisbon's time: not 'outside the trip') is the arrival the guard judges the plan by."""
    trip = make_trip()
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    landing = trip.at(0, 22, 5)
    add_external(trip, kind="flight", title="TP 1234 Lisbon → Tokyo Narita", start_zone="Europe/Lisbon",
                 start=(landing - dt.timedelta(hours=15)).astimezone(dt.timezone(dt.timedelta(0))).isoformat(),
                 end=landing.isoformat(), origin={"name": "LIS"},
                 place={"name": "Narita International Airport", "lat": 35.7647, "lon": 140.3864})
    finding = only(trip, "arrival.after_first_item")
    assert "22:05" in finding["message"] and finding["suggestion"]["label"].startswith("Move Izakaya dinner")


def test_an_imported_departure_and_a_table_with_a_wrong_offset():
    trip = make_trip()
    late = trip.item(3, 10, title="Last walk")
    add_external(trip, kind="flight", title="NH 211 Tokyo Haneda → Lisbon", start_zone="Asia/Tokyo",
                 time_zone="Europe/Lisbon", start=trip.at(3, 12).isoformat(), end=trip.at(3, 23).isoformat(),
                 origin={"name": "HND"}, place={"name": "Lisbon Airport", "lat": 38.7742, "lon": -9.1342})
    assert [i["id"] for i in only(trip, "departure.before_last_item")["items"]] == [late.pk]

    trip = make_trip()
    as_if_in_lisbon = trip.at(2, 20).replace(tzinfo=dt.timezone(dt.timedelta(hours=1)))
    add_external(trip, kind="restaurant", title="Table at Sushi Saito", start=as_if_in_lisbon.isoformat(),
                 stated_offset_min=60, place={"name": "Sushi Saito", "lat": 35.667, "lon": 139.74})
    finding = only(trip, "time_zone.mismatch")
    assert "+01:00" in finding["message"] and "+09:00" in finding["message"]
    assert finding["items"][0]["type"] == "external" and finding["suggestion"] is None


def test_a_stay_booked_elsewhere_covers_its_nights():
    trip = make_trip()
    Item.objects.filter(pk=trip.stay.pk).update(end=trip.at(2, 11))  # the plan's hotel: two nights only
    assert codes(trip) == ["stay.night_uncovered"]
    add_external(trip, kind="stay", title="Ryokan Sawanoya", start=trip.at(2, 15).isoformat(),
                 end=trip.at(3, 11).isoformat(), place={"name": "Ryokan Sawanoya", "lat": 35.72, "lon": 139.77})
    assert codes(trip) == []
