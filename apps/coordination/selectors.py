"""Reads of coordination data for pages and periodic tasks. What a user may see at all is
decided in :mod:`apps.coordination.access`; out of scope reads as not found."""
import datetime as dt

from django.db.models import F
from django.utils import timezone

from .access import bookings_served_by
from .models import Booking, PaymentInstallment
from .phases import CHECK_IN_OPENS_HOURS, BookingStatus, check_in_open


def vendor_booking_board(user, *, now=None) -> dict:
    """The vendor portal's lists, the user's own vendor only: ``pending`` requests (soonest
    deadline first), ``upcoming`` confirmed bookings and ``arrivals`` (confirmed ones whose
    check-in is open, see :func:`apps.coordination.phases.check_in_open`)."""
    now = now or timezone.now()
    own = bookings_served_by(user)
    confirmed = own.filter(status=BookingStatus.CONFIRMED)
    return {
        "pending": own.filter(status=BookingStatus.PENDING).order_by("deadline"),
        "upcoming": confirmed.filter(slot__start__gte=now).order_by("slot__start"),
        "arrivals": [b for b in confirmed.filter(slot__start__gte=now - dt.timedelta(days=1),
                                                 slot__start__lte=now + dt.timedelta(hours=CHECK_IN_OPENS_HOURS))
                     .order_by("slot__start") if check_in_open(b.slot.start, b.vendor.time_zone, now)],
    }


def installment_status(installment, today) -> str:
    """``paid``, ``overdue`` (due date passed, unpaid) or ``due``."""
    if installment.paid_at is not None:
        return "paid"
    return "overdue" if installment.due_date < today else "due"


def booking_ids_overdue(now) -> list[int]:
    """System read: pending bookings whose deadline has passed."""
    return list(Booking.objects.filter(status=BookingStatus.PENDING, deadline__lte=now).values_list("pk", flat=True))


def booking_ids_to_remind(now, before) -> list[int]:
    """System read: pending bookings not yet reminded whose deadline is within ``before``."""
    return list(Booking.objects.filter(status=BookingStatus.PENDING, reminded_at__isnull=True, deadline__gt=now,
                                       deadline__lte=now + before).values_list("pk", flat=True))


def installment_ids_to_remind(today, before_days: int) -> list[int]:
    """System read: unpaid installments of live bookings due within ``before_days`` or overdue."""
    return list(PaymentInstallment.objects.filter(
        paid_at__isnull=True, due_date__lte=today + dt.timedelta(days=before_days),
        booking__status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.REQUESTED],
    ).exclude(reminded_at__isnull=False, due_date__gte=today).exclude(reminded_at__date__gt=F("due_date"))
        .values_list("pk", flat=True))
