"""Keep a booking and its twin in the vendor's own OCTO system (or at the hotel provider a
stay's offer came from, :func:`_reconcile_stay`) in agreement.

Booking commands never call the supplier (no network under the row lock): each one of a
supplier-backed booking enqueues :func:`supplier_reconcile` after commit, which reads both
sides and moves the one that lags, outside any transaction:

- ours holds seats, theirs is not placed → hold there until our booking's deadline
  (``utcExpiresAt``); refused (gone meanwhile) → ours is declined (seats released, the next
  best slot offered, the plan re-planned);
- ours is accepted (confirmed, or requested from an instant vendor) and theirs is on
  hold → confirm there; an instant booking is then confirmed here;
- ours fell through (declined, expired, cancelled under the policy) and theirs holds or
  may hold → cancel there;
- theirs ended (hold expired, cancelled by the supplier) while ours is open → ours is
  declined; while ours is confirmed → the expert is told (a seat lost on their side).

A stay from a hotel provider's offer is booked there once ours is requested, after its
price is checked again (expired or repriced → not booked, ours declined with the reason,
the stay re-planned), confirmed here with the provider's reference, and cancelled there
when ours falls through.

A failed call is retried by the next reconcile (``booking-supplier-sweep`` every two
minutes); after ``give_up_after`` failures in a row the expert hears of it once
(``booking.supplier_trouble``) and the booking waits for a person. Every call carries the
twin's ``uuid`` (OCTO's idempotency key): a retry, or two reconciles racing, never book twice.
"""
from __future__ import annotations

import logging
import math
import uuid as uuid_lib
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.money import Money
from apps.integrations.base import ProviderRejected, ProviderUnavailable
from apps.vendors.models import Confirmation
from apps.integrations.registry import get_provider
from apps.vendors.services import HOTELS
from apps.vendors.supplier import octo_settings, supplier_backed, supplier_client

from ..models import Booking, SupplierReservation
from ..phases import HOLDING_STATUSES, BookingStatus
from .bookings import booking_confirm, booking_decline, booking_supplier_trouble

log = logging.getLogger(__name__)

Twin = SupplierReservation.Status
PLACED = (Twin.ON_HOLD, Twin.CONFIRMED)
ENDED = (Twin.CANCELLED, Twin.EXPIRED, Twin.REJECTED)
OCTO_STATUS = {"ON_HOLD": Twin.ON_HOLD, "PENDING": Twin.ON_HOLD, "CONFIRMED": Twin.CONFIRMED,
               "CANCELLED": Twin.CANCELLED, "EXPIRED": Twin.EXPIRED, "REDEEMED": Twin.CONFIRMED}


def supplier_reconcile(booking_id: int) -> str:
    """Bring the booking and its twin in the vendor's OCTO system into agreement (see the
    module docstring). Idempotent; network calls outside any transaction. Returns the twin's
    status, ``"retry"`` after a failed call, or ``"platform"`` for a vendor without one."""
    booking = (Booking.objects.select_related("vendor", "offering", "slot", "state__request__traveler")
               .filter(pk=booking_id).first())
    if booking is None or not supplier_backed(booking.vendor):
        return "platform"
    twin, _created = SupplierReservation.objects.get_or_create(booking=booking,
                                                               defaults={"uuid": str(uuid_lib.uuid4())})
    try:
        if booking.vendor.inventory_adapter == HOTELS:
            _reconcile_stay(booking, twin, get_provider("hotels"))
        else:
            _reconcile(booking, twin, supplier_client(booking.vendor))
    except ProviderUnavailable as exc:
        return _failed(booking, twin, exc)
    if twin.failures:
        twin.failures, twin.last_error = 0, ""
        twin.save(update_fields=["failures", "last_error", "updated_at"])
    return twin.status


