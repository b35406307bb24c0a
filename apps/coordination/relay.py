"""Publishes outbox rows to the channel layer, at least once.

The channel layer may drop messages or be down; the database outbox is what counts.
``publish_event`` runs after commit; ``relay_undelivered`` (a periodic django-q task)
retries whatever is still undelivered, with exponential backoff per row. Rows are taken
with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers anyway), so
two relays never publish the same row at the same time; the after-commit publish sends the
rows the command wrote without reading them back (a rare second copy is dropped by receivers). Every message carries
``(state, version)``: clients drop duplicates by it and re-sync on a gap.
"""
import datetime as dt
import json
import logging
from functools import reduce
from operator import or_

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 2
BACKOFF_CAP_SECONDS = 600


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its creation a row that failed ``attempts`` times is retried.

    Cumulative exponential backoff (2 s, 4 s, 8 s … capped at 10 min per step), measured
    from ``created_at`` so no extra column is needed.
    """
    return dt.timedelta(seconds=sum(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** n) for n in range(attempts)))


def _due(now) -> Q:
    max_attempts = settings.TRAVELOURE["OUTBOX_RELAY_MAX_ATTEMPTS"]
    return reduce(or_, (Q(attempts=n, created_at__lte=now - retry_delay(n)) for n in range(max_attempts)))


def event_frame(message: dict) -> str:
    """The WebSocket text a feed sends for an outbox message (``type`` "event")."""
    return json.dumps({**{k: v for k, v in message.items() if k != "frame"}, "type": "event"})


def _publish(rows: list[OutboxMessage]) -> int:
    """Publish ``rows`` in order and record the outcome. Stops at the first failure: when
    the layer is down the rest would fail too; they stay due for the next run.

    Each message carries its WebSocket ``frame``, serialized once here rather than by each
    of the hundreds of sockets that may receive it."""
    layer = get_channel_layer()
    delivered, frames = [], {}
    for row in rows:
        if id(row.payload) not in frames:
            frames[id(row.payload)] = event_frame(row.payload)
        try:
            async_to_sync(layer.group_send)(row.group, {**row.payload, "frame": frames[id(row.payload)]})
        except Exception as exc:  # the layer being down must never break a command
            log.warning("outbox %s not published: %s", row.pk, exc)
            OutboxMessage.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:500])
            break
        delivered.append(row.pk)
    OutboxMessage.objects.filter(pk__in=delivered).update(delivered_at=timezone.now(), attempts=F("attempts") + 1,
                                                          last_error="")
    return len(delivered)


def _publish_locked(queryset) -> int:
    """Lock the undelivered rows of ``queryset`` (skipping rows another relay holds) and
    publish them in id order."""
    with transaction.atomic():
        return _publish(list(queryset.filter(delivered_at__isnull=True).select_for_update(skip_locked=True)
                             .order_by("id")))


def publish_event(event_id: int, *, rows: list[OutboxMessage] | None = None) -> int:
    """Publish the undelivered outbox rows of one event (runs after the command commits).
    Returns how many rows went out.

    ``rows``: the rows the command just wrote (with their ids), published as they are,
    without reading or locking them again: the periodic relay only takes rows that are
    still undelivered when it runs, and a message sent twice is dropped by its receivers
    (``(state, version)``), so the lock would buy nothing but queries on the hot path.
    """
    if rows is not None and all(row.pk for row in rows):
        stored = {}  # the payloads as a read from the database would give them (JSON types), one per message
        for row in rows:
            if id(row.payload) not in stored:
                stored[id(row.payload)] = json.loads(json.dumps(row.payload))
            row.payload = stored[id(row.payload)]
        return _publish(rows)
    return _publish_locked(OutboxMessage.objects.filter(event_id=event_id))


def relay_undelivered(limit: int = 500) -> int:
    """Re-publish undelivered rows that are due, oldest first (the periodic safety net).

    Rows that failed ``OUTBOX_RELAY_MAX_ATTEMPTS`` times stay for staff to inspect.
    """
    due = OutboxMessage.objects.filter(_due(timezone.now())).order_by("id").values_list("pk", flat=True)[:limit]
    return _publish_locked(OutboxMessage.objects.filter(pk__in=list(due)))
