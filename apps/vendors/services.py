"""Writes of the vendor aggregates: slots and their capacity, and the reliability metrics
``apps.insights`` computes.

Capacity is only ever changed by one conditional UPDATE per call, so concurrent holds and
releases can neither oversell a slot nor push it past its total, on SQLite and PostgreSQL
(the database constraints ``slot_capacity_*`` are the last line of defence).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.bulk import replace_rows
from apps.core.commit import enqueue
from apps.core.errors import DomainError, NotFound

from .models import Offering, OfferingKind, PriceUnit, Slot, Vendor, VendorMetrics, VendorType

INVENTORY_SOURCES = ("platform", "octo")
HOTELS = "hotels"  # the inventory of a hotel known through the hotel provider only
SUPPLIER_SYNC_TASK = "apps.vendors.supplier.vendor_sync"

MAX_BULK_DAYS = 366
# One bulk request writes at most this many slots (a year at two or three times a day);
# more is a typo or abuse, and would hold the write lock for seconds.
MAX_BULK_SLOTS = 1000
# Seats in one slot; past it is a typo (and past 2**31 the column overflows).
MAX_SLOT_CAPACITY = 100_000


def slot_hold(*, slot_id: int, quantity: int) -> bool:
    """Take ``quantity`` seats of the slot if that many are free. Returns False (nothing
    written) when they are not. Run it inside the caller's transaction."""
    return bool(Slot.objects.filter(pk=slot_id, capacity_available__gte=quantity)
                .update(capacity_available=F("capacity_available") - quantity))


class _Full(Exception):
    """One night of a stay is full: roll the other nights back."""


def slots_hold(*, slot_ids: Sequence[int], quantity: int) -> bool:
    """Take ``quantity`` seats of every slot (a stay's nights) or of none: a savepoint undoes
    the nights already taken when one is full. Returns False (nothing written) then."""
    if len(slot_ids) == 1:
        return slot_hold(slot_id=slot_ids[0], quantity=quantity)
    try:
        with transaction.atomic():
            for slot_id in sorted(slot_ids):  # one order everywhere: concurrent stays cannot deadlock
                if not slot_hold(slot_id=slot_id, quantity=quantity):
                    raise _Full
    except _Full:
        return False
    return True


def slot_release(*, slot_id: int, quantity: int) -> None:
    """Give ``quantity`` held seats back. The caller guarantees they were held (exactly once)."""
    slots_release(slot_ids=[slot_id], quantity=quantity)


def slots_release(*, slot_ids: Sequence[int], quantity: int) -> None:
    """Give ``quantity`` held seats back on each slot, in one UPDATE (see :func:`slot_release`)."""
    Slot.objects.filter(pk__in=slot_ids).update(capacity_available=F("capacity_available") + quantity)


def _offering_of(vendor, offering_id: int) -> Offering:
    offering = Offering.objects.filter(pk=offering_id, vendor=vendor).select_related("vendor").first()
    if offering is None:
        raise NotFound(_("No such offering."), code="offering.not_found")
    return offering


def _check_slot_shape(*, capacity: int, start: dt.datetime | None = None, end: dt.datetime | None = None) -> None:
    errors = {}
    if start is not None and start <= timezone.now():
        errors["start"] = _("A slot must start in the future.")
    if start is not None and end <= start:
        errors["end"] = _("A slot must end after it starts.")
    if capacity < 1:
        errors["capacity"] = _("A slot needs at least one seat.")
    elif capacity > MAX_SLOT_CAPACITY:
        errors["capacity"] = _("A slot has at most %(n)s seats.") % {"n": MAX_SLOT_CAPACITY}
    if errors:
        raise DomainError(_("The slot has invalid fields."), code="slot.invalid", fields=errors)


def slot_create(*, vendor, offering_id: int, start: dt.datetime, end: dt.datetime | None = None, capacity: int,
                price: Decimal | None = None) -> Slot:
    """Add one slot to the vendor's own offering (``end`` defaults to start + duration,
    ``price`` to the offering's base price). Raises NotFound for another vendor's
    offering, DomainError ``slot.invalid`` for a past/empty/inverted slot."""
    offering = _offering_of(vendor, offering_id)
    end = end or start + dt.timedelta(minutes=offering.duration_min)
    _check_slot_shape(start=start, end=end, capacity=capacity)
    return Slot.objects.create(offering=offering, start=start, end=end, capacity_total=capacity,
                               capacity_available=capacity, price=offering.base_price if price is None else price,
                               currency=offering.currency)