def _reconcile(booking: Booking, twin: SupplierReservation, octo) -> None:
    if twin.status in PLACED:
        _record(twin, octo.booking(uuid=twin.uuid))  # their side may have moved (expiry, cancellation)
    if booking.status in HOLDING_STATUSES:
        if twin.status == Twin.NEW:
            _hold(booking, twin, octo)
        if twin.status == Twin.ON_HOLD and _accepted(booking):
            _confirm_there(booking, twin, octo)
        if twin.status == Twin.CONFIRMED and booking.status != BookingStatus.CONFIRMED:
            _apply(booking_confirm, booking_id=booking.pk, actor=None)
        elif twin.status in ENDED and booking.status == BookingStatus.CONFIRMED:
            _surface(booking, twin, _("The supplier no longer holds this confirmed booking (%(status)s).")
                     % {"status": twin.get_status_display()})
        elif twin.status in ENDED:
            _apply(booking_decline, booking_id=booking.pk, actor=None,
                   reason=_("%(vendor)s's booking system no longer holds these seats (%(status)s).")
                   % {"vendor": booking.vendor.name, "status": twin.get_status_display()})
    elif booking.status != BookingStatus.COMPLETED and twin.status not in ENDED:
        # A hold that timed out may still have been taken: cancel it by its uuid all the same.
        try:
            _record(twin, octo.cancel(uuid=twin.uuid, reason=f"Traveloure booking {booking.status}"))
        except ProviderRejected:
            _set(twin, status=Twin.CANCELLED)  # they never had it


def _reconcile_stay(booking: Booking, twin: SupplierReservation, hotels) -> None:
    """The hotel provider's side of a stay booked from its offer: booked once ours is
    requested (never at another price), ours confirmed with its reference, cancelled there
    once ours fell through."""
    if booking.status in HOLDING_STATUSES:
        if twin.status == Twin.NEW:
            _book_offer(booking, twin, hotels)
        if twin.status == Twin.CONFIRMED and booking.status != BookingStatus.CONFIRMED:
            _apply(booking_confirm, booking_id=booking.pk, actor=None, reference=twin.supplier_reference or None)
        elif twin.status in ENDED and booking.status != BookingStatus.CONFIRMED:
            _apply(booking_decline, booking_id=booking.pk, actor=None,
                   reason=twin.last_error or _("The hotel provider no longer holds this stay."))
    elif booking.status != BookingStatus.COMPLETED and twin.status not in ENDED:
        made = hotels.find(key=twin.uuid) if twin.status == Twin.NEW else None
        if twin.status == Twin.CONFIRMED or made is not None:
            made = hotels.cancel(booking_id=twin.provider_booking_id or made.id)
        _set(twin, status=Twin.CANCELLED, **({"supplier_reference": made.reference} if made else {}))


def _book_offer(booking: Booking, twin: SupplierReservation, hotels) -> None:
    """Book the offer at the provider unless it expired or its price changed meanwhile (then
    the twin ends with the reason said to the traveler). A call that may have been taken
    before it failed is looked up by our key first, so it is never booked twice."""
    offer = twin.offer
    made = hotels.find(key=twin.uuid) if twin.failures else None
    if made is None:
        if twin.expires_at and twin.expires_at <= timezone.now():
            _set(twin, status=Twin.EXPIRED, last_error=_(
                "The offer of %(hotel)s expired before it was booked; the stay is planned again.")
                % {"hotel": booking.offering.title})
            return
        try:
            now = hotels.recheck(offer_id=offer["offer_id"])
        except ProviderRejected:
            _set(twin, status=Twin.REJECTED, last_error=_(
                "%(hotel)s no longer offers this room; the stay is planned again.") % {"hotel": booking.offering.title})
            return
        before = Money(Decimal(offer["price"]["amount"]), offer["price"]["currency"])
        if (now.price, now.currency) != (before.amount, before.currency):
            _set(twin, status=Twin.REJECTED, last_error=_(
                "%(hotel)s now asks %(now)s instead of %(before)s: not booked; the stay is planned again.")
                % {"hotel": booking.offering.title, "now": Money(now.price, now.currency), "before": before})
            return
        traveler = booking.state.request.traveler
        try:
            made = hotels.book(offer_id=offer["offer_id"], key=twin.uuid,
                               full_name=traveler.get_full_name() or traveler.username, email=traveler.email)
        except ProviderRejected as exc:
            _set(twin, status=Twin.REJECTED, last_error=_("%(hotel)s refused the booking (%(why)s).")
                 % {"hotel": booking.offering.title, "why": exc.body[:120]})
            return
    _set(twin, status=Twin.CONFIRMED, supplier_reference=made.reference[:64], provider_booking_id=made.id[:64])


