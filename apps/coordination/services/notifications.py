"""A person's own notification settings and read state. Not engine commands: they change
no request, so they record no event."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError, NotFound

from ..models import Notification, NotificationPreference, PushSubscription
from ..selectors import notification_list_for_user, push_enabled

Channel = Notification.Channel


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
