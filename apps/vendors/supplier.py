"""A vendor whose inventory lives in its own OCTO system (``Vendor.inventory_adapter ==
"octo"``): its client, and the sync that writes the supplier's availability as our ``Slot``
rows, which the planner and the browse pages read. Holds, confirmations and cancellations
are the booking side's (``apps.coordination.services.supplier``).

Settings: ``TRAVELOURE_PROVIDERS["octo"]``: ``options`` (HTTP, see
``apps.integrations.http.DEFAULTS``), ``sync_days`` (how far ahead the periodic sync looks).
"""
from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from apps.integrations.base import ProviderUnavailable
from apps.integrations.octo import OctoInventory, connect

from .models import Offering, Vendor
from .services import HOTELS, Departure, slots_sync

log = logging.getLogger(__name__)

OCTO = "octo"
SUPPLIER_SYSTEMS = (OCTO, HOTELS)  # inventories whose bookings are made in a system of their own


def octo_settings() -> dict:
    return {"options": {}, "sync_days": 60, "hold_minutes": 30, "give_up_after": 5,
            **getattr(settings, "TRAVELOURE_PROVIDERS", {}).get("octo", {})}


def octo_backed(vendor: Vendor) -> bool:
    """Does the vendor's own OCTO system hold its seats (and take our holds)?"""
    return vendor.inventory_adapter == OCTO and bool(vendor.octo_url)


def supplier_backed(vendor: Vendor) -> bool:
    """Is the booking made in a system of its own (the vendor's OCTO, or the hotel provider a
    stay's offer came from), which the booking side keeps in agreement with ours?"""
    return octo_backed(vendor) or vendor.inventory_adapter == HOTELS


def masked(secret: str) -> str:
    """A secret as shown back to people: its last four characters at most ("••••a1b2")."""
    return f"••••{secret[-4:]}" if len(secret) >= 12 else ("••••" if secret else "")


def supplier_client(vendor: Vendor) -> OctoInventory:
    return connect(vendor.octo_url, vendor.octo_api_key, options=octo_settings()["options"])


def offering_sync(offering: Offering, start: dt.datetime, end: dt.datetime) -> None:
    """Ask the supplier for the offering's departures on the local dates of ``[start, end)``
    and write them as slots (:func:`~apps.vendors.services.slots_sync`). Network: call it
    outside any transaction. Errors: ``ProviderUnavailable``."""
    vendor = offering.vendor
    tz = ZoneInfo(vendor.time_zone)
    first = start.astimezone(tz).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    found = supplier_client(vendor).availability(
        product_id=offering.octo_product_id, option_id=offering.octo_option_id or "DEFAULT",
        start=first, end=last, units={offering.octo_unit_id or "adult": 1})
    day_start = dt.datetime.combine(first, dt.time(), tz)
    day_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
    slots_sync(offering=offering, start=day_start, end=day_end, departures=[
        Departure(a.id, a.start, a.end, (a.vacancies or 0) if a.available else 0,
                  a.price if a.price is not None else offering.base_price, a.currency or offering.currency)
        for a in found])


def vendor_sync(vendor_id: int, *, days: int | None = None) -> int:
    """Sync every mapped offering of one OCTO vendor from now over ``days`` (the setting by
    default). Returns the offerings synced; one that fails is logged, the others go on."""
    vendor = Vendor.objects.filter(pk=vendor_id, is_active=True).first()
    if vendor is None or not octo_backed(vendor):
        return 0
    now = timezone.now()
    end = now + dt.timedelta(days=days or octo_settings()["sync_days"])
    done = 0
    for offering in vendor.offerings.filter(is_active=True).exclude(octo_product_id="").select_related("vendor"):
        try:
            offering_sync(offering, now, end)
            done += 1
        except ProviderUnavailable as exc:
            log.warning("OCTO sync of offering %s failed: %s", offering.pk, exc)
    return done


def sync_all_suppliers() -> int:
    """Periodic: sync every active OCTO vendor; returns the offerings synced."""
    ids = Vendor.objects.filter(is_active=True, inventory_adapter=OCTO).exclude(octo_url="").values_list("pk", flat=True)
    return sum(vendor_sync(pk) for pk in ids)
