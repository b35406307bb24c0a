"""Reads of coordination data for pages and periodic tasks. What a user may see at all is
decided in :mod:`apps.coordination.access`; out of scope reads as not found."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.vendors.supplier import SUPPLIER_SYSTEMS

from .access import bookings_served_by
from .models import (Booking, CoordinationState, Event, Notification, NotificationPreference, PaymentInstallment,
                     SupplierReservation)
from .phases import CHECK_IN_OPENS_HOURS, HOLDING_STATUSES, BookingStatus, Phase, check_in_open


def vendor_booking_board(user, *, now=None) -> dict:
    """The vendor portal's lists, the user's own vendor only: ``pending`` requests (soonest
    deadline first), ``upcoming`` confirmed bookings and ``arrivals`` (confirmed ones whose
    check-in is open, see :func:`apps.coordination.phases.check_in_open`). One query: the
    lists are cut from the pending and the recent confirmed bookings."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=1)
    until = now + dt.timedelta(hours=CHECK_IN_OPENS_HOURS)
    bookings = list(bookings_served_by(user).select_related("state__request__traveler")  # whom each one serves
                    .filter(Q(status=BookingStatus.PENDING) | Q(status=BookingStatus.CONFIRMED, slot__start__gte=since))
                    .order_by("slot__start", "pk"))
    confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    pending = [b for b in bookings if b.status == BookingStatus.PENDING]
    pending.sort(key=lambda b: (b.deadline is None, b.deadline or now))
    return {
        "pending": pending,
        "upcoming": [b for b in confirmed if b.slot.start >= now],
        "arrivals": [b for b in confirmed if b.slot.start <= until and check_in_open(b.slot.start, b.vendor.time_zone, now)],
    }


def installment_status(installment, today) -> str:
    """``paid``, ``overdue`` (due date passed, unpaid) or ``due``."""
    if installment.paid_at is not None:
        return "paid"
    return "overdue" if installment.due_date < today else "due"


def booking_ids_overdue(now) -> list[int]:
    """System read: pending bookings whose deadline has passed."""
    return list(Booking.objects.filter(status=BookingStatus.PENDING, deadline__lte=now).values_list("pk", flat=True))


def booking_ids_supplier_unsettled() -> list[int]:
    """System read: bookings made in a system of their own (a vendor's OCTO, a hotel
    provider) whose twin there may not
    agree yet: open ones, confirmed ones not confirmed there, and fallen-through ones whose
    twin may still hold seats (see :mod:`apps.coordination.services.supplier`)."""
    twin = SupplierReservation.Status
    settled_there = Q(supplier_reservation__status__in=[twin.CANCELLED, twin.EXPIRED, twin.REJECTED])
    unsettled = (Q(status__in=[BookingStatus.REQUESTED, BookingStatus.PENDING])
                 | Q(status=BookingStatus.CONFIRMED) & ~Q(supplier_reservation__status=twin.CONFIRMED)
                 & Q(supplier_reservation__surfaced_at__isnull=True)
                 | ~Q(status__in=[*HOLDING_STATUSES, BookingStatus.COMPLETED]) & Q(supplier_reservation__isnull=False)
                 & ~settled_there)
    return list(Booking.objects.filter(unsettled, vendor__inventory_adapter__in=SUPPLIER_SYSTEMS).order_by("pk")
                .values_list("pk", flat=True))


def booking_ids_to_remind(now, before) -> list[int]:
    """System read: pending bookings not yet reminded whose deadline is within ``before``."""
    return list(Booking.objects.filter(status=BookingStatus.PENDING, reminded_at__isnull=True, deadline__gt=now,
                                       deadline__lte=now + before).values_list("pk", flat=True))


def booking_ids_ended(now) -> list[int]:
    """System read: confirmed bookings whose time is over (a stay: its last night ended)."""
    return list(Booking.objects.filter(status=BookingStatus.CONFIRMED, slot__end__lte=now)
                .exclude(nights__end__gt=now).values_list("pk", flat=True).distinct())


def trips_to_advance(now) -> tuple[list[int], list[int]]:
    """System read: ``(to start, to complete)`` state ids by the local date ``now`` is in each
    destination's zone: confirmed trips whose first day has come (or passed), and trips in
    progress whose last day is over. A confirmed trip already over is in both."""
    # A local date is at most a day from the UTC date: filter in the database, decide per zone.
    soon = (now + dt.timedelta(days=1)).date()
    rows = (CoordinationState.objects.filter(Q(phase=Phase.CONFIRMED, request__start_date__lte=soon)
                                             | Q(phase__in=(Phase.CONFIRMED, Phase.IN_PROGRESS),
                                                 request__end_date__lte=now.date()))
            .values_list("pk", "phase", "request__start_date", "request__end_date", "request__time_zone")
            .order_by("pk"))
    start, complete = [], []
    for pk, phase, first, last, zone in rows:
        today = now.astimezone(ZoneInfo(zone)).date()
        if phase == Phase.CONFIRMED and first <= today:
            start.append(pk)
        if last < today:
            complete.append(pk)
    return start, complete


def installment_ids_to_remind(today, before_days: int) -> list[int]:
    """System read: unpaid installments of live bookings due within ``before_days`` or overdue."""
    return list(PaymentInstallment.objects.filter(
        paid_at__isnull=True, due_date__lte=today + dt.timedelta(days=before_days),
        booking__status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.REQUESTED],
    ).exclude(reminded_at__isnull=False, due_date__gte=today).exclude(reminded_at__date__gt=F("due_date"))
        .values_list("pk", flat=True))


def notification_list_for_user(user) -> QuerySet[Notification]:
    """The user's in-app notification centre, newest first."""
    return (Notification.objects.filter(user=user, channel=Notification.Channel.IN_APP).select_related("event")
            .order_by("-id"))


def notification_unread_count(user) -> int:
    return notification_list_for_user(user).filter(read_at__isnull=True).count()


def notification_channels_enabled(user) -> set[str]:
    """The channels ``user`` has not turned off (all are on by default)."""
    off = set(NotificationPreference.objects.filter(user=user, enabled=False).values_list("channel", flat=True))
    return set(Notification.Channel.values) - off


def push_enabled() -> bool:
    """Web Push is set up (VAPID keys configured)."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


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
