import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf

from apps.accounts.models import Role
from apps.coordination.models import Booking, CoordinationState, Event, OutboxMessage, VendorResponse
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.selectors import installment_status
from apps.coordination.services.bookings import (
    booking_cancel,
    booking_complete,
    booking_confirm,
    booking_decline,
    booking_expire,
    booking_mark_arrived,
    booking_payment_schedule_set,
    booking_proposal_accept,
    booking_propose,
    booking_request,
    installment_record_payment,
    vendor_respond,
)
from apps.core.errors import Conflict, DomainError, Forbidden, NotFound
from apps.vendors import inventory
from apps.vendors.inventory import PlatformInventory
from apps.vendors.models import Confirmation, PriceRule, Slot
from apps.vendors.pricing import quote, with_price_rules
from tests.factories import make_booking_state, make_expert, make_offering, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db


def _setup(capacity=5, start=None, **vendor_kwargs):
    vendor = make_vendor(**vendor_kwargs)
    slot = make_slot(make_offering(vendor, title="Tsukiji Food Walk"), capacity=capacity, start=start)
    state = make_booking_state(expert=make_expert())
    return state, slot


def _book(state, slot, quantity=1, actor=None, **kwargs):
    return booking_request(state_id=state.pk, actor=actor or state.request.traveler, slot_id=slot.pk,
                           quantity=quantity, **kwargs)


def _free(slot) -> int:
    return Slot.objects.get(pk=slot.pk).capacity_available


def _event(state, event_type) -> Event:
    return Event.objects.get(state=state, type=event_type)


def _vendor_of(slot):
    return slot.offering.vendor


# --- request, pricing, notice ------------------------------------------------------

def test_instant_request_holds_seats_and_confirms_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    state, slot = _setup()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking = _book(state, slot, quantity=2)
    assert (booking.status, booking.handled_by, _free(slot)) == (BookingStatus.REQUESTED, "expert", 3)
    assert booking.deadline is None and booking.reference is None
    event = _event(state, "booking.requested")
    assert event.payload["booking"]["status"] == "requested"
    # Nothing was enqueued before commit; running the commit callbacks (sync queue) confirms.
    monkeypatch.setattr(Conf, "SYNC", True)
    for callback in callbacks:
        callback()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    vendor = _vendor_of(slot)
    local_day = slot.start.astimezone(dt.timezone(dt.timedelta(hours=9))).strftime("%Y%m%d")
    assert booking.reference == f"{vendor.code}-TSU-{local_day}-001"
    assert _free(slot) == 3
    assert _event(state, "booking.confirmed").payload["phase_changed_to"] == Phase.CONFIRMED
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.CONFIRMED


def test_references_are_sequential_per_vendor_offering_and_day():
    state, slot = _setup()
    refs = [booking_confirm(booking_id=_book(state, slot).pk, actor=None).reference for _ in range(2)]
    assert [r[-3:] for r in refs] == ["001", "002"]
    assert all(re.fullmatch(r"V\d+-TSU-\d{8}-\d{3}", r) for r in refs)


def test_manual_vendor_request_is_pending_with_deadline_and_vendor_hears_only_its_booking():
    state, slot = _setup(confirmation=Confirmation.MANUAL, response_deadline_hours=36)
    other_vendor = make_vendor()
    before = timezone.now()
    booking = _book(state, slot)
    assert booking.status == BookingStatus.PENDING
    assert before + dt.timedelta(hours=36) <= booking.deadline <= timezone.now() + dt.timedelta(hours=36)
    event = _event(state, "booking.requested")
    rows = {row.group: row for row in OutboxMessage.objects.filter(event=event)}
    vendor = _vendor_of(slot)
    assert f"vendor.{vendor.pk}" in rows and f"vendor.{other_vendor.pk}" not in rows
    assert rows[f"vendor.{vendor.pk}"].user_id == vendor.user_id
    assert set(rows[f"vendor.{vendor.pk}"].payload["data"]) == {"booking"}
    assert "pricing" in rows[f"request.{state.request_id}"].payload["data"]


