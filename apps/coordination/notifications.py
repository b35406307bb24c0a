"""Notification delivery (django-q2 tasks): turn the outbox rows addressed to a person
into in-app, e-mail and Web Push notifications. Reads (the notification centre, sync
status) are in :mod:`apps.coordination.selectors`, a person's settings and read state in
:mod:`apps.coordination.services.notifications`.

``notify_event`` runs in each event's follow-up task (:func:`.flow_tasks.follow_up_event`);
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
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from .models import Event, Notification, OutboxMessage, PushSubscription
from .selectors import notification_channels_enabled, push_enabled

log = logging.getLogger(__name__)
Channel = Notification.Channel

RETRY_WINDOW = dt.timedelta(days=1)


class Said:
    """What a sentence about one event may name, as its recipient sees it: who did it, the
    trip, and (for booking events) the offering, its vendor, time and reference."""

    def __init__(self, event: Event, data: dict, user):
        request = event.state.request
        self.data, self.request = data, request
        self.to_traveler = getattr(user, "pk", None) == request.traveler_id
        self.actor = _first_name(event.actor) if event.actor_id else _("Traveloure")
        self.traveler = _first_name(request.traveler)
        self.place, self.trip = request.destination, request.headline
        booking = data.get("booking") or {}
        because = data.get("because") or {}  # a re-plan: what fell through
        self.offering = booking.get("offering_title") or data.get("title") or because.get("title") or _("your booking")
        self.reference = booking.get("reference") or ""
        self.vendor_id = booking.get("vendor")

    @cached_property
    def vendor(self) -> str:
        from apps.vendors.models import Vendor

        return Vendor.objects.filter(pk=self.vendor_id).values_list("name", flat=True).first() or _("The vendor")

    def when(self, iso: str | None) -> str:
        """A UTC ISO time as the destination's local day and time: "Tue 17 Dec, 10:00"."""
        if not iso:
            return ""
        local = dt.datetime.fromisoformat(iso).astimezone(ZoneInfo(self.request.time_zone))
        return date_format(local, "D j M, H:i")

    def your(self, mine: str, theirs: str, **extra) -> str:
        """``mine`` for the traveler ("your Tokyo request"), ``theirs`` for the others."""
        return (mine if self.to_traveler else theirs) % {**vars(self), **extra}


def _first_name(user) -> str:
    return user.first_name or user.display_name()


def _ref(said: Said) -> str:
    return _(", ref %(ref)s") % {"ref": said.reference} if said.reference else ""


def _booking_status(mine: str, theirs: str = ""):
    """A booking event told by what happened to it: "Kanda Yabu Soba confirmed your table,
    ref RICK-7781" for the traveler, ``theirs`` (else the same) for the expert and the vendor."""
    return lambda c: c.your(mine, theirs or mine, vendor=c.vendor, ref=_ref(c))


def _phase_moved(c: Said) -> str:
    from .phases import Phase

    to = c.data.get("to", "")
    label = Phase(to).label if to in Phase.values else to
    return _("The %(place)s request moved to %(phase)s") % {"place": c.place, "phase": str(label).lower()}


