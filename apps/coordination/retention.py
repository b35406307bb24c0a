"""Retention: prune rows that only matter for a while (a daily periodic task).

Ages are ``TRAVELOURE["RETENTION_*_DAYS"]``. Pruned: outbox rows delivered long ago (the
event they carried stays), old notifications, and the leftovers of holds that can no
longer be taken: vendor slots and consultation slots that ended unbooked. The event log
is never pruned: it is the audit trail (``bench/event_log_growth.py`` measures its growth).
"""
import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from apps.experts.models import ConsultationSlot
from apps.vendors.models import Slot

from .models import Notification, OutboxMessage

log = logging.getLogger(__name__)


def prune_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention age; returns how many rows of each kind went.

    Idempotent. A slot is kept while a booking (a stay's night too) or an itinerary item refers to it."""
    now = now or timezone.now()
    ages = settings.TRAVELOURE

    def before(key: str) -> dt.datetime:
        return now - dt.timedelta(days=ages[key])

    pruned = {
        "outbox": OutboxMessage.objects.filter(delivered_at__lt=before("RETENTION_OUTBOX_DAYS")).delete()[0],
        "notifications": Notification.objects.filter(created_at__lt=before("RETENTION_NOTIFICATION_DAYS")).delete()[0],
        "slots": Slot.objects.filter(end__lt=before("RETENTION_SLOT_DAYS"), bookings__isnull=True,
                                     night_bookings__isnull=True, item__isnull=True).delete()[0],
        "consultation_slots": ConsultationSlot.objects.filter(end__lt=before("RETENTION_SLOT_DAYS"),
                                                              request__isnull=True).delete()[0],
    }
    log.info("retention pruned %s", pruned)
    return pruned
