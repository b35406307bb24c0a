"""Reads the expert pages need, all scoped to the signed-in expert's own clients."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from apps.coordination.access import bookings_visible_to, requests_visible_to
from apps.coordination.phases import OPEN_PHASES, BookingStatus, Phase
from apps.experts.models import ConsultationSlot, Expert


def expert_of(user) -> Expert | None:
    """The signed-in user's expert profile, if any (its user joined: the pages print its name)."""
    return Expert.objects.filter(user=user).select_related("user").first()


def inbox(user) -> dict:
    """``waiting``: requests that chose this expert and wait for an answer (oldest first);
    ``active``: accepted requests still open (soonest trip first)."""
    mine = requests_visible_to(user)
    return {
        "waiting": mine.filter(coordination__phase=Phase.MATCHING, coordination__expert_accepted_at__isnull=True)
        .order_by("coordination__updated_at"),
        "active": mine.filter(coordination__expert_accepted_at__isnull=False, coordination__phase__in=OPEN_PHASES)
        .order_by("start_date"),
    }


def _board_filters(user, now) -> tuple:
    """The expert's bookings, and the filters of the board's ``open`` and ``problem`` ones."""
    mine = bookings_visible_to(user).filter(state__expert__user=user)
    open_ = Q(status__in=[BookingStatus.REQUESTED, BookingStatus.PENDING])
    recent = now - dt.timedelta(days=14)
    problem = (Q(status__in=[BookingStatus.DECLINED, BookingStatus.EXPIRED], updated_at__gte=recent)
               | Q(status__in=[BookingStatus.REQUESTED, BookingStatus.PENDING], needs_manual_confirmation=True)
               | (Q(status=BookingStatus.PENDING) & ~Q(proposal={})))
    return mine, open_, problem


def booking_board(user, *, now=None) -> dict:
    """The expert's bookings across vendors: ``pending`` (soonest deadline first),
    ``problems`` needing action (declined, expired, a vendor proposal waiting, or the
    vendor's inventory was down) and ``confirmed`` upcoming ones."""
    now = now or timezone.now()
    mine, open_, problem = _board_filters(user, now)
    return {
        "pending": mine.filter(open_).exclude(problem).order_by("deadline", "pk"),
        "problems": mine.filter(problem).order_by("-updated_at"),
        "confirmed": mine.filter(status=BookingStatus.CONFIRMED, slot__start__gte=now).order_by("slot__start"),
    }


def booking_counts(user, *, now=None) -> dict:
    """How many bookings :func:`booking_board` lists as ``pending`` and ``problems``, in one query."""
    mine, open_, problem = _board_filters(user, now or timezone.now())
    return mine.aggregate(pending=Count("pk", filter=open_ & ~problem), problems=Count("pk", filter=problem))


def consultation_days(expert: Expert, *, now=None, days: int = 30) -> list[tuple[dt.date, list[dict]]]:
    """The expert's consultation slots of the next ``days`` days grouped by the expert's
    local date, each with its start/end in the expert's zone and, when a request holds
    it, the start in that traveler's zone."""
    now = now or timezone.now()
    tz = ZoneInfo(expert.time_zone)
    slots = (ConsultationSlot.objects.filter(expert=expert, end__gte=now - dt.timedelta(hours=12),
                                             start__lt=now + dt.timedelta(days=days))
             .select_related("request__traveler"))
    grouped: dict[dt.date, list[dict]] = {}
    for slot in slots:
        start = slot.start.astimezone(tz)
        traveler_tz = slot.request.traveler.time_zone if slot.request_id else None
        grouped.setdefault(start.date(), []).append({
            "slot": slot, "start": start, "end": slot.end.astimezone(tz),
            "traveler_start": slot.start.astimezone(ZoneInfo(traveler_tz)) if traveler_tz else None})
    return sorted(grouped.items())
