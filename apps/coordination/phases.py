"""The coordination phases, booking statuses and the tables of allowed transitions."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    MATCHING = "matching", _("Matching")
    PLANNING = "planning", _("Planning")
    BOOKING = "booking", _("Booking")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


PHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.MATCHING: frozenset({Phase.PLANNING, Phase.CANCELLED}),
    # planning → matching: the expert stepped back or did not answer, rematch.
    Phase.PLANNING: frozenset({Phase.MATCHING, Phase.BOOKING, Phase.CANCELLED}),
    # booking/confirmed → planning: the traveler changed their mind, re-plan.
    Phase.BOOKING: frozenset({Phase.PLANNING, Phase.CONFIRMED, Phase.CANCELLED}),
    Phase.CONFIRMED: frozenset({Phase.PLANNING, Phase.BOOKING, Phase.IN_PROGRESS, Phase.CANCELLED}),
    Phase.IN_PROGRESS: frozenset({Phase.COMPLETED}),
    Phase.COMPLETED: frozenset(),
    Phase.CANCELLED: frozenset(),
}

OPEN_PHASES = frozenset({Phase.MATCHING, Phase.PLANNING, Phase.BOOKING, Phase.CONFIRMED, Phase.IN_PROGRESS})


def can_transition(current: str, target: str) -> bool:
    return target in PHASE_TRANSITIONS.get(current, frozenset())


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Waiting for vendor")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


BOOKING_TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.REQUESTED: frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.DECLINED,
                                        BookingStatus.CANCELLED}),
    BookingStatus.PENDING: frozenset({BookingStatus.CONFIRMED, BookingStatus.DECLINED, BookingStatus.EXPIRED,
                                      BookingStatus.CANCELLED}),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED, BookingStatus.COMPLETED}),
    BookingStatus.DECLINED: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.COMPLETED: frozenset(),
}

# Statuses whose seats are held on the slot.
HOLDING_STATUSES = frozenset({BookingStatus.REQUESTED, BookingStatus.PENDING, BookingStatus.CONFIRMED})


def booking_can_transition(current: str, target: str) -> bool:
    return target in BOOKING_TRANSITIONS.get(current, frozenset())


CHECK_IN_OPENS_HOURS = 6


def check_in_open(start: dt.datetime, time_zone: str, now: dt.datetime | None = None) -> bool:
    """Whether a confirmed booking starting at ``start`` can be checked in: from a few
    hours before the start (an early arrival for a tour just after midnight counts) to
    the end of the start's day in the vendor's zone."""
    tz = ZoneInfo(time_zone)
    now = now or timezone.now()
    return (start - dt.timedelta(hours=CHECK_IN_OPENS_HOURS) <= now
            and now.astimezone(tz).date() <= start.astimezone(tz).date())
