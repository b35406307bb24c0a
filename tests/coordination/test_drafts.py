"""The expert's itinerary draft: generate makes it, the expert edits it (move, replace,
remove, pin, note, add), send publishes it. The traveler sees and hears nothing until then;
every edit is checked per role."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.accounts.models import Role
from apps.coordination.access import events_visible_to
from apps.coordination.models import Event, Notification, OutboxMessage
from apps.coordination.notifications import notify_event
from apps.coordination.services import drafts, experts
from apps.coordination.services.itinerary import itinerary_generate, itinerary_send
from apps.core.errors import Conflict, DomainError, NotFound
from apps.integrations.registry import get_provider
from apps.integrations.travel import OfflineTravel
from apps.itineraries.models import Item, Itinerary, Place
from tests.factories import make_expert, make_offering, make_place, make_request, make_slot, make_user, make_vendor
from tests.factories.bookings import make_booking

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def trip():
    """A Tokyo request with an accepted expert, a tour with two times on day 2, a workshop
    on day 3 and a museum, and the expert's first draft."""
    traveler = make_user(first_name="Emma")
    expert = make_expert(user=make_user(Role.EXPERT, first_name="Aiko"))
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    day2 = state.request.start_date + dt.timedelta(days=1)
    tour = make_offering(title="Tsukiji food walk")
    slots = [make_slot(tour, start=dt.datetime.combine(day2, dt.time(h), TOKYO)) for h in (10, 14)]
    workshop = make_offering(title="Kappabashi knife workshop")
    make_slot(workshop, start=dt.datetime.combine(day2 + dt.timedelta(days=1), dt.time(11), TOKYO))
    museum = make_place(name="Tokyo National Museum")
    itinerary_generate(state_id=state.pk, actor=expert.user)
    state.refresh_from_db()
    return type("Trip", (), dict(state=state, traveler=traveler, expert=expert.user, tour=tour, slots=slots,
                                 workshop=workshop, museum=museum, day2=day2,
                                 draft=Itinerary.objects.get(request=state.request, state="draft")))


def edit(trip, verb, **kwargs):
    return getattr(drafts, f"draft_item_{verb}")(state_id=trip.state.pk, actor=trip.expert, **kwargs)


def add_tour(trip, hour=10):
    return edit(trip, "add", day=trip.day2, time=dt.time(hour), offering_id=trip.tour.pk)


def test_the_draft_is_the_experts_until_sent(trip):
    assert trip.state.current_itinerary is None
    drafted = Event.objects.get(state=trip.state, type="itinerary.drafted")
    assert sorted(OutboxMessage.objects.filter(event=drafted).values_list("group", flat=True)) == [
        "staff", f"user.{trip.expert.pk}"]
    item = add_tour(trip)
    notify_event(Event.objects.get(state=trip.state, type="itinerary.draft_edited").pk)
    assert not Notification.objects.filter(user=trip.traveler).exists()  # a draft save notifies nobody
    assert "itinerary.draft_edited" not in events_visible_to(trip.traveler, trip.state.request_id).values_list(
        "type", flat=True)
    assert "itinerary.draft_edited" in events_visible_to(trip.expert, trip.state.request_id).values_list(
        "type", flat=True)

    state = itinerary_send(state_id=trip.state.pk, actor=trip.expert)
    notify_event(Event.objects.get(state=trip.state, type="itinerary.proposed").pk)
    assert state.current_itinerary_id == trip.draft.pk and state.current_itinerary.state == "proposed"
    assert Item.objects.filter(day__itinerary=state.current_itinerary, pk=item.pk).exists()
    [note] = Notification.objects.filter(user=trip.traveler, channel="in_app")
    assert note.title == "Your plan for Tokyo is ready"
    with pytest.raises(Conflict) as refused:
        itinerary_send(state_id=trip.state.pk, actor=trip.expert)
    assert refused.value.code == "itinerary.no_draft"


def test_move_takes_the_vendors_free_slot_and_pins(trip):
    item = add_tour(trip)
    assert (item.slot_id, item.pinned) == (trip.slots[0].pk, True)
    moved = edit(trip, "move", item_id=item.pk, day=trip.day2, time=dt.time(13, 30))
    assert (moved.slot_id, moved.start) == (trip.slots[1].pk, trip.slots[1].start)
    with pytest.raises(Conflict) as no_slot:
        edit(trip, "move", item_id=item.pk, day=trip.day2 + dt.timedelta(days=2), time=dt.time(10))
    assert no_slot.value.code == "itinerary.no_slot"
    with pytest.raises(DomainError) as outside:
        edit(trip, "move", item_id=item.pk, day=trip.state.request.end_date + dt.timedelta(days=1),
             time=dt.time(10))
    assert outside.value.code == "itinerary.bad_move" and "day" in outside.value.fields


def test_replace_remove_and_the_alternatives(trip):
    item = add_tour(trip)
    replaced = edit(trip, "replace", item_id=item.pk, place_id=trip.museum.pk)
    trip.draft.refresh_from_db()
    assert (replaced.pk, replaced.title, replaced.place_id, replaced.slot_id) == (
        item.pk, "Tokyo National Museum", trip.museum.pk, None)
    assert trip.draft.left_out[0] == {"title": "Tsukiji food walk",
                                      "reason": "your expert chose Tokyo National Museum instead"}
    edit(trip, "replace", item_id=item.pk, offering_id=trip.tour.pk)  # and back, from the alternatives
    trip.draft.refresh_from_db()
    assert "Tsukiji food walk" not in [e["title"] for e in trip.draft.left_out]
    total = trip.draft.total
    edit(trip, "remove", item_id=item.pk)
    trip.draft.refresh_from_db()
    assert not Item.objects.filter(pk=item.pk).exists() and trip.draft.total < total
    assert trip.draft.left_out[0]["title"] == "Tsukiji food walk"
    with pytest.raises(NotFound):
        edit(trip, "pin", item_id=item.pk, pinned=True)
    with pytest.raises(DomainError) as unknown:
        edit(trip, "add", day=trip.day2, time=dt.time(9), offering_id=make_offering(
            vendor=make_vendor(city="Kyoto")).pk)
    assert unknown.value.code == "itinerary.unknown_entry"


