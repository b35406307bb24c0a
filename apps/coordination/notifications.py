"""Notification delivery (django-q2 tasks): turn the outbox rows addressed to a person
into in-app, e-mail and Web Push notifications. Reads (the notification centre, sync
status) are in :mod:`apps.coordination.selectors`, a person's settings and read state in
:mod:`apps.coordination.services.notifications`.

``notify_event`` runs as a django-q task after each command is published;
``notify_pending`` (periodic) catches up whatever a crash or a failing mail/push server
left. Both are idempotent: one ``Notification`` per (user, event, channel), sent once.
The actor of an event is not notified of it. In-app is always on; e-mail and push follow
``NotificationPreference`` (on unless turned off); push also needs the VAPID settings
(``VAPID_PUBLIC_KEY``/``VAPID_PRIVATE_KEY``) — without them it is disabled.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pywebpush import WebPushException, webpush

from .models import Event, Notification, OutboxMessage, PushSubscription
from .selectors import notification_channels_enabled, push_enabled

log = logging.getLogger(__name__)
Channel = Notification.Channel

# Title per event type, formatted with the payload the recipient may see.
TITLES = {
    "request.submitted": gettext_lazy("Request for {destination} received"),
    "request.cancelled": gettext_lazy("Request cancelled"),
    "state.repaired": gettext_lazy("Request moved to {to}"),
    "trip.started": gettext_lazy("Your experience has started"),
    "trip.completed": gettext_lazy("Your experience is complete"),
    "itinerary.replanned": gettext_lazy("{because[title]} fell through: a changed plan waits for your OK"),
    "review.requested": gettext_lazy("How was {destination}? Reviews are open"),
    "message.posted": gettext_lazy("New message from {message[author_name]}"),
    "booking.confirmed": gettext_lazy("Booking {booking[offering_title]} confirmed"),
    "booking.declined": gettext_lazy("Booking {booking[offering_title]} declined"),
    "booking.requested": gettext_lazy("Booking {booking[offering_title]} requested"),
    "booking.cancelled": gettext_lazy("Booking {booking[offering_title]} cancelled"),
    "booking.expired": gettext_lazy("Booking {booking[offering_title]} expired"),
}
RETRY_WINDOW = dt.timedelta(days=1)


def render(event_type: str, data: dict) -> tuple[str, str]:
    """Title and body of a notification about ``event_type`` with payload ``data``."""
    try:
        title = str(TITLES[event_type]).format(**data)
    except (KeyError, IndexError, TypeError):
        title = _("Update on your request: %(event)s") % {"event": event_type}
    message = data.get("message")
    body = message["body"] if isinstance(message, dict) and "body" in message else title
    return title[:200], body


def channels_for(user) -> list[str]:
    """The channels ``user`` gets notifications on, by preference and what is set up."""
    enabled = notification_channels_enabled(user)
    channels = [Channel.IN_APP]
    if user.email and Channel.EMAIL in enabled:
        channels.append(Channel.EMAIL)
    if push_enabled() and Channel.PUSH in enabled and PushSubscription.objects.filter(user=user).exists():
        channels.append(Channel.PUSH)
    return channels


@dataclass
class _PushResponse:
    """What pywebpush reads of a response, from an httpx one."""

    status_code: int
    reason: str
    text: str
    headers: dict


class _HttpxSession:
    """pywebpush encrypts and signs; the HTTP call to the push service goes through httpx."""

    def post(self, url, *, data=None, headers=None, timeout=None):
        response = httpx.post(url, content=data, headers=dict(headers or {}), timeout=10)
        return _PushResponse(response.status_code, response.reason_phrase, response.text, dict(response.headers))


def _send_push(user, notification: Notification) -> bool:
    """Push to every subscription of ``user``; drop the ones the service says are gone."""
    payload = json.dumps({"title": notification.title, "body": notification.body, "url": notification.url})
    sent = False
    for sub in PushSubscription.objects.filter(user=user):
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        try:
            webpush(info, payload, vapid_private_key=settings.VAPID_PRIVATE_KEY,
                    vapid_claims={"sub": settings.VAPID_SUBJECT}, requests_session=_HttpxSession(), ttl=3600)
            sent = True
        except WebPushException as exc:
            if exc.response is not None and exc.response.status_code in (404, 410):
                sub.delete()
            log.warning("push to %s failed: %s", sub.pk, exc)
        except httpx.HTTPError as exc:
            log.warning("push to %s failed: %s", sub.pk, exc)
    return sent


def _send(user, notification: Notification) -> bool:
    if notification.channel == Channel.IN_APP:
        return True
    if notification.channel == Channel.EMAIL:
        try:
            return send_mail(notification.title, notification.body, None, [user.email]) == 1
        except Exception as exc:  # an SMTP outage must not stop the other notifications
            log.warning("mail to user %s failed: %s", user.pk, exc)
            return False
    return _send_push(user, notification)


def notify_user(*, user, event: Event, data: dict) -> list[Notification]:
    """Notify ``user`` of ``event`` on each of their channels, once per channel.

    ``data`` is the payload this user may see (a vendor's is limited to its part).
    Side effects: creates Notification rows, sends e-mail and push; a channel that fails
    keeps ``sent_at`` empty and is retried by :func:`notify_pending`.
    """
    title, body = render(event.type, data)
    notifications = []
    for channel in channels_for(user):
        notification, _created = Notification.objects.get_or_create(
            user=user, event=event, channel=channel, defaults={"title": title, "body": body, "url": user.portal_home})
        if notification.sent_at is None and _send(user, notification):
            notification.sent_at = timezone.now()
            notification.save(update_fields=["sent_at"])
        notifications.append(notification)
    return notifications


def notify_event(event_id: int) -> int:
    """Notify every person the event's outbox addresses, except its actor. Idempotent.
    Returns the number of people notified."""
    event = Event.objects.get(pk=event_id)
    rows = (OutboxMessage.objects.filter(event=event, user__isnull=False).exclude(user_id=event.actor_id)
            .select_related("user").order_by("id"))
    people = {}
    for row in rows:
        people.setdefault(row.user_id, row)
    for row in people.values():
        notify_user(user=row.user, event=event, data=row.payload.get("data", {}))
    return len(people)


def notify_pending(limit: int = 200) -> int:
    """Periodic catch-up: events whose addressed people lack their in-app notification,
    and recent notifications whose e-mail/push failed. Returns events processed."""
    missing_in_app = ~Exists(Notification.objects.filter(user=OuterRef("user"), event=OuterRef("event"),
                                                         channel=Channel.IN_APP))
    events = set(OutboxMessage.objects.filter(missing_in_app, user__isnull=False)
                 .exclude(user=F("event__actor")).values_list("event_id", flat=True)[:limit])
    events |= set(Notification.objects.filter(sent_at__isnull=True, created_at__gte=timezone.now() - RETRY_WINDOW)
                  .values_list("event_id", flat=True)[:limit])
    for event_id in sorted(events):
        notify_event(event_id)
    return len(events)