def test_sold_out_is_refused_and_writes_nothing():
    state, slot = _setup(capacity=2)
    _book(state, slot, quantity=2)
    version = CoordinationState.objects.get(pk=state.pk).version
    with pytest.raises(Conflict) as exc:
        _book(state, slot)
    assert (exc.value.code, exc.value.status) == ("booking.sold_out", 409)
    assert _free(slot) == 0 and Booking.objects.filter(state=state).count() == 1
    assert CoordinationState.objects.get(pk=state.pk).version == version


def test_minimum_notice_refused_with_reason():
    state, slot = _setup(min_notice_hours=48, start=timezone.now() + dt.timedelta(hours=24))
    with pytest.raises(Conflict) as exc:
        _book(state, slot)
    assert exc.value.code == "booking.too_late" and "48" in exc.value.message
    assert _free(slot) == 5 and not Booking.objects.exists()


def test_advance_and_group_discounts_applied_and_recorded():
    state, slot = _setup(start=timezone.now() + dt.timedelta(days=20))
    PriceRule.objects.create(offering=slot.offering, kind="advance", threshold=14, percent=Decimal("-10"),
                             label="Early bird")
    PriceRule.objects.create(offering=slot.offering, kind="group", threshold=4, percent=Decimal("-5"))
    PriceRule.objects.create(offering=slot.offering, kind="advance", threshold=30, percent=Decimal("-50"))
    booking = _book(state, slot, quantity=2)  # 2 × 50: early bird only
    assert (booking.price, booking.discount, booking.currency) == (Decimal("90.00"), Decimal("10.00"), "JPY")
    rules = _event(state, "booking.requested").payload["pricing"]["rules"]
    assert [(r["label"], r["amount"]) for r in rules] == [("Early bird", "-10.00")]


def test_rules_read_with_the_slot_price_as_the_offerings_own(django_assert_num_queries):
    """:func:`with_price_rules` brings the rules in the slot's query (a JSON column): same
    quote, every kind and type (a fractional percent, season months), no further query."""
    start = timezone.now() + dt.timedelta(days=40)
    slot = make_slot(make_offering(make_vendor()), start=start)
    PriceRule.objects.create(offering=slot.offering, kind="advance", threshold=30, percent=Decimal("-12.35"),
                             label="Early bird")
    PriceRule.objects.create(offering=slot.offering, kind="season", months=[start.month], percent=Decimal("7.5"))
    PriceRule.objects.create(offering=slot.offering, kind="group", threshold=2, percent=Decimal("-3.05"))
    PriceRule.objects.create(offering=make_offering(), kind="group", threshold=1, percent=Decimal("-90"))
    now = timezone.now()
    expected = quote(Slot.objects.select_related("offering__vendor").get(pk=slot.pk), 3, booked_at=now)
    assert len(expected.rules) == 3
    with django_assert_num_queries(1):
        carried = with_price_rules(Slot.objects.select_related("offering__vendor")).get(pk=slot.pk)
        assert quote(carried, 3, booked_at=now) == expected
    bare = with_price_rules(Slot.objects.select_related("offering__vendor")).get(pk=make_slot().pk)
    with django_assert_num_queries(0):
        assert quote(bare, 1, booked_at=timezone.now()).rules == []


def test_price_per_booking_and_per_night():
    state, slot = _setup()
    slot.offering.price_unit = "booking"
    slot.offering.save(update_fields=["price_unit"])
    assert _book(state, slot, quantity=3).price == Decimal("50.00")
    hotel = make_offering(make_vendor(), price_unit="night", base_price=Decimal("100"))
    start = timezone.now() + dt.timedelta(days=10)
    stay = make_slot(hotel, start=start, end=start + dt.timedelta(days=3), capacity=4)
    assert _book(state, stay, quantity=2).price == Decimal("600.00")