def test_pin_and_note_and_regenerate_keeps_the_pins(trip):
    item = edit(trip, "add", day=trip.day2 + dt.timedelta(days=1), time=dt.time(11), offering_id=trip.workshop.pk)
    assert edit(trip, "pin", item_id=item.pk, pinned=False).pinned is False
    edit(trip, "pin", item_id=item.pk, pinned=True)
    assert edit(trip, "note", item_id=item.pk, tips=["Bring cash", " "]).tips == ["Bring cash"]
    itinerary_generate(state_id=trip.state.pk, actor=trip.expert)
    trip.draft.refresh_from_db()
    assert trip.draft.state == "superseded"
    new = Itinerary.objects.get(request=trip.state.request, state="draft")
    kept = Item.objects.get(day__itinerary=new, offering=trip.workshop)
    assert kept.start == item.start and kept.pinned


def test_a_booked_item_is_not_edited(trip):
    item = add_tour(trip)
    make_booking(trip.state, slot=trip.slots[0], status="pending")  # test setup: a hold on the item's slot
    with pytest.raises(Conflict) as booked:
        edit(trip, "remove", item_id=item.pk)
    assert booked.value.code == "itinerary.item_booked"


@pytest.mark.parametrize(("who", "error"), [("traveler", "Forbidden"), ("other_expert", "NotFound"),
                                            ("vendor", "NotFound"), ("stranger", "NotFound")])
def test_only_the_expert_and_staff_edit_and_send(trip, who, error):
    item = add_tour(trip)
    actor = {"traveler": lambda: trip.traveler, "other_expert": lambda: make_expert().user,
             "vendor": lambda: trip.tour.vendor.user, "stranger": lambda: make_user()}[who]()
    calls = [lambda: drafts.draft_item_move(state_id=trip.state.pk, actor=actor, item_id=item.pk, day=trip.day2,
                                            time=dt.time(14)),
             lambda: drafts.draft_item_replace(state_id=trip.state.pk, actor=actor, item_id=item.pk,
                                               place_id=trip.museum.pk),
             lambda: drafts.draft_item_remove(state_id=trip.state.pk, actor=actor, item_id=item.pk),
             lambda: drafts.draft_item_pin(state_id=trip.state.pk, actor=actor, item_id=item.pk, pinned=False),
             lambda: drafts.draft_item_note(state_id=trip.state.pk, actor=actor, item_id=item.pk, tips=["x"]),
             lambda: drafts.draft_item_add(state_id=trip.state.pk, actor=actor, day=trip.day2, time=dt.time(9),
                                           place_id=trip.museum.pk),
             lambda: itinerary_send(state_id=trip.state.pk, actor=actor)]
    for call in calls:
        with pytest.raises(DomainError) as refused:
            call()
        assert type(refused.value).__name__ == error
    version = trip.state.version + 1  # the add above
    trip.state.refresh_from_db()
    assert trip.state.version == version and trip.state.current_itinerary_id is None


def test_staff_edit_for_the_expert(trip, staff):
    item = drafts.draft_item_add(state_id=trip.state.pk, actor=staff, day=trip.day2, time=dt.time(10),
                                 offering_id=trip.tour.pk)
    assert item.slot_id == trip.slots[0].pk
    assert itinerary_send(state_id=trip.state.pk, actor=staff).current_itinerary_id == trip.draft.pk


def _assert_travel_follows_the_stops(draft, date):
    """Every stop of ``date`` after the first is the provider's time from the stop before it."""
    stops = [(item.title, (item.lat, item.lon), item.travel_from_previous_min)
             for item in Item.objects.filter(day__itinerary=draft, day__date=date).exclude(kind="stay")]
    for (_title, before, _m), (title, here, travel) in zip(stops, stops[1:]):
        assert travel == OfflineTravel().leg(before, here).minutes, title
    return stops


def test_edits_keep_the_travel_from_the_previous_stop(trip, monkeypatch):
    """A stop added, moved or removed changes who comes before whom: every stop's travel is
    the provider's time from the one before it that day (asked before the lock)."""
    Place.objects.filter(pk=trip.museum.pk).update(lat=35.7188, lon=139.7765)  # Ueno, 4.5 km north
    trip.museum.refresh_from_db()
    asked = []
    real = get_provider("travel")
    monkeypatch.setattr(drafts, "get_provider", lambda kind: asked.append(kind) or real)
    add_tour(trip)
    museum = edit(trip, "add", day=trip.day2, time=dt.time(16), place_id=trip.museum.pk)
    assert asked == ["travel"]  # the second edit has two places to ask about
    museum.refresh_from_db()
    assert museum.travel_from_previous_min > 0
    _assert_travel_follows_the_stops(trip.draft, trip.day2)

    edit(trip, "move", item_id=museum.pk, day=trip.day2, time=dt.time(8))
    stops = _assert_travel_follows_the_stops(trip.draft, trip.day2)
    assert stops[0][0] == "Tokyo National Museum" and stops[1][2] > 0  # the next stop now comes from Ueno
    edit(trip, "remove", item_id=museum.pk)
    stops = _assert_travel_follows_the_stops(trip.draft, trip.day2)
    assert [travel for _t, _p, travel in stops[1:]] == [0] * (len(stops) - 1)  # all at the same corner again
