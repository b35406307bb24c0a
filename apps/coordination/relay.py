"""Publishes outbox rows to the channel layer, at least once.

The channel layer may drop messages or be down; the database outbox is what counts.
``publish_event`` runs after commit; ``relay_undelivered`` (a periodic django-q task)
retries whatever is still undelivered. Clients drop duplicates by ``(state, version)``.
"""
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)


def _publish(rows) -> int:
    layer = get_channel_layer()
    delivered = 0
    for row in rows:
        try:
            async_to_sync(layer.group_send)(row.group, row.payload)
        except Exception as exc:  # the layer being down must never break a command
            log.warning("outbox %s not published: %s", row.pk, exc)
            OutboxMessage.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
            continue
        OutboxMessage.objects.filter(pk=row.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now(), attempts=F("attempts") + 1
        )
        delivered += 1
    return delivered


def publish_event(event_id: int) -> int:
    """Publish the undelivered outbox rows of one event; returns how many went out."""
    return _publish(list(OutboxMessage.objects.filter(event_id=event_id, delivered_at__isnull=True)))


def relay_undelivered(limit: int = 500) -> int:
    """Re-publish undelivered rows, oldest first (the periodic safety net)."""
    max_attempts = settings.TRAVELOURE["OUTBOX_RELAY_MAX_ATTEMPTS"]
    rows = list(OutboxMessage.objects.filter(delivered_at__isnull=True, attempts__lt=max_attempts)
                .order_by("id")[:limit])
    return _publish(rows)