def test_request_needs_booking_phase_and_participant():
    state, slot = _setup()
    CoordinationState.objects.filter(pk=state.pk).update(phase=Phase.PLANNING)
    with pytest.raises(Conflict) as exc:
        _book(state, slot)
    assert exc.value.code == "state.wrong_phase"
    CoordinationState.objects.filter(pk=state.pk).update(phase=Phase.BOOKING)
    with pytest.raises(NotFound):
        _book(state, slot, actor=make_user(Role.TRAVELER))
    with pytest.raises(NotFound):
        _book(state, slot, actor=_vendor_of(slot).user)
    assert _free(slot) == 5


def test_idempotency_key_returns_first_booking():
    state, slot = _setup()
    first = _book(state, slot, idempotency_key="k1")
    again = _book(state, slot, idempotency_key="k1")
    assert again.pk == first.pk and _free(slot) == 4
    assert Event.objects.filter(state=state, type="booking.requested").count() == 1


def test_new_request_on_confirmed_state_moves_back_to_booking():
    state, slot = _setup()
    booking_confirm(booking_id=_book(state, slot).pk, actor=None)
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.CONFIRMED
    _book(state, slot)
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.BOOKING
    assert Event.objects.filter(state=state, type="booking.requested").last().payload["phase_changed_to"] == "booking"


# --- vendor answers ---------------------------------------------------------------

def test_manual_accept_with_vendor_reference_is_idempotent():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    booking = _book(state, slot)
    vendor = _vendor_of(slot)
    booking = booking_confirm(booking_id=booking.pk, actor=vendor.user, reference="ABC-123")
    assert (booking.status, booking.reference, booking.confirmed_by) == ("confirmed", "ABC-123", vendor.user)
    version = CoordinationState.objects.get(pk=state.pk).version
    booking_confirm(booking_id=booking.pk, actor=vendor.user, reference="ABC-123")
    assert CoordinationState.objects.get(pk=state.pk).version == version


def test_only_own_vendor_answers():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    booking = _book(state, slot)
    with pytest.raises(NotFound):
        booking_confirm(booking_id=booking.pk, actor=make_vendor().user)
    with pytest.raises(Forbidden):
        booking_confirm(booking_id=booking.pk, actor=state.request.traveler)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING


def test_decline_releases_seats_once_and_offers_alternative():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    later = make_slot(slot.offering, start=slot.start + dt.timedelta(days=1), capacity=3)
    booking = _book(state, slot, quantity=2)
    assert _free(slot) == 3
    with pytest.raises(DomainError) as exc:
        booking_decline(booking_id=booking.pk, actor=_vendor_of(slot).user, reason=" ")
    assert "reason" in exc.value.fields
    booking_decline(booking_id=booking.pk, actor=_vendor_of(slot).user, reason="Closed for a private event")
    booking_decline(booking_id=booking.pk, actor=_vendor_of(slot).user, reason="again")
    assert _free(slot) == 5
    event = _event(state, "booking.declined")
    assert event.payload["alternative"]["slot"] == later.pk
    assert event.payload["booking"]["decline_reason"] == "Closed for a private event"
    with pytest.raises(Conflict) as exc:
        booking_confirm(booking_id=booking.pk, actor=None)
    assert exc.value.code == "booking.transition_not_allowed"


def test_propose_other_slot_and_traveler_accepts():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    other = make_slot(slot.offering, start=slot.start + dt.timedelta(hours=3), capacity=2, price=Decimal("40"))
    booking = _book(state, slot, quantity=2)
    vendor_user = _vendor_of(slot).user
    with pytest.raises(DomainError):
        booking_propose(booking_id=booking.pk, actor=vendor_user)
    booking_propose(booking_id=booking.pk, actor=vendor_user, slot_id=other.pk, note="Morning is full")
    assert _event(state, "booking.proposed").payload["booking"]["proposal"]["slot"] == other.pk
    with pytest.raises(Forbidden):
        booking_proposal_accept(booking_id=booking.pk, actor=vendor_user)
    booking = booking_proposal_accept(booking_id=booking.pk, actor=state.request.traveler)
    assert (booking.status, booking.slot_id, booking.price) == ("confirmed", other.pk, Decimal("80.00"))
    assert booking.reference and (_free(slot), _free(other)) == (5, 0)


