import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from apps.coordination import booking_tasks
from apps.coordination.models import Booking, Event, OutboxMessage, PaymentInstallment
from apps.coordination.phases import BookingStatus
from apps.coordination.schedules import ensure_schedules
from apps.coordination.services.bookings import booking_cancel, booking_payment_schedule_set
from apps.vendors.models import Confirmation, Slot
from tests.factories import make_booking_state, make_expert
from tests.factories.bookings import request_booking

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _booking(confirmation=Confirmation.INSTANT, quantity=1, start=None):
    return request_booking(confirmation=confirmation, quantity=quantity, start=start,
                           state=make_booking_state(expert=make_expert()))


def _events(booking, event_type):
    return Event.objects.filter(state_id=booking.state_id, type=event_type)


def test_confirm_instant_task_is_idempotent_and_leaves_others_alone():
    booking = _booking()
    reference = booking_tasks.confirm_instant_booking(booking.pk)
    assert Booking.objects.get(pk=booking.pk).reference == reference
    assert booking_tasks.confirm_instant_booking(booking.pk) == "skipped"
    assert _events(booking, "booking.confirmed").count() == 1
    manual = _booking(Confirmation.MANUAL)
    cancelled = _booking()
    booking_cancel(booking_id=cancelled.pk, actor=cancelled.state.request.traveler)
    assert booking_tasks.confirm_instant_booking(manual.pk) == "skipped"
    assert booking_tasks.confirm_instant_booking(cancelled.pk) == "skipped"
    assert booking_tasks.confirm_instant_booking(10**9) == "skipped"
    assert Booking.objects.get(pk=manual.pk).status == BookingStatus.PENDING


def test_expire_task_expires_only_overdue_and_releases_seats():
    overdue = _booking(Confirmation.MANUAL, quantity=3)
    waiting = _booking(Confirmation.MANUAL)
    Booking.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    assert booking_tasks.expire_overdue_bookings() == 1
    assert booking_tasks.expire_overdue_bookings() == 0
    assert Booking.objects.get(pk=overdue.pk).status == BookingStatus.EXPIRED
    assert Booking.objects.get(pk=waiting.pk).status == BookingStatus.PENDING
    assert Slot.objects.get(pk=overdue.slot_id).capacity_available == 4
    assert "alternative" in _events(overdue, "booking.expired").get().payload


def test_vendor_reminder_before_deadline_escalates_to_expert_once():
    soon = _booking(Confirmation.MANUAL)
    later = _booking(Confirmation.MANUAL)
    Booking.objects.filter(pk=soon.pk).update(deadline=timezone.now() + dt.timedelta(hours=2))
    assert booking_tasks.remind_vendors() == 1
    assert booking_tasks.remind_vendors() == 0
    event = _events(soon, "booking.reminder_sent").get()
    assert event.payload["escalated_to_expert"] is True
    groups = set(OutboxMessage.objects.filter(event=event).values_list("group", flat=True))
    assert {f"vendor.{soon.vendor_id}", f"user.{soon.state.expert.user_id}"} <= groups
    assert not _events(later, "booking.reminder_sent").exists()


def test_payment_reminders_before_due_and_once_overdue():
    booking = _booking(start=timezone.now() + dt.timedelta(days=30))
    booking_tasks.confirm_instant_booking(booking.pk)
    _deposit, balance = booking_payment_schedule_set(booking_id=booking.pk, actor=booking.state.request.traveler,
                                                     deposit_percent=Decimal("20"), balance_due_days=28)
    PaymentInstallment.objects.filter(pk=_deposit.pk).update(paid_at=timezone.now())
    assert booking_tasks.remind_installments() == 1
    assert booking_tasks.remind_installments() == 0
    assert _events(booking, "booking.payment_reminder").get().payload["installment"]["id"] == balance.pk
    # Time passes: the reminder went out before the due date, which is now two days ago.
    PaymentInstallment.objects.filter(pk=balance.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2),
                                                            reminded_at=timezone.now() - dt.timedelta(days=4))
    assert booking_tasks.remind_installments() == 1
    assert booking_tasks.remind_installments() == 0
    assert _events(booking, "booking.payment_overdue").count() == 1


def test_periodic_booking_tasks_are_scheduled():
    ensure_schedules()
    funcs = set(Schedule.objects.values_list("func", flat=True))
    assert {"apps.coordination.booking_tasks.expire_overdue_bookings",
            "apps.coordination.booking_tasks.remind_vendors",
            "apps.coordination.booking_tasks.remind_installments"} <= funcs


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_qcluster_confirms_instant_booking(monkeypatch):
    """A real ``manage.py qcluster`` process (ORM broker) confirms the booking. Needs
    PostgreSQL: pytest's SQLite test database is in memory, invisible to another process."""
    monkeypatch.setattr(Conf, "ORM", "default")  # this process enqueues through the ORM broker too
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "Q_WORKERS": "1"}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        booking = _booking()  # enqueues after the engine's commit
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            booking.refresh_from_db()
            if booking.status == BookingStatus.CONFIRMED:
                break
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.5)
        assert booking.status == BookingStatus.CONFIRMED
        assert booking.reference.startswith(booking.vendor.code)
        assert _events(booking, "booking.confirmed").get().actor is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_broker_down_after_commit_loses_nothing(monkeypatch, django_capture_on_commit_callbacks):
    """The confirmation task cannot be queued: the booking still commits, the caller gets no
    error, and the periodic sweep confirms it later."""
    import django_q.tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(django_q.tasks, "async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _booking()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED
    monkeypatch.undo()
    assert booking_tasks.confirm_stalled_instant_bookings() == 0  # too recent: its task may still come
    Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    assert booking_tasks.confirm_stalled_instant_bookings() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.reference
