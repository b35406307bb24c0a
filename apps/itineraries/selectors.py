"""Reads of itineraries. Scoping to a caller is done by the request selectors in
coordination; these take an itinerary the caller may already see."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Prefetch

from apps.core.money import Money

from .models import Day, Item, Itinerary

ITINERARY_JSON_CACHE_SECONDS = 3600


def itinerary_with_days(queryset=None):
    """Itineraries with days, items and the items' bookings prefetched (4 queries in all)."""
    items = Item.objects.order_by("start", "position").prefetch_related("bookings")
    return (queryset if queryset is not None else Itinerary.objects.all()).prefetch_related(
        Prefetch("days", queryset=Day.objects.order_by("date").prefetch_related(Prefetch("items", queryset=items))))


def _booking(item: Item) -> dict | None:
    # Booking lives in coordination (which depends on us): read it through the reverse
    # relation only. The newest booking of the item is the one that counts.
    bookings = sorted(item.bookings.all(), key=lambda b: (b.created_at, b.pk), reverse=True)
    if not bookings:
        return None
    booking = bookings[0]
    return {"id": booking.pk, "status": booking.status, "reference": booking.reference}


def itinerary_serialize(itinerary: Itinerary) -> dict:
    """The public itinerary JSON (DESIGN.md) plus ``data_notes`` (what the planner did
    without): times in the destination time zone, money as strings. A constant number of queries whatever the days and items, when the
    itinerary comes from :func:`itinerary_with_days` (else 3 more queries)."""
    if not hasattr(itinerary, "_prefetched_objects_cache") or "days" not in itinerary._prefetched_objects_cache:
        itinerary = itinerary_with_days(Itinerary.objects.filter(pk=itinerary.pk)).get()
    tz = ZoneInfo(itinerary.time_zone)
    days = []
    for day in itinerary.days.all():
        days.append({"date": day.date.isoformat(), "weather": day.weather, "items": [{
            "kind": item.kind, "title": item.title, "start": item.start.astimezone(tz).isoformat(),
            "end": item.end.astimezone(tz).isoformat(),
            "place": {"name": item.place_name, "lat": item.lat, "lon": item.lon},
            "offering": item.offering_id, "booking": _booking(item),
            "price": Money(item.price, item.currency).as_dict() if item.price is not None else None,
            "travel_from_previous_min": item.travel_from_previous_min, "reasoning": item.reasoning,
            "tips": list(item.tips),
        } for item in day.items.all()]})
    return {"version": itinerary.version, "time_zone": itinerary.time_zone, "currency": itinerary.currency,
            "days": days, "total": Money(itinerary.total, itinerary.currency).as_dict(),
            "left_out": list(itinerary.left_out), "conflicts": list(itinerary.conflicts),
            "data_notes": list(itinerary.data_notes)}


def itinerary_json_cached(itinerary_id: int, *, bookings_version: int) -> dict | None:
    """:func:`itinerary_serialize` of one version, cached: the version's days and items never
    change, its bookings do, so ``bookings_version`` must change with them (the request's
    coordination version does: every booking change is an engine command). None if absent."""
    key = f"itinerary-json:{itinerary_id}:{bookings_version}"
    data = cache.get(key)
    if data is None:
        itinerary = itinerary_with_days().filter(pk=itinerary_id).first()
        if itinerary is None:
            return None
        data = itinerary_serialize(itinerary)
        cache.set(key, data, ITINERARY_JSON_CACHE_SECONDS)
    return data