def test_propose_price_and_expert_accepts():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    booking = _book(state, slot)
    booking_propose(booking_id=booking.pk, actor=_vendor_of(slot).user, price=Decimal("65.00"))
    booking = booking_proposal_accept(booking_id=booking.pk, actor=state.expert.user)
    assert (booking.status, booking.price, booking.slot_id) == ("confirmed", Decimal("65.00"), slot.pk)
    assert _free(slot) == 4


def test_vendor_respond_dedupes_by_key():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    booking = _book(state, slot)
    vendor = _vendor_of(slot)
    args = dict(booking_id=booking.pk, vendor=vendor, channel="portal", action="accept", dedupe_key="form-1",
                payload={"reference": "R-1"})
    assert vendor_respond(**args)[1] is False
    result, replayed = vendor_respond(**args)
    assert replayed is True and result.reference == "R-1"
    assert VendorResponse.objects.filter(booking=booking).count() == 1
    assert Event.objects.filter(state=state, type="booking.confirmed").count() == 1
    with pytest.raises(NotFound):
        vendor_respond(**{**args, "vendor": make_vendor(), "dedupe_key": "x"})


def test_refused_response_is_not_stored():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    booking = _book(state, slot)
    with pytest.raises(DomainError):
        vendor_respond(booking_id=booking.pk, vendor=_vendor_of(slot), channel="api", action="decline",
                       dedupe_key="d1", payload={"reason": ""})
    assert not VendorResponse.objects.exists()


# --- expiry, cancellation, completion, arrival -----------------------------------

