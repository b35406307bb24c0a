"""Stays whose hotel came from the hotel provider's offer (``Item.offer``): booked at the
provider, recorded as a :class:`~apps.coordination.models.Booking` like any vendor item.

:func:`booking_request_offer` (the approval's command for such a stay) writes the booking
for all the nights at the offer's price and currency, and its twin
(:class:`~apps.coordination.models.SupplierReservation` holding the offer: price,
free-cancellation deadline, expiry); no network under the lock. After commit
:func:`~apps.coordination.services.supplier.supplier_reconcile` books it there (the price
checked again first: an offer that expired or changed price is never booked, the booking
is declined with the reason and the stay re-planned), confirms ours with the provider's
reference, and cancels it there when ours is cancelled. The refund follows the offer's
terms (:func:`apps.vendors.pricing.offer_refund`).
"""
from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from decimal import Decimal

from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.experts.models import BookingPreference
from apps.integrations.sun import timezone_at
from apps.itineraries.models import Item, ItemKind
from apps.vendors.services import provider_hotel_offering

from .. import engine
from ..models import Booking, HandledBy, SupplierReservation
from ..phases import BookingStatus
from .bookings import _finish, open_booking_request


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def booking_request_offer(*, state_id: int, actor, item_id: int, quantity: int,
                          idempotency_key: str | None = None) -> Booking:
    """Book the stay item ``item_id`` of the request's itinerary from its hotel provider's
    offer: one booking (``quantity`` rooms, every night) at the offer's price, ``requested``
    until the provider has booked it. Preconditions as ``booking_request`` (participant,
    ``booking``/``confirmed`` phase); the same ``idempotency_key`` returns the first booking.

    Side effects: the hotel's not-listed vendor and offering are made on first use; the
    twin keeps the offer; event ``booking.requested`` with the offer's terms; the provider
    is asked after commit. Errors: ``booking.invalid`` (400) for an item without an offer.
    """
    with engine.command(state_id, actor=actor) as cmd:
        state = cmd.state
        existing = open_booking_request(cmd, actor, idempotency_key)
        if existing is not None:
            return existing
        item = Item.objects.filter(pk=item_id, kind=ItemKind.STAY, offer__isnull=False,
                                   day__itinerary__request_id=state.request_id).first()
        if item is None:
            raise DomainError(_("The item is not a stay offered by the hotel provider."), code="booking.invalid",
                              fields={"item": _("Unknown item.")})
        offer, request = item.offer, state.request
        price = Decimal(offer["price"]["amount"])
        lat, lon = (item.lat, item.lon) if item.lat is not None and item.lon is not None else (request.lat, request.lon)
        offering = provider_hotel_offering(
            provider=offer["provider"], hotel_id=offer["hotel_id"], name=item.title, lat=lat, lon=lon,
            city=request.destination, country=request.country, time_zone=timezone_at(lat, lon) or request.time_zone,
            price=price, currency=offer["price"]["currency"])
        expert_handles = state.expert_id and state.expert.booking_preference == BookingPreference.HANDLE_ALL
        expires = _when(offer.get("expires_at"))
        booking = Booking.objects.create(
            state=state, vendor=offering.vendor, offering=offering, item=item, quantity=quantity,
            status=BookingStatus.REQUESTED, handled_by=HandledBy.EXPERT if expert_handles else HandledBy.TRAVELER,
            requested_by=actor, deadline=expires, price=price, currency=offer["price"]["currency"],
            idempotency_key=idempotency_key or None)
        SupplierReservation.objects.create(booking=booking, uuid=str(uuid_lib.uuid4()), offer=offer, expires_at=expires)
        _finish(cmd, booking, "booking.requested", offer=offer_terms(offer))
    return booking


def offer_terms(offer: dict) -> dict:
    """What the traveler is told of an offer's terms: price, free cancellation until, expiry."""
    return {"provider": offer["provider"], "price": offer["price"],
            "free_cancellation_until": offer.get("free_cancellation_until"), "expires_at": offer.get("expires_at")}

