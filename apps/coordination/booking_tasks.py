"""django-q2 tasks of the booking flow. Each takes ids, re-fetches, calls a service and is
idempotent: running it twice (a retry, two workers) changes nothing the second time.
Periodic ones are registered in :mod:`apps.coordination.schedules`."""
import datetime as dt
import logging

from django.utils import timezone

from apps.core.errors import DomainError
from apps.vendors.models import Confirmation
from apps.vendors.supplier import SUPPLIER_SYSTEMS, supplier_backed

from .models import Booking
from .phases import BookingStatus
from .selectors import (booking_ids_overdue, booking_ids_supplier_unsettled, booking_ids_to_remind,
                        installment_ids_to_remind)
from .services.bookings import booking_confirm, booking_expire, booking_remind_vendor, installment_remind
from .services.supplier import supplier_reconcile
from .services.itinerary import itinerary_replan_fallthrough

log = logging.getLogger(__name__)

REMIND_VENDOR_BEFORE = dt.timedelta(hours=4)
REMIND_PAYMENT_DAYS = 3


def confirm_instant_booking(booking_id: int) -> str:
    """Confirm a requested booking of an instant vendor with a generated reference.
    Anything else (already confirmed, cancelled, manual, confirmed by the vendor's own
    system: :func:`reconcile_supplier_booking`) is left alone."""
    booking = Booking.objects.select_related("vendor").filter(pk=booking_id).first()
    if (booking is None or booking.status != BookingStatus.REQUESTED or booking.needs_manual_confirmation
            or booking.vendor.confirmation != Confirmation.INSTANT or supplier_backed(booking.vendor)):
        return "skipped"
    try:
        booking = booking_confirm(booking_id=booking_id, actor=None)
    except DomainError as exc:  # e.g. cancelled meanwhile: nothing to do
        log.info("instant confirmation of booking %s refused: %s", booking_id, exc.code)
        return exc.code
    return booking.reference


def replan_after_fallthrough(booking_id: int) -> int | None:
    """After a decline or an expiry: propose the re-planned itinerary (see
    :func:`itinerary_replan_fallthrough`); a request that changed meanwhile is left as it
    is (the expert can still plan again). Returns the new version, if any."""
    try:
        state = itinerary_replan_fallthrough(booking_id=booking_id)
    except DomainError as exc:
        log.info("re-plan after booking %s refused: %s", booking_id, exc.code)
        return None
    return state.current_itinerary.version if state else None


def reconcile_supplier_booking(booking_id: int) -> str:
    """After each command on a booking made in a system of its own (a vendor's OCTO, the
    hotel provider of a stay's offer): bring its twin there into agreement (hold, confirm, cancel; see :func:`supplier_reconcile`)."""
    return supplier_reconcile(booking_id)


def sweep_supplier_bookings() -> dict[str, int]:
    """Periodic: reconcile every supplier-backed booking whose two sides may disagree (a
    call that failed, a task that was lost, a hold that ran out there). Counts by outcome."""
    done: dict[str, int] = {}
    for pk in booking_ids_supplier_unsettled():
        outcome = supplier_reconcile(pk)
        done[outcome] = done.get(outcome, 0) + 1
    return done


def _each(ids: list[int], service) -> int:
    """Apply ``service`` to each id; one refusal does not stop the others."""
    done = 0
    for pk in ids:
        try:
            service(pk)
            done += 1
        except DomainError as exc:
            log.info("booking task on %s refused: %s", pk, exc.code)
    return done


STALLED_AFTER = dt.timedelta(minutes=2)


def confirm_stalled_instant_bookings() -> int:
    """Periodic: confirm instant bookings still ``requested`` a while after their request
    (their confirmation task was lost: broker down, worker crash). Returns how many it handled."""
    ids = list(Booking.objects.filter(status=BookingStatus.REQUESTED, needs_manual_confirmation=False,
                                      vendor__confirmation=Confirmation.INSTANT,
                                      created_at__lt=timezone.now() - STALLED_AFTER)
               .exclude(vendor__inventory_adapter__in=SUPPLIER_SYSTEMS).values_list("pk", flat=True))
    return sum(confirm_instant_booking(pk) not in ("skipped",) for pk in ids)


def expire_overdue_bookings() -> int:
    """Periodic: expire pending bookings past their deadline (seats released, alternative offered)."""
    return _each(booking_ids_overdue(timezone.now()), lambda pk: booking_expire(booking_id=pk))


def remind_vendors() -> int:
    """Periodic: remind vendors of deadlines within four hours and escalate to the expert."""
    return _each(booking_ids_to_remind(timezone.now(), REMIND_VENDOR_BEFORE),
                 lambda pk: booking_remind_vendor(booking_id=pk))


def remind_installments() -> int:
    """Periodic: payment reminders a few days before the due date, and once when overdue."""
    return _each(installment_ids_to_remind(timezone.localdate(), REMIND_PAYMENT_DAYS),
                 lambda pk: installment_remind(installment_id=pk))
