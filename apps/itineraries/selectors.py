"""Reads of itineraries. Scoping to a caller is done by the request selectors in
coordination; these take an itinerary the caller may already see."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Prefetch

from apps.core.money import Money

from apps.vendors.models import Offering

from .models import Day, Item, Itinerary, ItineraryState, Place


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
    """The public itinerary JSON (DESIGN.md) plus ``state``, item ``id`` and ``pinned`` and
    ``data_notes`` (what the planner did without): times in the destination time zone, money as strings. A constant number of queries whatever the days and items, when the
    itinerary comes from :func:`itinerary_with_days` (else 3 more queries)."""
    if not hasattr(itinerary, "_prefetched_objects_cache") or "days" not in itinerary._prefetched_objects_cache:
        itinerary = itinerary_with_days(Itinerary.objects.filter(pk=itinerary.pk)).get()
    tz = ZoneInfo(itinerary.time_zone)
    days = []
    for day in itinerary.days.all():
        days.append({"date": day.date.isoformat(), "weather": day.weather, "items": [{
            "id": item.pk, "kind": item.kind, "title": item.title, "start": item.start.astimezone(tz).isoformat(),
            "end": item.end.astimezone(tz).isoformat(),
            "place": {"name": item.place_name, "lat": item.lat, "lon": item.lon},
            "offering": item.offering_id, "booking": _booking(item),
            "price": Money(item.price, item.currency).as_dict() if item.price is not None else None,
            "travel_from_previous_min": item.travel_from_previous_min, "reasoning": item.reasoning,
            "tips": list(item.tips), "pinned": item.pinned, **({"offer": item.offer} if item.offer else {}),
        } for item in day.items.all()]})
    return {"version": itinerary.version, "state": itinerary.state, "time_zone": itinerary.time_zone, "currency": itinerary.currency,
            "days": days, "total": Money(itinerary.total, itinerary.currency).as_dict(),
            "left_out": list(itinerary.left_out), "conflicts": list(itinerary.conflicts),
            "data_notes": list(itinerary.data_notes)}


def itinerary_draft_for_request(request_id: int) -> Itinerary | None:
    """The request's unsent draft (the expert's), if any; the caller checked who may see it."""
    return (Itinerary.objects.filter(request_id=request_id, state=ItineraryState.DRAFT)
            .order_by("-version").first())


def draft_alternatives(itinerary: Itinerary) -> list[dict]:
    """What the planner (or the expert) left out of ``itinerary`` that could take an item's
    place, with why it was left out: ``{"title", "reason", "offering", "place"}`` for each
    entry that names an offering or a place at the destination (2 queries)."""
    city = itinerary.request.destination
    titles = [entry["title"] for entry in itinerary.left_out if entry.get("title")]
    offerings = dict(Offering.objects.filter(title__in=titles, is_active=True, vendor__is_active=True,
                                             vendor__city__iexact=city).values_list("title", "pk"))
    places = dict(Place.objects.filter(name__in=titles, city__iexact=city).values_list("name", "pk"))
    return [{"title": entry["title"], "reason": entry.get("reason", ""), "offering": offerings.get(entry["title"]),
             "place": places.get(entry["title"]) if entry["title"] not in offerings else None}
            for entry in itinerary.left_out if entry.get("title") in offerings or entry.get("title") in places]


def draft_entry_search(request, query: str, limit: int = 8) -> list[dict]:
    """Offerings (not hotels: the planner chooses the stay) and places at the request's
    destination whose name matches ``query``, for the expert's "add to the draft" search:
    ``{"entry": "offering:<id>" | "place:<id>", "title", "what"}`` (2 queries)."""
    query = query.strip()
    if not query:
        return []
    city = request.destination
    offerings = (Offering.objects.filter(is_active=True, vendor__is_active=True, vendor__city__iexact=city)
                 .exclude(kind="stay").filter(models.Q(title__icontains=query) | models.Q(vendor__name__icontains=query))
                 .select_related("vendor").order_by("title")[:limit])
    places = Place.objects.filter(city__iexact=city, name__icontains=query).order_by("name")[:limit]
    return ([{"entry": f"offering:{o.pk}", "title": o.title, "what": f"{o.vendor.name} · {o.get_kind_display()}"}
             for o in offerings]
            + [{"entry": f"place:{p.pk}", "title": p.name, "what": p.category.replace("_", " ").capitalize()}
               for p in places])
