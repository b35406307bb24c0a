"""Notifications: turn the outbox rows addressed to a person into in-app, e-mail and Web
Push notifications, and report who was notified of what (the event's sync status).

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
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pywebpush import WebPushException, webpush

from apps.core.errors import DomainError, NotFound

from .models import Event, Notification, NotificationPreference, OutboxMessage, PushSubscription

log = logging.getLogger(__name__)
Channel = Notification.Channel

# Title per event type, formatted with the payload the recipient may see.
TITLES = {
    "request.submitted": gettext_lazy("Request for {destination} received"),
    "request.cancelled": gettext_lazy("Request cancelled"),
    "state.repaired": gettext_lazy("Request moved to {to}"),
    "trip.started": gettext_lazy("Your experience has started"),
    "trip.completed": gettext_lazy("Your experience is complete"),
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


def push_enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def channels_enabled(user) -> set[str]:
    """The channels ``user`` has not turned off (all are on by default)."""
    off = set(NotificationPreference.objects.filter(user=user, enabled=False).values_list("channel", flat=True))
    return set(Channel.values) - off


def channels_for(user) -> list[str]:
    """The channels ``user`` gets notifications on, by preference and what is set up."""
    enabled = channels_enabled(user)
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


def notification_list_for_user(user) -> QuerySet[Notification]:
    """The user's in-app notification centre, newest first."""
    return Notification.objects.filter(user=user, channel=Channel.IN_APP).select_related("event").order_by("-id")


def unread_count(user) -> int:
    return notification_list_for_user(user).filter(read_at__isnull=True).count()


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one in-app notification of ``user`` (or all of them) read; returns how many
    changed. Raises NotFound for an id that is not the user's."""
    qs = notification_list_for_user(user)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
        if not qs.exists():
            raise NotFound(_("Not found."), code="not_found")
    return qs.filter(read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user, channel: str, enabled: bool) -> NotificationPreference:
    """Turn e-mail or push notifications on or off for ``user`` (in-app cannot be off)."""
    if channel not in (Channel.EMAIL, Channel.PUSH):
        raise DomainError(_("Only e-mail and push notifications can be turned off."), code="notifications.channel",
                          fields={"channel": _("Choose email or push.")})
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, channel=channel, defaults={"enabled": enabled})
    return preference


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store (or move to ``user``) a browser's push subscription. Raises DomainError
    ``notifications.push_disabled`` when no VAPID keys are configured."""
    if not push_enabled():
        raise DomainError(_("Browser notifications are not set up on this server."),
                          code="notifications.push_disabled", status=409)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth})
    return subscription


def event_sync_status(events: QuerySet[Event]) -> dict[int, list[dict]]:
    """Who was notified of each event, on which channel and when: ``{event id: [{user,
    username, role, channels: {channel: {"sent": iso|None, "read": iso|None}}}]}``.
    Precondition: ``events`` is already scoped to the caller."""
    status: dict[int, dict[int, dict]] = {}
    for n in Notification.objects.filter(event__in=events).select_related("user").order_by("user_id", "channel"):
        person = status.setdefault(n.event_id, {}).setdefault(
            n.user_id, {"user": n.user_id, "username": n.user.username, "role": n.user.role, "channels": {}})
        person["channels"][n.channel] = {"sent": n.sent_at.isoformat() if n.sent_at else None,
                                         "read": n.read_at.isoformat() if n.read_at else None}
    return {event_id: list(people.values()) for event_id, people in status.items()}
