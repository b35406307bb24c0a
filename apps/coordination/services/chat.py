"""Chat on a request: one thread for traveler and expert (staff may join), one thread per
booking that its vendor shares. Posting is an engine command (``message.posted``), so a
message is pushed live and notified like every other change; reading is per user.
"""
from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from apps.core.errors import DomainError, NotFound

from .. import engine
from ..access import can_post_message, require
from ..models import Booking, Message, ReadMarker, Thread
from ..presenters import message_json, thread_json

MAX_MESSAGE_LENGTH = 5000


def message_post(*, state_id: int, actor, body: str, booking_id: int | None = None) -> Message:
    """Post ``body`` to the request's thread, or to the thread about ``booking_id``
    (threads are created on their first message).

    Raises DomainError ``chat.empty``/``chat.too_long``/``chat.invalid`` (a NUL character,
    which no database text column holds) for a bad body, NotFound when the
    actor may not write there. Emits ``message.posted`` with the thread and message; the
    booking's vendor hears it only for its booking's thread.
    """
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message first."), code="chat.empty", fields={"body": _("This field is required.")})
    if "\x00" in body:
        raise DomainError(_("The message holds a character that cannot be sent (NUL)."), code="chat.invalid",
                          fields={"body": _("Remove the NUL character.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise DomainError(_("Keep a message under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH},
                          code="chat.too_long", fields={"body": _("Too long.")})
    with engine.command(state_id, actor=actor) as cmd:
        booking = None
        if booking_id is not None:
            booking = Booking.objects.select_related("vendor", "offering").filter(pk=booking_id, state=cmd.state).first()
            if booking is None:
                raise NotFound(_("Not found."), code="not_found")
        require(can_post_message(actor, cmd.state, booking), actor, cmd.state, booking=booking)
        subject = booking.offering.title if booking else str(cmd.state.request)
        thread, _created = Thread.objects.get_or_create(state=cmd.state, booking=booking, defaults={"subject": subject})
        message = Message.objects.create(thread=thread, author=actor, body=body)
        data = {"thread": thread_json(thread), "message": message_json(message)}
        cmd.record("message.posted", data, vendors={booking.vendor_id: data} if booking else None)
    return message


def thread_mark_read(*, thread: Thread, user, up_to: int | None = None) -> ReadMarker:
    """Mark the thread read for ``user`` up to message ``up_to`` (default: the latest).

    Precondition: the caller got ``thread`` from a scoped selector. The marker never moves
    backwards. Personal reading state, so not an engine command and no event.
    """
    latest = thread.messages.aggregate(last=Max("id"))["last"] or 0
    target = min(up_to, latest) if up_to is not None else latest
    marker, _created = ReadMarker.objects.get_or_create(thread=thread, user=user)
    if target > marker.last_read_message_id:
        ReadMarker.objects.filter(pk=marker.pk, last_read_message_id__lt=target).update(last_read_message_id=target)
        marker.refresh_from_db(fields=["last_read_message_id"])
    return marker