def _accepted(booking: Booking) -> bool:
    """Ours is confirmed, or is an instant vendor's request nobody has to look at."""
    return booking.status == BookingStatus.CONFIRMED or (
        booking.status == BookingStatus.REQUESTED and not booking.needs_manual_confirmation
        and booking.vendor.confirmation == Confirmation.INSTANT)


def _hold(booking: Booking, twin: SupplierReservation, octo) -> None:
    """Seats on hold there until our booking's deadline."""
    settings = octo_settings()
    left = (booking.deadline - timezone.now()).total_seconds() / 60 if booking.deadline else settings["hold_minutes"]
    offering, slot = booking.offering, booking.slot
    try:
        held = octo.hold(product_id=offering.octo_product_id, option_id=offering.octo_option_id or "DEFAULT",
                         availability_id=slot.external_id or slot.start.isoformat(),
                         units={offering.octo_unit_id or "adult": booking.quantity},
                         hold_minutes=max(math.ceil(left), 1), uuid=twin.uuid)
    except ProviderRejected as exc:
        _set(twin, status=Twin.REJECTED, last_error=exc.body[:255])
        return
    _record(twin, held)


def _confirm_there(booking: Booking, twin: SupplierReservation, octo) -> None:
    traveler = booking.state.request.traveler
    try:
        done = octo.confirm(uuid=twin.uuid, reseller_reference=booking.reference or f"TRAVELOURE-{booking.pk}",
                            full_name=traveler.get_full_name() or traveler.username, email=traveler.email)
    except ProviderRejected:
        done = octo.booking(uuid=twin.uuid)  # refused: most likely the hold ran out; say what it is now
    _record(twin, done)


def _record(twin: SupplierReservation, reservation) -> None:
    _set(twin, status=OCTO_STATUS.get(reservation.status, twin.status), expires_at=reservation.expires_at or
         twin.expires_at, supplier_reference=reservation.supplier_reference or twin.supplier_reference)


def _set(twin: SupplierReservation, **fields) -> None:
    for name, value in fields.items():
        setattr(twin, name, value)
    twin.save(update_fields=[*fields, "updated_at"])


def _apply(command, **kwargs) -> None:
    """Our side's command; a refusal (the booking moved meanwhile) waits for the next reconcile."""
    try:
        command(**kwargs)
    except DomainError as exc:
        log.info("supplier reconcile of booking %s: %s refused (%s)", kwargs["booking_id"], command.__name__, exc.code)


def _failed(booking: Booking, twin: SupplierReservation, exc: ProviderUnavailable) -> str:
    SupplierReservation.objects.filter(pk=twin.pk).update(failures=F("failures") + 1, last_error=str(exc)[:255],
                                                          updated_at=timezone.now())
    twin.refresh_from_db(fields=["failures"])
    log.warning("supplier reconcile of booking %s failed (%s in a row): %s", booking.pk, twin.failures, exc)
    if twin.failures >= octo_settings()["give_up_after"] and booking.status in HOLDING_STATUSES:
        _surface(booking, twin, str(exc))
    return "retry"


def _surface(booking: Booking, twin: SupplierReservation, error: str) -> None:
    """Tell the expert once (the first caller to claim ``surfaced_at``)."""
    if SupplierReservation.objects.filter(pk=twin.pk, surfaced_at__isnull=True).update(surfaced_at=timezone.now()):
        _apply(booking_supplier_trouble, booking_id=booking.pk, error=error)
