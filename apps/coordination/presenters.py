"""JSON of the coordination aggregates, one function per aggregate: event payloads, live
snapshots and the REST API all build bookings, installments, threads and messages here.

Bookings come in two shapes of the same fields:

- ``LIVE`` (event payloads and ``/ws/`` snapshots; ``static/js/live.js`` upserts a booking
  by ``id``): flat ids (``offering``, ``offering_title``, ``slot``, ``start``), times in UTC,
  the refund as a bare amount;
- ``REST`` (``/api/v1/bookings/``): nested ``offering`` and ``slot``, slot times and the
  deadline in the vendor's (the place's) time zone, the refund as money, the installments
  with their status, and the record's own timestamps as DRF writes them (UTC, ``Z``).

Neither holds anything a party to the booking may not see: who sees which booking is the
caller's business (selectors and event audiences).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.core.money import Money, quantize
from apps.itineraries.selectors import itinerary_serialize, itinerary_with_days
from apps.vendors.models import Slot

from .models import Booking, ExternalBooking, Message, PaymentInstallment, Thread
from .selectors import installment_status

LIVE = "live"
REST = "rest"


def _iso(value: dt.datetime | None, tz: dt.tzinfo = dt.UTC) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


def _rest_timestamp(value: dt.datetime | None) -> str | None:
    """UTC with a ``Z``, like every other timestamp under ``/api/``."""
    iso = _iso(value)
    return iso.removesuffix("+00:00") + "Z" if iso and iso.endswith("+00:00") else iso


def installment_json(installment: PaymentInstallment, *, today: dt.date | None = None) -> dict:
    """One payment of a booking's schedule; with ``today`` (the vendor's date) also its
    ``status`` (paid, due, overdue), which events leave out since it changes with time."""
    data = {"id": installment.pk, "kind": installment.kind, "amount": f"{installment.amount}",
            "currency": installment.currency, "due_date": installment.due_date.isoformat(),
            "paid_at": _iso(installment.paid_at)}
    if today is not None:
        data["status"] = installment_status(installment, today)
    return data


def booking_json(booking: Booking, *, shape: str = LIVE) -> dict:
    """A booking as its parties see it, in the ``LIVE`` or ``REST`` shape (module docstring).

    Reads ``offering`` and ``slot`` (select them); ``REST`` also reads ``state``, ``vendor``
    and the installments (prefetch them)."""
    data = {
        "id": booking.pk, "status": booking.status, "handled_by": booking.handled_by, "vendor": booking.vendor_id,
        "quantity": booking.quantity, "price": Money(booking.price, booking.currency).as_dict(),
        "discount": f"{quantize(booking.discount)}",
        "reference": booking.reference, "decline_reason": booking.decline_reason, "proposal": booking.proposal,
        "needs_manual_confirmation": booking.needs_manual_confirmation,
    }
    if shape == LIVE:
        data.update(
            offering=booking.offering_id, offering_title=booking.offering.title, slot=booking.slot_id,
            start=_iso(booking.slot.start) if booking.slot_id else None, deadline=_iso(booking.deadline),
            refund=f"{booking.refund_amount}" if booking.refund_amount is not None else None,
            arrived_at=_iso(booking.arrived_at))
        return data
    tz_name = booking.vendor.time_zone
    tz = ZoneInfo(tz_name)
    today = timezone.now().astimezone(tz).date()
    slot = booking.slot
    data.update(
        request=booking.state.request_id, offering={"id": booking.offering_id, "title": booking.offering.title},
        slot=None if slot is None else {"id": slot.pk, "start": _iso(slot.start, tz), "end": _iso(slot.end, tz),
                                        "time_zone": tz_name},
        deadline=_iso(booking.deadline, tz), confirmed_at=_rest_timestamp(booking.confirmed_at),
        refund=None if booking.refund_amount is None else Money(booking.refund_amount, booking.currency).as_dict(),
        arrived_at=_rest_timestamp(booking.arrived_at),
        installments=[installment_json(i, today=today) for i in booking.installments.all()],
        created_at=_rest_timestamp(booking.created_at))
    return data


def cancellation_json(booking: Booking, refund: Decimal, percent: Decimal | None = None) -> dict:
    """One booking in a cancellation: what it cost and what comes back (``refund_percent``
    of the vendor's policy in a preview; the stored refund after the cancellation)."""
    data = {"booking": booking.pk, "title": booking.offering.title, "vendor": booking.vendor.name,
            "status": booking.status, "start": _iso(booking.slot.start) if booking.slot_id else None,
            "price": Money(booking.price, booking.currency).as_dict(),
            "refund": Money(refund, booking.currency).as_dict()}
    if percent is not None:
        data["refund_percent"] = f"{percent.normalize():f}"
    return data


def alternative_json(slot: Slot) -> dict:
    """A free slot offered in place of a booking that fell through (the ``alternative`` of
    ``booking.declined`` and ``booking.expired``)."""
    return {"slot": slot.pk, "offering": slot.offering_id, "offering_title": slot.offering.title,
            "vendor": slot.offering.vendor_id, "start": _iso(slot.start), "free": slot.capacity_available,
            "price": Money(slot.price, slot.currency).as_dict()}


def external_booking_json(booking: ExternalBooking) -> dict:
    """A booking made elsewhere, times in its place's zone; ``managed_here`` is always
    false: no vendor confirms it here."""
    start_zone = booking.start_time_zone or booking.time_zone
    return {"id": booking.pk, "kind": booking.kind, "title": booking.title,
            "start": _iso(booking.starts_at, ZoneInfo(start_zone)),
            "end": _iso(booking.ends_at, ZoneInfo(booking.time_zone)),
            "start_zone": start_zone, "time_zone": booking.time_zone,
            "origin": {"name": booking.origin_name} if booking.origin_name else None,
            "place": {"name": booking.place_name, "lat": booking.lat, "lon": booking.lng},
            "reference": booking.reference,
            "price": (Money(booking.price, booking.currency).as_dict() if booking.price is not None else None),
            "source_import": booking.source_import_id, "managed_here": False}


def external_bookings_json(state) -> list[dict]:
    """The trip's bookings made elsewhere (``state``: the state or its id), in time order, as
    :func:`external_booking_json`."""
    rows = ExternalBooking.objects.filter(state=state).order_by("starts_at", "pk")
    return [external_booking_json(row) for row in rows]


def itinerary_json(itinerary_id: int, state_id: int) -> dict:
    """The current version as the traveler sees it (:func:`itinerary_serialize`) with the
    bookings made elsewhere (``external_bookings``). The caller checked that it is the
    state's current itinerary and who may see it."""
    itinerary = itinerary_with_days().get(pk=itinerary_id)
    return {**itinerary_serialize(itinerary), "external_bookings": external_bookings_json(state_id)}


def thread_json(thread: Thread) -> dict:
    return {"id": thread.pk, "subject": thread.subject, "booking": thread.booking_id}


def message_json(message: Message) -> dict:
    return {"id": message.pk, "thread": message.thread_id, "author": message.author_id,
            "author_name": message.author.display_name(), "body": message.body,
            "at": message.created_at.isoformat()}
