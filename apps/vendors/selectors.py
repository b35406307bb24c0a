"""Scoped reads of vendors, offerings and slots."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from .models import Offering, Slot, Vendor, VendorMetrics

ALTERNATIVE_WINDOW = dt.timedelta(days=2)


def vendor_list_public() -> QuerySet[Vendor]:
    """Active vendors (public fields only are shown by callers)."""
    return Vendor.objects.filter(is_active=True).order_by("name")


def vendor_of_user(user) -> Vendor | None:
    """The vendor the user manages, if any."""
    if not user.is_authenticated:
        return None
    return Vendor.objects.filter(user=user).first()


def offering_list_for_vendor(vendor: Vendor) -> QuerySet[Offering]:
    return Offering.objects.filter(vendor=vendor).order_by("title")


def slot_list_free(*, vendor_id: int, offering_id: int | None = None, start: dt.datetime | None = None,
                   end: dt.datetime | None = None) -> QuerySet[Slot]:
    """Future slots of an active vendor's active offerings that still have a free seat."""
    qs = (Slot.objects.filter(offering__vendor_id=vendor_id, offering__vendor__is_active=True,
                              offering__is_active=True, capacity_available__gt=0,
                              start__gt=start or timezone.now())
          .select_related("offering").order_by("start"))
    if offering_id is not None:
        qs = qs.filter(offering_id=offering_id)
    if end is not None:
        qs = qs.filter(start__lt=end)
    return qs


def slot_list_for_vendor(vendor: Vendor, *, since: dt.datetime | None = None) -> QuerySet[Slot]:
    """The vendor's own slots from ``since`` (default now), with their offering."""
    return (Slot.objects.filter(offering__vendor=vendor, end__gt=since or timezone.now())
            .select_related("offering").order_by("start"))


def stay_nights(offering_id: int, first_night: dt.date, nights: int) -> list[Slot]:
    """The slot of each night of a stay (one per local date from ``first_night``, in the
    vendor's zone), in order; a night without a slot is missing from the list."""
    offering = Offering.objects.select_related("vendor").get(pk=offering_id)
    tz = ZoneInfo(offering.vendor.time_zone)
    first = dt.datetime.combine(first_night, dt.time.min, tz)
    slots = (Slot.objects.filter(offering=offering, start__gte=first, start__lt=first + dt.timedelta(days=nights))
             .select_related("offering__vendor").order_by("start"))
    by_night = {}
    for slot in slots:
        by_night.setdefault(slot.start.astimezone(tz).date(), slot)
    return [by_night[night] for night in sorted(by_night)]


def slot_find_alternative(slot: Slot, quantity: int) -> Slot | None:
    """The next best slot for a booking of ``slot`` that fell through: the same offering's
    next free slot, else a slot of a similar offering (same city and kind, another
    vendor or offering) within two days of the original start, most reliable vendor first
    (see :func:`alternative_vendor_standing`), nearest in time next."""
    free = Slot.objects.filter(capacity_available__gte=quantity, start__gt=timezone.now(),
                               offering__is_active=True, offering__vendor__is_active=True).exclude(pk=slot.pk)
    same = free.filter(offering_id=slot.offering_id, start__gte=slot.start).order_by("start").first()
    if same is not None:
        return same
    offering = slot.offering
    similar = (free.filter(offering__kind=offering.kind, offering__vendor__city=offering.vendor.city,
                           start__gte=slot.start - ALTERNATIVE_WINDOW, start__lte=slot.start + ALTERNATIVE_WINDOW)
               .exclude(offering_id=offering.pk).select_related("offering__vendor"))
    candidates = list(similar[:200])
    standing = alternative_vendor_standing({s.offering.vendor for s in candidates})
    ranked = sorted(candidates, key=lambda s: (-standing[s.offering.vendor.pk], abs(s.start - slot.start), s.pk))
    return ranked[0] if ranked else None


def alternative_vendor_standing(vendors) -> dict[int, float]:
    """How alternatives are ranked (0..1 per vendor id): the vendor's reliability from
    :class:`VendorMetrics` when present (platform intelligence), else its rating / 5."""
    reliability = dict(VendorMetrics.objects.filter(vendor__in=vendors, reliability__isnull=False)
                       .values_list("vendor_id", "reliability"))
    return {v.pk: float(reliability.get(v.pk, v.rating / 5)) for v in vendors}


def offering_search(*, city: str, kind: str = "", vendor_type: str = "", date_from: dt.date | None = None,
                    date_to: dt.date | None = None, time_zone: str = "UTC", price_max: Decimal | None = None,
                    currency: str = "", min_rating: Decimal | None = None, interests=(), dietary=()) -> list[Offering]:
    """Browse path: active offerings of active vendors in ``city``, best rated first.

    Filters: offering ``kind`` and ``vendor_type``; a free slot between the local dates
    ``date_from``..``date_to`` (in ``time_zone``); base price at most ``price_max`` in
    ``currency`` (converted at today's rate); rating at least ``min_rating``; serving any
    of ``interests``; serving every one of ``dietary``.
    """
    from apps.integrations.currency import convert

    qs = (Offering.objects.filter(is_active=True, vendor__is_active=True, vendor__city__iexact=city)
          .select_related("vendor").order_by("-rating", "title", "pk"))
    if kind:
        qs = qs.filter(kind=kind)
    if vendor_type:
        qs = qs.filter(vendor__vendor_type=vendor_type)
    if min_rating is not None:
        qs = qs.filter(rating__gte=min_rating)
    if date_from or date_to:
        tz = ZoneInfo(time_zone)
        slots = Slot.objects.filter(capacity_available__gt=0, start__gt=timezone.now())
        if date_from:
            slots = slots.filter(start__gte=dt.datetime.combine(date_from, dt.time.min, tz))
        if date_to:
            slots = slots.filter(start__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tz))
        qs = qs.filter(pk__in=slots.values("offering_id"))
    wanted, needs = set(interests), set(dietary)
    found = [o for o in qs if (not wanted or wanted & set(o.interests)) and needs <= set(o.dietary)]
    if price_max is not None:
        found = [o for o in found if convert(o.base_price, o.currency, currency or o.currency) <= price_max]
    return found
