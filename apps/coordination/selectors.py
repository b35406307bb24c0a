"""Scoped reads of coordination data. Out of scope reads as not found."""
import datetime as dt

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.accounts.models import Role
from apps.requests.models import ExperienceRequest

from .models import Booking, CoordinationState, Event, Notification, NotificationPreference, PaymentInstallment
from .phases import CHECK_IN_OPENS_HOURS, BookingStatus, check_in_open


def _scoped(qs: QuerySet, user, *, traveler: str, expert: str, vendor: str) -> QuerySet:
    """The rows of ``qs`` ``user`` may see, given each role's lookup from a row to its user;
    staff see everything, anonymous users nothing."""
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.STAFF or user.is_superuser:
        return qs
    path = {Role.TRAVELER: traveler, Role.EXPERT: expert, Role.VENDOR: vendor}.get(user.role)
    return qs.filter(**{path: user}) if path else qs.none()


def request_list_for_user(user) -> QuerySet[ExperienceRequest]:
    """Requests the user may see: own (traveler), clients (expert), with own bookings (vendor), all (staff)."""
    qs = _scoped(ExperienceRequest.objects.select_related("coordination", "coordination__expert__user", "traveler"),
                 user, traveler="traveler", expert="coordination__expert__user",
                 vendor="coordination__bookings__vendor__user")
    return qs.distinct() if user.is_authenticated and user.role == Role.VENDOR else qs


def request_get_for_user(user, request_id: int) -> ExperienceRequest | None:
    return request_list_for_user(user).filter(pk=request_id).first()


def state_visible_to(user, state: CoordinationState) -> bool:
    """Whether ``user`` sees the whole request (traveler, its expert, staff)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.STAFF or user.is_superuser:
        return True
    if user.role == Role.TRAVELER:
        return state.request.traveler_id == user.pk
    if user.role == Role.EXPERT:
        return state.expert_id is not None and state.expert.user_id == user.pk
    return False


def event_list_for_user(user, request_id: int) -> QuerySet[Event]:
    """The request's timeline for traveler/expert/staff; none for others."""
    request = request_get_for_user(user, request_id)
    if request is None or not state_visible_to(user, request.coordination):
        return Event.objects.none()
    return Event.objects.filter(state__request_id=request_id).select_related("actor").order_by("version")


def booking_list_for_user(user) -> QuerySet[Booking]:
    """Bookings of the user's requests (traveler), clients (expert), own vendor (vendor), all (staff)."""
    return _scoped(Booking.objects.select_related("offering", "vendor", "slot", "state__request"), user,
                   traveler="state__request__traveler", expert="state__expert__user", vendor="vendor__user")


def booking_get_for_user(user, booking_id: int) -> Booking | None:
    return booking_list_for_user(user).filter(pk=booking_id).first()


def vendor_booking_board(user, *, now=None) -> dict:
    """The vendor portal's lists, the user's own vendor only: ``pending`` requests (soonest
    deadline first), ``upcoming`` confirmed bookings and ``arrivals`` (confirmed ones whose
    check-in is open, see :func:`apps.coordination.phases.check_in_open`)."""
    now = now or timezone.now()
    own = booking_list_for_user(user).filter(vendor__user=user)
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


def shortlist_list_for_user(user, state: CoordinationState):
    """A wedding/event shortlist with its offers: all of it for the traveler, their expert and
    staff; a vendor sees only its own entries."""
    from .models import ShortlistEntry

    qs = ShortlistEntry.objects.filter(state=state).prefetch_related("offers").order_by("category", "pk")
    if state_visible_to(user, state):
        return qs
    return qs.filter(offering__vendor__user=user) if user.role == Role.VENDOR else qs.none()


def request_list_for_negotiation(user) -> QuerySet[ExperienceRequest]:
    """Requests the user may negotiate on: their usual scope plus, for a vendor, requests
    that shortlisted one of its offerings."""
    if user.is_authenticated and user.role == Role.VENDOR:
        return ExperienceRequest.objects.filter(coordination__shortlist__offering__vendor__user=user).distinct()
    return request_list_for_user(user)


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
