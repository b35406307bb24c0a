"""Vendor inventory: where a vendor's availability comes from.

``Vendor.inventory_adapter`` names an :class:`InventoryAdapter` registered here. The
``platform`` adapter reads our own ``Slot`` rows; HTTP adapters (apps/integrations/) refresh
the ``Slot`` rows from the vendor's system and return them, raising
:class:`InventoryUnavailable` on a timeout or a 5xx.

Fallback rule (:func:`availability`): when the adapter is unavailable the last known slots
are used, marked ``is_stale=True``, and the caller is told so (``Availability.stale``):
a booking made on stale data must be confirmed by hand. Other vendors are not affected.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from apps.integrations.base import ProviderUnavailable

from . import supplier
from .models import Offering, Slot

log = logging.getLogger(__name__)


class InventoryUnavailable(Exception):
    """The vendor's inventory system did not answer usefully (timeout, 5xx, bad payload)."""


class InventoryAdapter:
    """Interface: the bookable slots of ``offering`` starting in ``[start, end)``."""

    def availability(self, offering: Offering, start: dt.datetime, end: dt.datetime) -> list[Slot]:
        raise NotImplementedError


class PlatformInventory(InventoryAdapter):
    """The vendor manages its slots on Traveloure itself."""

    def availability(self, offering, start, end):
        return list(Slot.objects.filter(offering=offering, start__gte=start, start__lt=end).order_by("start"))


class OctoInventory(InventoryAdapter):
    """The vendor's own OCTO system: the window is synced into our slots, then read."""

    def availability(self, offering, start, end):
        try:
            supplier.offering_sync(offering, start, end)
        except ProviderUnavailable as exc:
            raise InventoryUnavailable(str(exc)) from exc
        return PlatformInventory().availability(offering, start, end)


_ADAPTERS: dict[str, type[InventoryAdapter]] = {"platform": PlatformInventory, supplier.OCTO: OctoInventory}


def register(name: str, adapter: type[InventoryAdapter]) -> None:
    """Make ``adapter`` available to vendors whose ``inventory_adapter`` is ``name``."""
    _ADAPTERS[name] = adapter


def unregister(name: str) -> None:
    _ADAPTERS.pop(name, None)


def adapter_for(vendor) -> InventoryAdapter:
    """The vendor's adapter; an unknown name falls back to the platform's own slots."""
    return _ADAPTERS.get(vendor.inventory_adapter, PlatformInventory)()


@dataclass(frozen=True)
class Availability:
    slots: list[Slot]
    stale: bool
    error: str = ""


def availability(offering: Offering, start: dt.datetime, end: dt.datetime) -> Availability:
    """Ask the offering's vendor adapter; on :class:`InventoryUnavailable` return the last known
    slots (marked ``is_stale=True`` in the database) with ``stale=True``.

    Call outside a transaction: adapters may wait on the network.
    """
    try:
        slots = adapter_for(offering.vendor).availability(offering, start, end)
    except InventoryUnavailable as exc:
        log.warning("inventory of vendor %s unavailable: %s", offering.vendor_id, exc)
        known = Slot.objects.filter(offering=offering, start__gte=start, start__lt=end)
        known.update(is_stale=True)
        return Availability(slots=list(known.order_by("start")), stale=True, error=str(exc)[:200])
    return Availability(slots=slots, stale=False)


def slot_availability(slot: Slot, *later: Slot) -> Availability:
    """What the vendor's inventory says of ``slot`` and the ``later`` slots of the same
    offering (a stay's other nights): :func:`availability` from the first start to the last.
    Slots on the platform's own inventory are their own answer: they are not read again."""
    if type(adapter_for(slot.offering.vendor)) is PlatformInventory:
        return Availability(slots=[slot, *later], stale=False)
    last = later[-1] if later else slot
    return availability(slot.offering, slot.start, last.start + dt.timedelta(seconds=1))
