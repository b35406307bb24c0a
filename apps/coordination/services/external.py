"""Bookings the traveler made elsewhere (``external.added``): what a confirmation import
found, added to the trip as :class:`ExternalBooking` rows. They are not vendor bookings:
no slot, no vendor, no confirmation flow; they exist so that the plan and the trip's
checks see the flight, the hotel or the table the traveler already has."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _

from apps.core.errors import DomainError

from .. import engine
from ..access import can_import_bookings, require
from ..models import ExternalBooking
from ..phases import OPEN_PHASES
from ..presenters import external_booking_json

MAX_ITEMS = 20


def _invalid(index: int, field: str, message: str) -> DomainError:
    return DomainError(_("A booking to add is not valid."), code="external.invalid",
                       fields={f"items.{index}.{field}": message})


def _aware(value, index: int, field: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise _invalid(index, field, _("A date and time with its offset."))
    return at


def _row(item: dict, index: int, *, state, actor, source_import_id) -> ExternalBooking:
    """One item (the import presenter's shape) as an unsaved row; refuses what is not
    well-formed rather than storing a time without a zone."""
    if item.get("kind") not in ExternalBooking.Kind.values:
        raise _invalid(index, "kind", _("Unknown kind."))
    for field in ("time_zone", "start_zone"):
        try:
            ZoneInfo(item.get(field) or item.get("time_zone") or "")
        except (ZoneInfoNotFoundError, ValueError):
            raise _invalid(index, field, _("Unknown time zone.")) from None
    starts_at = _aware(item.get("start"), index, "start")
    ends_at = _aware(item["end"], index, "end") if item.get("end") else None
    if ends_at is not None and ends_at < starts_at:
        raise _invalid(index, "end", _("Ends before it starts."))
    place, origin, price = item.get("place") or {}, item.get("origin") or {}, item.get("price") or {}
    offset = item.get("stated_offset_min")
    if offset is not None and (type(offset) is not int or abs(offset) > 18 * 60):
        raise _invalid(index, "stated_offset_min", _("Not a UTC offset in minutes."))
    try:
        amount = Decimal(price["amount"]) if price.get("amount") is not None else None
    except (InvalidOperation, TypeError):
        raise _invalid(index, "price", _("Not an amount.")) from None
    return ExternalBooking(
        state=state, kind=item["kind"], title=str(item.get("title") or "")[:200] or item["kind"],
        starts_at=starts_at, ends_at=ends_at, time_zone=item["time_zone"],
        start_time_zone=item.get("start_zone") or "", origin_name=str(origin.get("name") or "")[:200],
        place_name=str(place.get("name") or "")[:200], lat=place.get("lat"), lng=place.get("lon"),
        reference=str(item.get("reference") or "")[:80], stated_offset_min=offset, price=amount,
        currency=str(price.get("currency") or "")[:3] if amount is not None else "",
        source_import_id=source_import_id, created_by=actor)


def external_bookings_add(*, state_id: int, actor, items: list[dict],
                          source_import_id: int | None = None) -> list[ExternalBooking]:
    """The traveler or expert adds bookings made elsewhere to an open request
    (``external.added`` with the rows; vendors do not hear of it).

    ``items`` are dicts with ``kind``, ``title``, ``start``/``end`` (ISO 8601 with offset),
    ``time_zone`` (the place's), ``start_zone`` and ``origin`` ``{name}`` (where a journey
    starts), ``place`` ``{name, lat, lon}``, ``reference``, ``price`` ``{amount,
    currency}``. Errors: 404/403 per :func:`require`; Conflict ``state.wrong_phase`` on a
    closed request; DomainError ``external.invalid`` (nothing written).
    """
    if not items or len(items) > MAX_ITEMS:
        raise DomainError(_("Add between 1 and %(n)d bookings at once.") % {"n": MAX_ITEMS}, code="external.invalid")
    with engine.command(state_id, actor=actor) as cmd:
        require(can_import_bookings(actor, cmd.state), actor, cmd.state,
                _("Only the traveler and the expert add bookings made elsewhere."))
        cmd.require_phase(*OPEN_PHASES)
        rows = [_row(item, i, state=cmd.state, actor=actor, source_import_id=source_import_id)
                for i, item in enumerate(items)]
        ExternalBooking.objects.bulk_create(rows)  # sets the ids (SQLite ≥ 3.35, PostgreSQL)
        cmd.record("external.added", {"import": source_import_id,
                                      "external_bookings": [external_booking_json(row) for row in rows]})
    return rows
