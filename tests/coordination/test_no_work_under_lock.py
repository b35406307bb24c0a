"""The planner, its providers and the vendors' inventories never run while a coordination
row is locked: commands plan first and apply only if the state's version is unchanged
(``state.version_conflict`` otherwise).

Transactional tests, so that ``connection.in_atomic_block`` means what it says; on
PostgreSQL a second connection also tries to lock the state row (``NOWAIT``) from inside
each provider call.
"""
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.coordination import checks
from apps.coordination.flow_tasks import match_or_fallback
from apps.coordination.models import Booking, CoordinationState, Event
from apps.coordination.services import browse, chat, itinerary
from apps.coordination.services.changes import requirements_change
from apps.coordination.services.guard import checks_refresh, travel_set
from apps.core.errors import Conflict
from apps.integrations import registry
from apps.integrations.travel import OfflineTravel
from apps.integrations.weather import NoWeather
from apps.itineraries.models import Item, Itinerary
from apps.vendors import inventory
from tests.conftest import ON_POSTGRES
from tests.factories import make_offering, make_request, make_slot, make_vendor
from tests.factories.trips import make_trip

pytestmark = pytest.mark.django_db(transaction=True)

TOKYO = ZoneInfo("Asia/Tokyo")


def _row_free(state_id: int) -> bool:
    """Whether another connection can lock the state row at once (PostgreSQL)."""
    free = []

    def probe():
        try:
            with transaction.atomic():
                list(CoordinationState.objects.select_for_update(nowait=True).filter(pk=state_id))
            free.append(True)
        except DatabaseError:
            free.append(False)
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return free[0]


class Probe:
    """Called from inside each provider and inventory call; records where it ran."""

    def __init__(self):
        self.state_id = None
        self.calls = []
        self.during = None  # something to do while planning (another command)

    def __call__(self, what: str) -> None:
        self.calls.append((what, connection.in_atomic_block,
                           _row_free(self.state_id) if ON_POSTGRES and self.state_id else True))
        if self.during:
            during, self.during = self.during, None
            during()

    def assert_outside_the_lock(self, *kinds: str) -> None:
        assert {what for what, _, _ in self.calls} >= set(kinds), self.calls
        assert [(what, atomic, free) for what, atomic, free in self.calls if atomic or not free] == []


@pytest.fixture
def probe(monkeypatch, settings):
    """Weather and travel-time providers and an inventory adapter (``"test-probe"``) that
    report to the probe."""
    probe = Probe()

    class ProbeWeather(NoWeather):
        def forecast(self, *args, **kwargs):
            probe("weather")
            return super().forecast(*args, **kwargs)

    class ProbeTravel(OfflineTravel):
        def matrix(self, points):
            probe("travel")
            return super().matrix(points)

    class ProbeInventory(inventory.PlatformInventory):
        def availability(self, offering, start, end):
            probe("inventory")
            return super().availability(offering, start, end)

    monkeypatch.setitem(registry.BACKENDS["weather"], "probe", lambda config: ProbeWeather())
    monkeypatch.setitem(registry.BACKENDS["travel"], "probe", lambda config: ProbeTravel())
    settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "weather": {"backend": "probe"},
                                     "travel": {"backend": "probe"}}
    inventory.register("test-probe", ProbeInventory)
    yield probe
    inventory.unregister("test-probe")


def _browse_request(probe):
    """A browse request in planning with one wish at a slot of a vendor on the probed inventory."""
    state = make_request(path="browse")
    probe.state_id = state.pk
    offering = make_offering(make_vendor(inventory_adapter="test-probe"), title="Robot show")
    day = state.request.start_date + dt.timedelta(days=1)
    slot = make_slot(offering, start=dt.datetime.combine(day, dt.time(19), TOKYO))
    browse.plan_item_add(state_id=state.pk, actor=state.request.traveler, offering_id=offering.pk, slot_id=slot.pk)
    return state, offering, slot


def _item_of(state, offering):
    state.refresh_from_db()
    return next(i for d in state.current_itinerary.days.all() for i in d.items.all() if i.offering_id == offering.pk)


def test_generate_and_replans_run_the_planner_outside_the_lock(probe):
    state, offering, _ = _browse_request(probe)
    traveler = state.request.traveler
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    probe.assert_outside_the_lock("weather", "travel")

    probe.calls.clear()
    itinerary.itinerary_item_modify(state_id=state.pk, actor=traveler, item_id=_item_of(state, offering).pk,
                                    day=state.request.start_date + dt.timedelta(days=2), time=dt.time(15))
    probe.assert_outside_the_lock("weather", "travel")

    probe.calls.clear()
    requirements_change(state_id=state.pk, actor=traveler, interests=["food"])
    probe.assert_outside_the_lock("weather", "travel")
    assert list(Event.objects.filter(state=state).order_by("version").values_list("type", flat=True))[-4:] == [
        "itinerary.item_modified", "itinerary.proposed", "requirements.changed", "itinerary.proposed"]