def slots_bulk_create(*, vendor, offering_id: int, first_date: dt.date, last_date: dt.date, times: list[dt.time],
                      capacity: int, weekdays: set[int] | None = None, price: Decimal | None = None) -> list[Slot]:
    """Create a slot at each local time of ``times`` on each day from ``first_date`` to
    ``last_date`` (weekdays 0=Monday…; all by default), in the vendor's time zone.

    Days/times that already have a slot, or are in the past, are left out (re-running is
    harmless). Raises DomainError ``slot.invalid`` for an empty or too long range,
    ``slot.too_many`` past ``MAX_BULK_SLOTS``."""
    offering = _offering_of(vendor, offering_id)
    days = (last_date - first_date).days
    if not times or days < 0 or days >= MAX_BULK_DAYS:
        raise DomainError(_("Choose at least one time and a range of at most %(days)s days.") % {"days": MAX_BULK_DAYS},
                          code="slot.invalid", fields={"last_date": _("Check the dates.")})
    _check_slot_shape(capacity=capacity)
    tz = ZoneInfo(vendor.time_zone)
    duration = dt.timedelta(minutes=offering.duration_min)
    now = timezone.now()
    starts = []
    for n in range(days + 1):
        day = first_date + dt.timedelta(days=n)
        if weekdays is None or day.weekday() in weekdays:
            starts += [dt.datetime.combine(day, t, tzinfo=tz).astimezone(dt.timezone.utc) for t in sorted(times)]
    if len(starts) > MAX_BULK_SLOTS:
        raise DomainError(_("At most %(n)s slots at once: choose fewer days or times.") % {"n": MAX_BULK_SLOTS},
                          code="slot.too_many", fields={"times": _("Too many slots.")})
    existing = set(Slot.objects.filter(offering=offering, start__in=starts).values_list("start", flat=True))
    rows = [Slot(offering=offering, start=s, end=s + duration, capacity_total=capacity, capacity_available=capacity,
                 price=offering.base_price if price is None else price, currency=offering.currency)
            for s in starts if s > now and s not in existing]
    return Slot.objects.bulk_create(rows)


def slot_capacity_set(*, vendor, slot_id: int, capacity_total: int) -> Slot:
    """Change a slot's total seats; the free seats move by the same amount. Refused
    (DomainError ``slot.capacity_below_held``) below the seats already held. NotFound for
    another vendor's slot."""
    slot = Slot.objects.filter(pk=slot_id, offering__vendor=vendor).first()
    if slot is None:
        raise NotFound(_("No such slot."), code="slot.not_found")
    if not 0 <= capacity_total <= MAX_SLOT_CAPACITY:
        raise DomainError(_("Capacity must be between 0 and %(n)s.") % {"n": MAX_SLOT_CAPACITY}, code="slot.invalid",
                          fields={"capacity_total": _("Enter 0 to %(n)s.") % {"n": MAX_SLOT_CAPACITY}})
    # held = total - available must stay <= the new total: one conditional UPDATE.
    changed = Slot.objects.filter(pk=slot_id, capacity_total__lte=F("capacity_available") + capacity_total).update(
        capacity_available=F("capacity_available") + capacity_total - F("capacity_total"), capacity_total=capacity_total)
    slot.refresh_from_db()
    if not changed:
        raise DomainError(_("%(held)s seats are already held; the capacity cannot be lower.")
                          % {"held": slot.capacity_total - slot.capacity_available},
                          code="slot.capacity_below_held", fields={"capacity_total": _("Too low.")})
    return slot


def vendor_inventory_set(*, vendor: Vendor, source: str, url: str = "", api_key: str = "", supplier_id: str = "",
                         products: dict[int, str] | None = None) -> Vendor:
    """Where the vendor's availability comes from: ``platform`` (slots kept here) or ``octo``
    (its own OCTO system at ``url``; ``products`` maps its offerings to OCTO product ids).
    A blank ``api_key`` keeps the current one (it is never shown back). Switching to OCTO
    queues a first availability sync after commit. Errors: ``vendor.inventory_invalid``."""
    errors = {}
    if source not in INVENTORY_SOURCES:
        errors["source"] = _("Choose platform or OCTO.")
    if source == "octo" and not url:
        errors["url"] = _("The OCTO API's base URL is required.")
    if source == "octo" and not (api_key or vendor.octo_api_key):
        errors["api_key"] = _("The OCTO API key is required.")
    if errors:
        raise DomainError(_("The inventory settings are incomplete."), code="vendor.inventory_invalid", fields=errors)
    with transaction.atomic():
        vendor.inventory_adapter, vendor.octo_url, vendor.octo_supplier_id = source, url, supplier_id
        vendor.octo_api_key = api_key or vendor.octo_api_key
        vendor.save(update_fields=["inventory_adapter", "octo_url", "octo_supplier_id", "octo_api_key", "updated_at"])
        for offering_id, product_id in (products or {}).items():
            Offering.objects.filter(pk=offering_id, vendor=vendor).update(octo_product_id=product_id.strip())
        if source == "octo":
            enqueue(SUPPLIER_SYNC_TASK, vendor.pk)
    return vendor


