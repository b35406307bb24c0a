"""Scoped reads for live views: the snapshot a WebSocket client starts from, chat threads
and messages.

A snapshot is what one user may see of one request at one ``version``; applying the
events after it (see ``static/js/live.js`` and ``tests/coordination/test_event_stream.py``)
gives the next snapshot. Event payloads that should patch a snapshot carry the same
presenters (:mod:`.presenters`): ``{"booking": booking_json(b)}`` upserts a booking,
``{"thread": thread_json(t), "message": message_json(m)}`` appends a chat message.
"""
from __future__ import annotations

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .access import LiveAccess, bookings_visible_to, me_group, requests_visible_to, threads_visible_to, user_group
from .models import CoordinationState, Event, Message, OutboxMessage, ReadMarker, Thread
from .presenters import booking_json, message_json, thread_json


def events_since(access: LiveAccess, since: int) -> list[dict] | None:
    """The events ``access`` heard after version ``since``, oldest first, for a client that
    reconnects: exactly the messages published to its group (the outbox rows, which carry
    the phase at each version; a vendor's rows hold only its part).

    ``None`` when a snapshot is due instead: ``since`` is negative or ahead of the state,
    or more than ``TRAVELOURE["LIVE_CATCH_UP_EVENTS"]`` events were missed. Reads only.
    """
    limit = settings.TRAVELOURE["LIVE_CATCH_UP_EVENTS"]
    version = CoordinationState.objects.filter(pk=access.state.pk).values_list("version", flat=True).first()
    if version is None or not 0 <= since <= version:
        return None
    payloads = list(OutboxMessage.objects.filter(group=access.group, event__state_id=access.state.pk,
                                                 event__version__gt=since)
                    .order_by("event__version").values_list("payload", flat=True)[:limit + 1])
    if len(payloads) > limit:
        return None
    return [{**payload, "type": "event"} for payload in payloads]


def thread_list_for_user(user, state: CoordinationState) -> QuerySet[Thread]:
    """Threads of ``state`` the user may read (see ``access.threads_visible_to``), annotated
    with ``message_count`` and ``unread`` (messages by others after the user's read marker)."""
    qs = threads_visible_to(user, state)
    marker = ReadMarker.objects.filter(thread=OuterRef("pk"), user=user.pk).values("last_read_message_id")[:1]
    return qs.annotate(
        last_read=Coalesce(Subquery(marker), 0),
        message_count=Count("messages"),
        last_message_id=Max("messages__id"),
        unread=Count("messages", filter=Q(messages__id__gt=F("last_read")) & ~Q(messages__author=user.pk)),
    ).order_by("id")


def message_list_for_user(user, request_id: int, *, thread_id: int | None = None) -> QuerySet[Message]:
    """Messages of the request's threads the user may read, newest first; empty when the
    request (or the thread) is out of scope."""
    request = requests_visible_to(user).filter(pk=request_id).first()
    if request is None:
        return Message.objects.none()
    threads = thread_list_for_user(user, request.coordination).values("pk")
    qs = Message.objects.filter(thread__in=threads).select_related("author").order_by("-id")
    return qs.filter(thread_id=thread_id) if thread_id is not None else qs


def thread_entries(threads: QuerySet[Thread]) -> list[dict]:
    """Threads from :func:`thread_list_for_user` as JSON, with counts and last message."""
    threads = list(threads)
    last = Message.objects.select_related("author").in_bulk([t.last_message_id for t in threads if t.last_message_id])
    return [{**thread_json(t), "messages": t.message_count, "unread": t.unread,
             "last": message_json(last[t.last_message_id]) if t.last_message_id else None} for t in threads]


def request_snapshot(user, access: LiveAccess) -> dict:
    """What ``user`` sees of the request now, with its version.

    ``complete`` says whether this user hears every version (then a version gap means a
    lost message and the client re-syncs); a vendor hears only its own bookings' events,
    so its ``version`` is the last one addressed to it.
    Vendors get no phase or expert and only their own bookings and threads.
    """
    state = CoordinationState.objects.select_related("request").get(pk=access.state.pk)
    bookings = (bookings_visible_to(user).filter(state=state).select_related("vendor", "offering", "slot")
                .order_by("id"))
    version = state.version
    if not access.full:
        # The last version this vendor heard of: the next one it hears is above it.
        version = (Event.objects.filter(state=state, outbox__group=access.group).aggregate(v=Max("version"))["v"]
                   or 0)
    snapshot = {
        "type": "snapshot", "state": state.pk, "request": state.request_id, "version": version,
        "complete": access.full,
        "bookings": [booking_json(b) for b in bookings],
        "threads": thread_entries(thread_list_for_user(user, state)),
    }
    if access.full:
        snapshot.update(phase=state.phase, expert=state.expert_id)
    return snapshot


def me_snapshot(user) -> dict:
    """The start of a ``/ws/me/`` feed: for those who follow their own user group (travelers,
    experts) their requests with phase and version; staff and vendors follow their feed
    without a list."""
    snapshot = {"type": "snapshot", "user": user.pk}
    if me_group(user) == user_group(user.pk):
        snapshot["requests"] = [
            {"request": r.pk, "state": r.coordination.pk, "phase": r.coordination.phase,
             "version": r.coordination.version}
            for r in requests_visible_to(user).order_by("pk")
        ]
    return snapshot