def test_approve_asks_the_inventories_outside_the_lock(probe):
    state, offering, slot = _browse_request(probe)
    itinerary.itinerary_generate(state_id=state.pk, actor=state.request.traveler)
    probe.calls.clear()

    approved = itinerary.itinerary_approve(state_id=state.pk, actor=state.request.traveler)

    probe.assert_outside_the_lock("inventory")
    assert approved.unbooked == []
    assert Booking.objects.get(state=state).slot_id == slot.pk


def test_api_booking_with_an_idempotency_key_asks_the_inventory_outside_any_transaction(probe):
    state, _, slot = _browse_request(probe)
    CoordinationState.objects.filter(pk=state.pk).update(phase="booking")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=state.request.traveler).key}")
    body = {"request": state.request_id, "slot": slot.pk, "quantity": 1}

    first = client.post("/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="book-1")
    replay = client.post("/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="book-1")

    assert (first.status_code, replay.status_code) == (201, 201), first.data
    assert replay.data == first.data and replay.headers["Idempotent-Replayed"] == "true"
    assert Booking.objects.filter(state=state).count() == 1
    probe.assert_outside_the_lock("inventory")


def test_a_command_during_planning_refuses_the_plan_with_a_version_conflict(probe):
    state, offering, _ = _browse_request(probe)
    traveler = state.request.traveler
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    state.refresh_from_db()
    before = (state.version, state.current_itinerary_id, Itinerary.objects.count())
    probe.during = lambda: chat.message_post(state_id=state.pk, actor=traveler, body="One more thing…")
    client = APIClient()
    client.force_authenticate(traveler)

    response = client.post(f"/api/v1/requests/{state.request_id}/itinerary/generate/", {}, format="json")

    assert response.status_code == 409 and response.data["code"] == "state.version_conflict"
    state.refresh_from_db()
    assert (state.version, state.current_itinerary_id, Itinerary.objects.count()) == (
        before[0] + 1, before[1], before[2])
    assert Event.objects.filter(state=state).latest("version").type == "message.posted"

    # A re-plan records its event and the next version together, or neither.
    probe.during = lambda: chat.message_post(state_id=state.pk, actor=traveler, body="And another.")
    with pytest.raises(Conflict) as refused:
        itinerary.itinerary_item_reject(state_id=state.pk, actor=traveler, item_id=_item_of(state, offering).pk)
    assert refused.value.code == "state.version_conflict"
    assert not Event.objects.filter(state=state, type="itinerary.item_rejected").exists()
    assert Itinerary.objects.count() == before[2]


def test_the_platform_plans_again_when_a_command_got_in_while_it_planned(probe):
    state = make_request()  # expert path, no expert on the platform: the fallback plans
    probe.state_id = state.pk
    probe.during = lambda: chat.message_post(state_id=state.pk, actor=state.request.traveler, body="Anyone there?")

    assert match_or_fallback(state.pk) is True

    state.refresh_from_db()
    assert state.current_itinerary is not None and state.current_itinerary.version == 1
    assert list(Event.objects.filter(state=state).order_by("version").values_list("type", flat=True))[-2:] == [
        "message.posted", "itinerary.proposed"]
    probe.assert_outside_the_lock("weather", "travel")


def test_the_trip_guard_evaluates_outside_the_lock_and_again_when_the_trip_changed(monkeypatch):
    def flight(at):
        return {"at": at.isoformat(), "mode": "flight", "place": "NRT", "reference": "TP1234"}

    trip = make_trip()
    traveler = trip.state.request.traveler
    Item.objects.filter(pk=trip.dinner.pk).update(day=trip.days[0], start=trip.at(0, 19, 30), end=trip.at(0, 21))
    travel_set(state_id=trip.state.pk, actor=traveler, legs={"arrival": flight(trip.at(0, 22, 5))})
    evaluate, seen = checks.evaluate, []

    def probe(state):
        seen.append((connection.in_atomic_block, _row_free(state.pk) if ON_POSTGRES else True, state.version))
        if len(seen) == 1:  # the traveler changes the arrival while the guard evaluates the old one
            travel_set(state_id=state.pk, actor=traveler, legs={"arrival": flight(trip.at(0, 6))})
        return evaluate(state)

    monkeypatch.setattr(checks, "evaluate", probe)
    checks_refresh(state_id=trip.state.pk)
    state = trip.fresh()
    assert [(atomic, free) for atomic, free, _ in seen] == [(False, True), (False, True)]
    assert seen[1][2] == seen[0][2] + 1  # evaluated again on the changed trip
    assert state.checks == evaluate(state) and "arrival.after_first_item" not in {f["code"] for f in state.checks}