# One sentence per event type, as its recipient reads it (the actor is never notified).
SENTENCES = {
    "request.submitted": lambda c: _("%(traveler)s asked for %(trip)s") % vars(c),
    "request.imported": lambda c: _("%(trip)s was added to your trips") % vars(c),
    "request.travel_changed": lambda c: _("%(actor)s changed how you arrive and leave on %(trip)s") % vars(c),
    "checks.changed": lambda c: (_("The trip check found something to fix in %(trip)s") if c.data.get("checks")
                                 else _("The trip check is happy with %(trip)s again")) % vars(c),
    "bookings.imported": lambda c: _("The bookings of %(trip)s were added") % vars(c),
    "request.cancelled": lambda c: c.your(_("Your %(place)s request was cancelled"),
                                          _("%(traveler)s cancelled the %(place)s request")),
    "state.repaired": _phase_moved,
    "trip.started": lambda c: c.your(_("Your %(place)s trip starts today: have a wonderful time"),
                                     _("%(traveler)s's %(place)s trip has started")),
    "trip.completed": lambda c: c.your(_("Welcome back! How was %(place)s? Rate your trip"),
                                       _("%(traveler)s's %(place)s trip is over")),
    "browse.started": lambda c: _("%(traveler)s will plan %(place)s on their own") % vars(c),
    "expert.chosen": lambda c: _("%(traveler)s would like you to plan %(trip)s") % vars(c),
    "expert.accepted": lambda c: _("%(actor)s accepted your %(place)s request") % vars(c),
    "expert.declined": lambda c: c.your(_("Your expert stepped back from %(place)s: choose another one"),
                                        _("The %(place)s request went back to matching")),
    "expert.timed_out": lambda c: c.your(_("Your expert did not answer in time: choose another one for %(place)s"),
                                         _("The %(place)s request went back to matching")),
    "expert.queued": lambda c: _("Every %(place)s expert is busy: we will find one, or plan it on your own")
    % vars(c),
    "expert.reassigned": lambda c: c.your(_("We are finding you another expert for %(place)s"),
                                          _("The %(place)s request was given to another expert")),
    "expert.reminded": lambda c: _("Reminder: %(traveler)s is waiting for your answer on %(trip)s") % vars(c),
    "consultation.booked": lambda c: _("%(traveler)s booked a call with you on %(when)s") % {
        **vars(c), "when": c.when(c.data.get("start"))},
    "itinerary.drafted": lambda c: _("A draft plan for %(place)s is ready to edit") % vars(c),
    "itinerary.draft_edited": lambda c: _("%(actor)s edited the draft plan for %(place)s") % vars(c),
    "itinerary.proposed": lambda c: c.your(_("Your plan for %(place)s is ready"),
                                           _("A new plan for %(place)s went to %(traveler)s")),
    "itinerary.replanned": lambda c: c.your(
        _("%(offering)s fell through: a changed plan for %(place)s waits for your OK"),
        _("%(offering)s fell through: a changed plan for %(traveler)s's %(place)s trip waits for an OK")),
    "itinerary.change_accepted": lambda c: c.your(_("You accepted the changed plan for %(place)s: booking now"),
                                                  _("%(actor)s accepted the changed plan for %(place)s")),
    "itinerary.approved": lambda c: c.your(_("You approved the plan for %(place)s: booking now"),
                                           _("%(traveler)s approved the plan for %(place)s")),
    "itinerary.item_rejected": lambda c: _("%(actor)s took %(offering)s out of the %(place)s plan") % vars(c),
    "itinerary.item_modified": lambda c: _("%(actor)s moved %(offering)s to %(day)s at %(time)s") % {
        **vars(c), "day": c.data.get("day", ""), "time": c.data.get("time", "")},
    "plan.item_added": lambda c: _("%(actor)s added %(offering)s to the %(place)s plan") % vars(c),
    "plan.item_removed": lambda c: _("%(actor)s removed an item from the %(place)s plan") % vars(c),
    "message.posted": lambda c: _("%(actor)s wrote about %(place)s") % vars(c),
    "external.added": lambda c: _("%(actor)s added a booking made elsewhere to %(trip)s") % vars(c),
    "recommendation.edited": lambda c: _("%(actor)s saved recommendations for %(place)s") % vars(c),
    "recommendation.sent": lambda c: c.your(_("%(actor)s sent you recommendations for %(place)s"),
                                            _("Recommendations for %(place)s went to %(traveler)s")),
    "recommendation.item_reviewed": lambda c: _("%(actor)s answered one of your %(place)s recommendations") % vars(c),
    "requirements.changed": lambda c: _("%(actor)s changed the %(place)s request: %(what)s") % {
        **vars(c), "what": ", ".join(name.replace("_", " ") for name in c.data.get("changes", {}))},
    "request.vendor_notes_changed": lambda c: _("%(traveler)s updated the notes for vendors on %(trip)s") % vars(c),
    "review.requested": lambda c: c.your(_("How was %(place)s? Reviews are open"),
                                         _("%(traveler)s was asked to review %(place)s")),
    "review.submitted": lambda c: _("%(traveler)s rated %(place)s %(rating)s out of 5") % {
        **vars(c), "rating": c.data.get("rating", "")},
    "shortlist.added": lambda c: _("%(actor)s shortlisted a %(category)s for %(trip)s") % {
        **vars(c), "category": c.data.get("category", "")},
    "price.offered": lambda c: _("%(actor)s offered %(amount)s %(currency)s for the %(category)s") % {
        **vars(c), **(c.data.get("amount") or {}), "category": c.data.get("category", "")},
    "price.agreed": lambda c: _("The price for the %(category)s is agreed: %(amount)s %(currency)s") % {
        **(c.data.get("amount") or {}), "category": c.data.get("category", "")},
    "booking.requested": lambda c: _("%(offering)s requested for %(when)s: waiting for %(vendor)s") % {
        **vars(c), "when": c.when(c.data.get("booking", {}).get("start")), "vendor": c.vendor},
    "booking.confirmed": _booking_status(_("%(vendor)s confirmed your %(offering)s%(ref)s"),
                                         _("%(vendor)s confirmed %(offering)s for %(traveler)s%(ref)s")),
    "booking.declined": _booking_status(_("%(vendor)s cannot take your %(offering)s"),
                                        _("%(vendor)s cannot take %(offering)s for %(traveler)s")),
    "booking.expired": _booking_status(_("%(vendor)s did not answer in time for %(offering)s")),
    "booking.proposed": _booking_status(_("%(vendor)s proposed another time or price for %(offering)s")),
    "booking.proposal_accepted": _booking_status(_("You accepted the new proposal for %(offering)s"),
                                                 _("%(actor)s accepted the proposal for %(offering)s")),
    "booking.cancelled": _booking_status(_("Your %(offering)s was cancelled%(ref)s"),
                                         _("%(actor)s cancelled %(offering)s%(ref)s")),
    "booking.completed": _booking_status(_("%(offering)s is done")),
    "booking.arrived": _booking_status(_("You checked in at %(offering)s"),
                                       _("%(traveler)s checked in at %(offering)s")),
    "booking.reminder_sent": _booking_status(_("Still waiting for %(vendor)s to answer on %(offering)s"),
                                             _("Please answer the request for %(offering)s%(ref)s")),
    "booking.supplier_trouble": _booking_status(_("%(vendor)s's booking system has not confirmed %(offering)s yet: your expert is on it"),
                                                _("%(vendor)s's booking system is failing on %(offering)s for %(traveler)s: please check it")),
    "booking.payment_schedule_set": _booking_status(_("The payment schedule for %(offering)s is set")),
    "booking.payment_recorded": _booking_status(_("A payment for %(offering)s was recorded")),
    "booking.payment_reminder": _booking_status(_("A payment for %(offering)s is due soon")),
    "booking.payment_overdue": _booking_status(_("A payment for %(offering)s is overdue")),
}


def render(event: Event, data: dict, user=None) -> tuple[str, str]:
    """Title (one sentence a person reads) and body of the notification ``user`` gets about
    ``event``, of which they may see ``data``. A chat message's body is the message; an
    event type without its own sentence still reads as one."""
    said = Said(event, data, user)
    sentence = SENTENCES.get(event.type)
    title = sentence(said) if sentence else _("There is news about %(trip)s") % vars(said)
    message = data.get("message")
    body = message["body"] if isinstance(message, dict) and "body" in message else title
    reason = (data.get("booking") or {}).get("decline_reason")
    if reason and event.type == "booking.declined":
        body = f"{title}: {reason}"
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
    title, body = render(event, data, user)
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
    event = Event.objects.select_related("actor", "state__request__traveler").get(pk=event_id)
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
