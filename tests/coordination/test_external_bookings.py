"""``external_bookings_add`` (``external.added``): bookings made elsewhere join the trip
through the engine; malformed items, closed requests and other parties are refused with
nothing written; the event reaches the request's parties after commit, never a vendor."""
import pytest

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState, Event, ExternalBooking, OutboxMessage
from apps.coordination.services.bookings import booking_request
from apps.coordination.services.external import MAX_ITEMS, external_bookings_add
from apps.core.errors import Conflict, DomainError, Forbidden, NotFound
from apps.vendors.models import Confirmation
from tests.factories import make_booking_state, make_expert, make_offering, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db
DINNER = {"kind": "restaurant", "title": "Sushi Omakase Kanda", "start": "2027-03-16T19:30:00+09:00",
          "time_zone": "Asia/Tokyo", "place": {"name": "Sushi Omakase Kanda", "lat": 35.69, "lon": 139.75},
          "reference": "OMK-2291", "price": {"amount": "180.00", "currency": "USD"}}


@pytest.fixture
def state():
    return make_booking_state(expert=make_expert())


def test_adds_the_rows_and_records_one_event_published_after_commit(state, django_capture_on_commit_callbacks):
    traveler = state.request.traveler
    with django_capture_on_commit_callbacks() as callbacks:
        [row] = external_bookings_add(state_id=state.pk, actor=traveler, items=[DINNER], source_import_id=7)
    assert len(callbacks) == 1  # publishing waits for the commit
    assert (row.kind, row.reference, row.time_zone, str(row.price), row.currency, row.created_by, row.lat) == (
        "restaurant", "OMK-2291", "Asia/Tokyo", "180.00", "USD", traveler, 35.69)
    assert ExternalBooking.objects.get().starts_at.isoformat() == "2027-03-16T10:30:00+00:00"  # stored in UTC
    event = Event.objects.get(state=state, type="external.added")
    assert event.version == CoordinationState.objects.get(pk=state.pk).version
    assert event.payload["import"] == 7 and event.payload["external_bookings"][0]["managed_here"] is False
    groups = set(OutboxMessage.objects.filter(event=event).values_list("group", flat=True))
    assert f"request.{state.request_id}" in groups and not any(g.startswith("vendor.") for g in groups)


@pytest.mark.parametrize("change, field", [
    ({"start": "2027-03-16T19:30:00"}, "items.0.start"),  # a time without its offset is refused, not guessed
    ({"kind": "spa"}, "items.0.kind"),
    ({"time_zone": "Mars/Olympus"}, "items.0.time_zone"),
    ({"end": "2027-03-16T18:00:00+09:00"}, "items.0.end"),
    ({"price": {"amount": "lots", "currency": "USD"}}, "items.0.price"),
])
def test_malformed_items_are_refused_and_nothing_is_written(state, change, field):
    with pytest.raises(DomainError) as refused:
        external_bookings_add(state_id=state.pk, actor=state.request.traveler, items=[DINNER, {**DINNER, **change}])
    assert refused.value.code == "external.invalid" and field.replace("0", "1") in refused.value.fields
    assert ExternalBooking.objects.count() == 0 and not Event.objects.filter(type="external.added").exists()


def test_none_or_too_many_items_are_refused(state):
    for items in ([], [DINNER] * (MAX_ITEMS + 1)):
        with pytest.raises(DomainError):
            external_bookings_add(state_id=state.pk, actor=state.request.traveler, items=items)
    assert ExternalBooking.objects.count() == 0


def test_a_closed_request_takes_none(state):
    CoordinationState.objects.filter(pk=state.pk).update(phase="completed")
    with pytest.raises(Conflict) as refused:
        external_bookings_add(state_id=state.pk, actor=state.request.traveler, items=[DINNER])
    assert refused.value.code == "state.wrong_phase" and ExternalBooking.objects.count() == 0


def test_the_expert_adds_staff_and_vendors_and_strangers_do_not(state):
    external_bookings_add(state_id=state.pk, actor=state.expert.user, items=[DINNER])
    vendor = make_vendor(confirmation=Confirmation.MANUAL)
    booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=make_slot(make_offering(vendor)).pk,
                    quantity=1)
    for actor, error in [(make_user(Role.STAFF), Forbidden), (vendor.user, NotFound), (make_user(), NotFound)]:
        with pytest.raises(error):
            external_bookings_add(state_id=state.pk, actor=actor, items=[DINNER])
    assert ExternalBooking.objects.count() == 1