class Departure(NamedTuple):
    """One departure as a supplier's own system lists it (``vacancies`` 0 when closed)."""

    external_id: str
    start: dt.datetime
    end: dt.datetime
    vacancies: int
    price: Decimal
    currency: str


def slots_sync(*, offering: Offering, start: dt.datetime, end: dt.datetime, departures: Sequence[Departure]) -> None:
    """Make the offering's slots starting in ``[start, end)`` say what its supplier says:
    a slot per departure (created when new), free seats = the supplier's vacancies (our
    holds placed there are already counted out), price and currency its own. A slot the
    supplier no longer lists has no free seat (kept: bookings refer to it).

    The total only grows (``vacancies`` + the seats we hold), so releasing a held seat later
    can never push a slot past it. The supplier is the authority: a seat held here but not
    yet placed there is placed by the booking's reconcile, refused if it is gone."""
    listed = {d.start: d for d in departures if start <= d.start < end}
    with transaction.atomic():
        known = set(Slot.objects.filter(offering=offering, start__in=listed).values_list("start", flat=True))
        Slot.objects.bulk_create([
            Slot(offering=offering, start=d.start, end=d.end, capacity_total=max(d.vacancies, 1),
                 capacity_available=d.vacancies, price=d.price, currency=d.currency, external_id=d.external_id)
            for d in listed.values() if d.start not in known])
        for d in listed.values():
            if d.start in known:
                Slot.objects.filter(offering=offering, start=d.start).update(
                    end=d.end, price=d.price, currency=d.currency, external_id=d.external_id, is_stale=False,
                    capacity_total=Greatest(F("capacity_total"), d.vacancies + F("capacity_total") - F("capacity_available")),
                    capacity_available=d.vacancies)
        (Slot.objects.filter(offering=offering, start__gte=start, start__lt=end).exclude(start__in=listed)
         .update(capacity_available=0, is_stale=False))


def vendor_metrics_save(*, vendor_ids: Iterable[int], metrics: dict[int, dict]) -> int:
    """Store recomputed :class:`VendorMetrics` (by ``apps.insights``): one row per entry of
    ``metrics`` (vendor id → field values), none for the other ``vendor_ids`` (no history).
    Returns the rows written."""
    return replace_rows(VendorMetrics, key="vendor", values=metrics, ids=vendor_ids)


def provider_hotel_offering(*, provider: str, hotel_id: str, name: str, lat: float, lon: float, city: str,
                            country: str, time_zone: str, price: Decimal, currency: str) -> Offering:
    """The stay offering of a hotel known only through the hotel provider (``provider``), so
    that booking it is a :class:`~apps.coordination.models.Booking` like any other: a vendor
    with ``inventory_adapter="hotels"``, not listed (inactive: never planned or browsed as a
    platform hotel), made once per provider hotel and reused. Writes only; no network."""
    key = f"{provider}:{hotel_id}"[:96]
    vendor = Vendor.objects.filter(provider_hotel=key).first()
    if vendor is None:
        code = re.sub(r"[^A-Za-z0-9]", "", hotel_id).upper()[-8:] or "HOTEL"
        vendor = Vendor.objects.create(name=name[:160], code=code, vendor_type=VendorType.HOTEL, city=city,
                                       country=country, lat=lat, lon=lon, time_zone=time_zone, min_notice_hours=0,
                                       inventory_adapter=HOTELS, provider_hotel=key, is_active=False)
    offering = vendor.offerings.first()
    if offering is None:
        offering = Offering.objects.create(vendor=vendor, title=name[:200], kind=OfferingKind.STAY, base_price=price,
                                           currency=currency, price_unit=PriceUnit.PER_BOOKING, lat=lat, lon=lon,
                                           is_active=False)
    return offering
