"""The daily retention task prunes what is past its age and keeps the event log."""
import datetime as dt

import pytest
from django.utils import timezone

from apps.coordination.models import Booking, Event, Notification, OutboxMessage
from apps.coordination.retention import prune_expired
from apps.coordination.schedules import PERIODIC
from apps.experts.models import ConsultationSlot
from apps.vendors.models import Slot
from tests.factories import make_consultation_slot, make_expert, make_request, make_slot

pytestmark = pytest.mark.django_db


def test_prune_expired_keeps_the_event_log_and_what_is_recent_or_in_use(settings, traveler):
    settings.TRAVELOURE = {**settings.TRAVELOURE, "RETENTION_OUTBOX_DAYS": 7, "RETENTION_NOTIFICATION_DAYS": 90,
                           "RETENTION_SLOT_DAYS": 30}
    now = timezone.now()
    old, recent = now - dt.timedelta(days=200), now - dt.timedelta(days=1)
    old_state, new_state = make_request(traveler), make_request(traveler)
    OutboxMessage.objects.filter(event__state=old_state).update(delivered_at=old)
    OutboxMessage.objects.filter(event__state=new_state).update(delivered_at=recent)
    undelivered = OutboxMessage.objects.create(event=Event.objects.get(state=old_state), group="staff", payload={})
    OutboxMessage.objects.filter(pk=undelivered.pk).update(created_at=old)
    old_note = Notification.objects.create(user=traveler, title="Old")
    new_note = Notification.objects.create(user=traveler, title="New")
    Notification.objects.filter(pk=old_note.pk).update(created_at=old)

    make_slot(start=old)  # ended unbooked: pruned
    past_booked = make_slot(start=old)
    Booking.objects.create(state=old_state, vendor=past_booked.offering.vendor, offering=past_booked.offering,
                           slot=past_booked, price=past_booked.price, currency=past_booked.currency)
    upcoming = make_slot()
    expert = make_expert()
    make_consultation_slot(expert, start=old)  # ended unheld: pruned
    past_held = make_consultation_slot(expert, start=old)
    ConsultationSlot.objects.filter(pk=past_held.pk).update(request=old_state.request)
    events = Event.objects.count()
    old_delivered = OutboxMessage.objects.filter(event__state=old_state, delivered_at__isnull=False).count()

    assert prune_expired(now) == {"outbox": old_delivered, "notifications": 1, "slots": 1, "consultation_slots": 1}
    assert not OutboxMessage.objects.filter(event__state=old_state, delivered_at__isnull=False).exists()
    assert OutboxMessage.objects.filter(pk=undelivered.pk).exists()
    assert OutboxMessage.objects.filter(event__state=new_state).count() > 0
    assert list(Notification.objects.values_list("pk", flat=True)) == [new_note.pk]
    assert set(Slot.objects.values_list("pk", flat=True)) == {past_booked.pk, upcoming.pk}
    assert list(ConsultationSlot.objects.values_list("pk", flat=True)) == [past_held.pk]
    assert Event.objects.count() == events
    assert prune_expired(now) == {"outbox": 0, "notifications": 0, "slots": 0, "consultation_slots": 0}


def test_retention_is_a_daily_periodic_task():
    assert PERIODIC["retention-prune"] == ("apps.coordination.retention.prune_expired", 24 * 60)