def test_expire_releases_seats_and_offers_similar_offering_by_rating():
    state, slot = _setup(confirmation=Confirmation.MANUAL)
    weak = make_slot(make_offering(make_vendor(rating=Decimal("3.1"))), start=slot.start)
    strong = make_slot(make_offering(make_vendor(rating=Decimal("4.8"))), start=slot.start + dt.timedelta(hours=5))
    make_slot(make_offering(make_vendor(rating=Decimal("5.0"), city="Osaka")), start=slot.start)
    booking = _book(state, slot, quantity=3)
    with pytest.raises(Conflict) as exc:
        booking_expire(booking_id=booking.pk)
    assert exc.value.code == "booking.not_overdue"
    Booking.objects.filter(pk=booking.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    booking_expire(booking_id=booking.pk)
    booking_expire(booking_id=booking.pk)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.EXPIRED and _free(slot) == 5
    alternative = _event(state, "booking.expired").payload["alternative"]
    assert alternative["slot"] == strong.pk and weak.pk != strong.pk


@pytest.mark.parametrize(("hours_before", "refund"), [(100, "100.00"), (48, "50.00"), (10, "0.00")])
def test_cancel_refund_by_policy(hours_before, refund):
    tiers = [{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}]
    state, slot = _setup(cancellation_tiers=tiers, start=timezone.now() + dt.timedelta(hours=hours_before))
    booking = booking_confirm(booking_id=_book(state, slot, quantity=2).pk, actor=None)
    booking = booking_cancel(booking_id=booking.pk, actor=state.request.traveler, reason="ill")
    booking_cancel(booking_id=booking.pk, actor=state.request.traveler)
    assert (booking.status, booking.refund_amount) == ("cancelled", Decimal(refund))
    assert _free(slot) == 5
    assert _event(state, "booking.cancelled").payload["booking"]["refund"] == refund


def test_cancel_unconfirmed_refunds_all_and_vendor_cannot_cancel():
    state, slot = _setup(confirmation=Confirmation.MANUAL, cancellation_tiers=[{"hours": 1000, "refund_pct": 0}])
    booking = _book(state, slot)
    with pytest.raises(Forbidden):
        booking_cancel(booking_id=booking.pk, actor=_vendor_of(slot).user)
    booking = booking_cancel(booking_id=booking.pk, actor=state.expert.user)
    assert booking.refund_amount == booking.price and _free(slot) == 5


def test_complete_only_after_start_and_arrival_on_the_day():
    state, slot = _setup(start=timezone.now() + dt.timedelta(minutes=30))
    booking = booking_confirm(booking_id=_book(state, slot).pk, actor=None)
    vendor_user = _vendor_of(slot).user
    with pytest.raises(Conflict):
        booking_complete(booking_id=booking.pk, actor=vendor_user)
    booking_mark_arrived(booking_id=booking.pk, actor=vendor_user)
    booking_mark_arrived(booking_id=booking.pk, actor=vendor_user)
    event = _event(state, "booking.arrived")
    groups = set(OutboxMessage.objects.filter(event=event).values_list("group", flat=True))
    assert {f"user.{state.request.traveler_id}", f"user.{state.expert.user_id}"} <= groups
    Slot.objects.filter(pk=slot.pk).update(start=timezone.now() - dt.timedelta(minutes=5))
    assert booking_complete(booking_id=booking.pk, actor=vendor_user).status == BookingStatus.COMPLETED


def test_arrival_refused_on_another_day():
    state, slot = _setup(start=timezone.now() + dt.timedelta(days=3))
    booking = booking_confirm(booking_id=_book(state, slot).pk, actor=None)
    with pytest.raises(Conflict) as exc:
        booking_mark_arrived(booking_id=booking.pk, actor=_vendor_of(slot).user)
    assert exc.value.code == "booking.not_today"


# --- payment schedule --------------------------------------------------------------

def test_payment_schedule_deposit_balance_and_overdue():
    state, slot = _setup(start=timezone.now() + dt.timedelta(days=40))
    booking = booking_confirm(booking_id=_book(state, slot, quantity=2).pk, actor=None)
    deposit, balance = booking_payment_schedule_set(booking_id=booking.pk, actor=state.request.traveler,
                                                    deposit_percent=Decimal("30"), balance_due_days=14)
    assert (deposit.kind, deposit.amount, balance.kind, balance.amount) == ("deposit", Decimal("30.00"), "balance",
                                                                            Decimal("70.00"))
    assert (balance.due_date - deposit.due_date).days in (25, 26, 27)
    today = deposit.due_date
    assert installment_status(balance, today) == "due"
    assert installment_status(balance, balance.due_date + dt.timedelta(days=1)) == "overdue"
    installment_record_payment(installment_id=deposit.pk, actor=_vendor_of(slot).user)
    deposit.refresh_from_db()
    assert installment_status(deposit, today + dt.timedelta(days=99)) == "paid"
    with pytest.raises(Conflict) as exc:
        booking_payment_schedule_set(booking_id=booking.pk, actor=state.request.traveler,
                                     deposit_percent=Decimal("50"), balance_due_days=7)
    assert exc.value.code == "booking.schedule_paid"
    assert Event.objects.filter(state=state, type="booking.payment_recorded").count() == 1


# --- inventory adapter down --------------------------------------------------------

def test_adapter_down_falls_back_to_manual_and_other_bookings_go_on(down_adapter):
    state, slot = _setup(inventory_adapter=down_adapter)
    healthy = make_slot(capacity=3)
    booking = _book(state, slot, quantity=2)
    assert (booking.status, booking.needs_manual_confirmation) == (BookingStatus.PENDING, True)
    assert booking.deadline is not None and _free(slot) == 3
    assert Slot.objects.get(pk=slot.pk).is_stale is True
    payload = _event(state, "booking.requested").payload
    assert payload["inventory_unavailable"] == {"error": "vendor API timed out", "notify": "expert"}
    expert_row = OutboxMessage.objects.get(event__type="booking.requested", group=f"user.{state.expert.user_id}")
    assert expert_row.payload["data"]["inventory_unavailable"]["notify"] == "expert"
    other = _book(state, healthy)
    assert (other.status, other.needs_manual_confirmation) == (BookingStatus.REQUESTED, False)
    assert Slot.objects.get(pk=healthy.pk).is_stale is False


def test_adapter_without_the_slot_means_unavailable():
    class EmptyInventory(PlatformInventory):
        def availability(self, offering, start, end):
            return []

    inventory.register("test-empty", EmptyInventory)
    try:
        state, slot = _setup(inventory_adapter="test-empty")
        with pytest.raises(Conflict) as exc:
            _book(state, slot)
        assert exc.value.code == "booking.unavailable"
    finally:
        inventory.unregister("test-empty")


# --- concurrency on PostgreSQL -----------------------------------------------------

def _run_threads(count, target):
    barrier = threading.Barrier(count)
    results = []

    def run(n):
        try:
            barrier.wait()
            results.append(target(n))
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_five_seats_never_oversold():
    vendor = make_vendor()
    slot = make_slot(make_offering(vendor), capacity=5)
    states = [make_booking_state() for _ in range(50)]
    results = _run_threads(50, lambda n: _book(states[n], slot).status)
    assert results.count(BookingStatus.REQUESTED) == 5
    assert results.count("booking.sold_out") == 45
    assert _free(slot) == 0
    assert Booking.objects.filter(slot=slot).count() == 5


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_mixed_book_and_cancel_returns_capacity_exactly():
    slot = make_slot(capacity=6)
    states = [make_booking_state() for _ in range(24)]
    held = [_book(states[n], slot) for n in range(4)]

    def work(n):
        if n < 4:
            return booking_cancel(booking_id=held[n].pk, actor=states[n].request.traveler).status
        return _book(states[n], slot).status

    results = _run_threads(24, work)
    assert results.count("cancelled") == 4
    holding = Booking.objects.filter(slot=slot, status__in=["requested", "pending", "confirmed"]).count()
    slot.refresh_from_db()
    assert 0 <= slot.capacity_available == 6 - holding
    assert results.count(BookingStatus.REQUESTED) == holding
    for booking in Booking.objects.filter(slot=slot, status="requested"):
        booking_cancel(booking_id=booking.pk, actor=booking.state.request.traveler)
    assert _free(slot) == 6


def test_price_agreed_in_a_negotiation_replaces_the_list_price_even_for_instant_vendors():
    from apps.coordination.models import ShortlistEntry
    from apps.requests.models import ExperienceRequest

    state = make_booking_state()
    ExperienceRequest.objects.filter(pk=state.request_id).update(experience_type="wedding")  # test setup
    vendor = make_vendor(vendor_type="photographer")  # instant confirmation
    offering = make_offering(vendor, base_price=Decimal("2400.00"), currency="EUR", price_unit="booking")
    slot = make_slot(offering, capacity=1)
    # Test setup: the negotiation's outcome (weddings.price_accept writes it in the flow).
    ShortlistEntry.objects.create(state=state, category="photographer", offering=offering, slot=slot,
                                  status=ShortlistEntry.Status.AGREED, agreed_price=Decimal("2100.00"), currency="EUR")
    booking = _book(state, slot, quantity=1)
    assert (booking.price, booking.discount, booking.currency) == (Decimal("2100.00"), 0, "EUR")
    assert _event(state, "booking.requested").payload["pricing"] == {"agreed": "2100.00"}


def test_check_in_window_spans_midnight_but_not_the_next_day():
    state, slot = _setup(start=timezone.now() + dt.timedelta(hours=2))
    booking = booking_confirm(booking_id=_book(state, slot).pk, actor=None)
    vendor_user = _vendor_of(slot).user
    # Started yesterday (vendor's zone): too late; starts within 6 hours, whatever the date: fine.
    yesterday = timezone.now() - dt.timedelta(days=1, hours=1)
    Slot.objects.filter(pk=slot.pk).update(start=yesterday, end=yesterday + dt.timedelta(hours=2))
    with pytest.raises(Conflict) as exc:
        booking_mark_arrived(booking_id=booking.pk, actor=vendor_user)
    assert exc.value.code == "booking.not_today"
    soon = timezone.now() + dt.timedelta(hours=5, minutes=50)
    Slot.objects.filter(pk=slot.pk).update(start=soon, end=soon + dt.timedelta(hours=2))
    assert booking_mark_arrived(booking_id=booking.pk, actor=vendor_user).arrived_at is not None
