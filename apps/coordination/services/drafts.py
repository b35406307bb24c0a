"""Engine commands on the expert's itinerary draft: move an item, replace it by an
alternative, remove it, pin it, write tips on it, add an offering or a place. The draft is
the expert's until :func:`.itinerary.itinerary_send`; each edit records
``itinerary.draft_edited`` (``action``, the item and what changed), which only the expert and
staff hear (``access.DRAFT_EVENTS``): a draft edit notifies nobody.

Every command: 404/403 for anyone but the accepted expert and staff, Conflict
``itinerary.no_draft`` without a draft, ``state.wrong_phase`` outside planning, NotFound
``itinerary.item_not_found`` for an item of another version, Conflict
``itinerary.item_booked`` for an item whose seats are held by a booking.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, NotFound
from apps.integrations.currency import convert
from apps.integrations.registry import get_provider
from apps.integrations.travel import OfflineTravel, Point
from apps.itineraries import services as itinerary_rows
from apps.itineraries.models import Item, ItemKind, Itinerary, Place
from apps.itineraries.planner.candidates import party_quote, seats_needed
from apps.itineraries.planner.plan import PlanItem
from apps.itineraries.selectors import itinerary_draft_for_request
from apps.vendors.models import Offering, OfferingKind, Slot, VendorType

from .. import engine
from ..models import Booking, CoordinationState
from ..phases import HOLDING_STATUSES
from .itinerary import require_draft

MOVE, REPLACE, REMOVE, PIN, NOTE, ADD = "move", "replace", "remove", "pin", "note", "add"


def _travel_minutes(state_id: int, *, offering_id: int | None = None,
                    place_id: int | None = None) -> Callable[[Point, Point], int]:
    """Travel minutes between the draft's stops and the one an edit brings, asked from the
    travel provider (OSRM over HTTP when configured) before the command takes the lock; a
    pair it was not asked about (the draft changed in between) is estimated offline."""
    request_id = CoordinationState.objects.filter(pk=state_id).values_list("request_id", flat=True).first()
    draft = itinerary_draft_for_request(request_id) if request_id else None
    points = set(Item.objects.filter(day__itinerary=draft, lat__isnull=False, lon__isnull=False)
                 .values_list("lat", "lon")) if draft else set()
    offering = Offering.objects.filter(pk=offering_id).select_related("vendor").first() if offering_id else None
    if offering is not None:
        points.add(offering.location)
    if place_id is not None:
        points.update(Place.objects.filter(pk=place_id).values_list("lat", "lon"))
    points = sorted(point for point in points if None not in point)
    index = {point: i for i, point in enumerate(points)}
    matrix = get_provider("travel").matrix(points).minutes if len(points) > 1 else []

    def minutes(a: Point, b: Point) -> int:
        if a == b:
            return 0
        if a in index and b in index:
            return matrix[index[a]][index[b]]
        return OfflineTravel().leg(a, b).minutes
    return minutes


def _item(cmd: engine.Command, draft: Itinerary, item_id: int) -> Item:
    """The draft's item ``item_id``, if nothing holds seats for it."""
    item = Item.objects.filter(pk=item_id, day__itinerary=draft).select_related("offering__vendor").first()
    if item is None:
        raise NotFound(_("This item is not in the draft."), code="itinerary.item_not_found")
    if item.slot_id and Booking.objects.filter(state=cmd.state, slot_id=item.slot_id,
                                               status__in=HOLDING_STATUSES).exists():
        raise Conflict(_("%(title)s is already booked: cancel the booking to change it.") % {"title": item.title},
                       code="itinerary.item_booked")
    return item


def _record(cmd: engine.Command, draft: Itinerary, action: str, item: Item | None, **details) -> None:
    cmd.record("itinerary.draft_edited", {"itinerary": draft.pk, "version": draft.version, "action": action,
                                          "item": item.pk if item else None, "title": item.title if item else "",
                                          **details})


def _local(request, day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at ``time`` in the destination's zone; a day outside the trip is refused."""
    if not request.start_date <= day <= request.end_date:
        raise DomainError(_("Choose a day of the trip."), code="itinerary.bad_move",
                          fields={"day": _("Choose a day between %(start)s and %(end)s.") % {
                              "start": request.start_date.isoformat(), "end": request.end_date.isoformat()}})
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(request.time_zone))


def _slot_near(offering: Offering, request, at: dt.datetime) -> Slot | None:
    """The offering's free slot nearest to ``at`` on its day (None for a walk-in offering
    without slots during the trip); Conflict ``itinerary.no_slot`` when it has none that day."""
    tz = ZoneInfo(request.time_zone)
    trip = (dt.datetime.combine(request.start_date, dt.time(), tzinfo=tz),
            dt.datetime.combine(request.end_date + dt.timedelta(days=1), dt.time(), tzinfo=tz))
    slots = Slot.objects.filter(offering=offering, start__gte=trip[0], start__lt=trip[1])
    if not slots.exists() and offering.opening_hours:
        return None
    midnight = at.replace(hour=0, minute=0)
    notice = timezone.now() + dt.timedelta(hours=offering.vendor.min_notice_hours)
    free = list(slots.filter(start__gte=max(midnight, notice), start__lt=midnight + dt.timedelta(days=1),
                             capacity_available__gte=seats_needed(offering, request.party_size), is_stale=False))
    if not free:
        raise Conflict(_("%(title)s has no free time on %(day)s for %(n)d.") % {
            "title": offering.title, "day": date_format(at, "D j M"), "n": request.party_size}, code="itinerary.no_slot")
    return min(free, key=lambda slot: (abs((slot.start - at).total_seconds()), slot.start))


def offering_entry(request, offering: Offering, at: dt.datetime, reasoning: str) -> PlanItem:
    slot = _slot_near(offering, request, at)
    start = slot.start.astimezone(at.tzinfo) if slot else at
    amount, currency = party_quote(offering, slot, request.party_size, now=timezone.now())
    lat, lon = offering.location
    meal = offering.kind == OfferingKind.MEAL or offering.vendor.vendor_type == VendorType.RESTAURANT
    return PlanItem(
        kind=ItemKind.MEAL if meal else ItemKind.ACTIVITY, title=offering.title, start=start,
        end=slot.end.astimezone(at.tzinfo) if slot else start + dt.timedelta(minutes=offering.duration_min),
        key=f"offering:{offering.pk}", place_name=offering.title, lat=lat, lon=lon, offering_id=offering.pk,
        slot_id=slot.pk if slot else None, price=convert(amount, currency, request.currency),
        reasoning=reasoning, pinned=True)


def _place_entry(request, place: Place, at: dt.datetime, reasoning: str) -> PlanItem:
    price = convert(place.price * request.party_size, place.currency, request.currency) if place.price else None
    return PlanItem(kind=ItemKind.MEAL if place.category in ("restaurant", "cafe") else ItemKind.ACTIVITY,
                    title=place.name, start=at, end=at + dt.timedelta(minutes=place.typical_visit_min),
                    key=f"place:{place.pk}", place_name=place.name, lat=place.lat, lon=place.lon,
                    place_id=place.pk, price=price, reasoning=reasoning, pinned=True)


def _entry(request, at: dt.datetime, *, offering_id: int | None, place_id: int | None, reasoning: str) -> PlanItem:
    """What an offering or a place at the destination becomes in the draft at ``at``;
    DomainError ``itinerary.unknown_entry`` for anything else (a hotel included: the
    planner chooses the stay)."""
    if offering_id is not None:
        offering = (Offering.objects.filter(pk=offering_id, is_active=True, vendor__is_active=True,
                                            vendor__city__iexact=request.destination)
                    .exclude(kind=OfferingKind.STAY).select_related("vendor").first())
        if offering is not None:
            return offering_entry(request, offering, at, reasoning)
    elif place_id is not None:
        place = Place.objects.filter(pk=place_id, city__iexact=request.destination).first()
        if place is not None:
            return _place_entry(request, place, at, reasoning)
    raise DomainError(_("Choose an offering or a place at the destination."), code="itinerary.unknown_entry",
                      fields={"offering": _("Pick one from the search.")})


def _not_a_stay(item: Item) -> None:
    if item.kind == ItemKind.STAY:
        raise DomainError(_("The hotel stay spans the nights of the trip: re-plan to change it."),
                          code="itinerary.stay_fixed")


def draft_item_move(*, state_id: int, actor, item_id: int, day: dt.date, time: dt.time) -> Item:
    """Move a draft item to another day and time of the trip (pinned there). A vendor item
    takes the offering's free slot nearest to that time on that day (Conflict
    ``itinerary.no_slot`` if none); DomainError ``itinerary.bad_move`` for a day outside the trip."""
    minutes = _travel_minutes(state_id)
    with engine.command(state_id, actor=actor) as cmd:
        draft = require_draft(cmd.state, actor)
        item = _item(cmd, draft, item_id)
        _not_a_stay(item)
        at = _local(cmd.state.request, day, time)
        if item.offering_id:
            entry = offering_entry(cmd.state.request, item.offering, at, _("Your expert chose this time."))
            entry.title, entry.tips, entry.kind = item.title, list(item.tips), item.kind
        else:
            entry = PlanItem(kind=item.kind, title=item.title, start=at, end=at + (item.end - item.start),
                             place_name=item.place_name, lat=item.lat, lon=item.lon, place_id=item.place_id,
                             price=item.price, reasoning=_("Your expert chose this time."), tips=list(item.tips),
                             pinned=True)
        item = itinerary_rows.draft_item_put(itinerary=draft, entry=entry, item=item)
        itinerary_rows.draft_relink(itinerary=draft, minutes=minutes)
        _record(cmd, draft, MOVE, item, start=item.start.astimezone(at.tzinfo).isoformat())
    return item


def draft_item_replace(*, state_id: int, actor, item_id: int, offering_id: int | None = None,
                       place_id: int | None = None) -> Item:
    """Put an offering or a place (usually one of the draft's alternatives) in the place
    of a draft item, at its time (a vendor's nearest free slot that day); the item replaced
    becomes an alternative. Errors as :func:`draft_item_add`."""
    minutes = _travel_minutes(state_id, offering_id=offering_id, place_id=place_id)
    with engine.command(state_id, actor=actor) as cmd:
        draft = require_draft(cmd.state, actor)
        item = _item(cmd, draft, item_id)
        _not_a_stay(item)
        old_title, request = item.title, cmd.state.request
        entry = _entry(request, item.start.astimezone(ZoneInfo(request.time_zone)), offering_id=offering_id,
                       place_id=place_id, reasoning=_("Your expert's pick."))
        item = itinerary_rows.draft_item_put(itinerary=draft, entry=entry, item=item,
                                             reason=_("your expert chose %(title)s instead") % {"title": entry.title})
        itinerary_rows.draft_relink(itinerary=draft, minutes=minutes)
        _record(cmd, draft, REPLACE, item, replaced=old_title)
    return item


def draft_item_remove(*, state_id: int, actor, item_id: int) -> None:
    """Take an item out of the draft; it is listed among the alternatives."""
    minutes = _travel_minutes(state_id)
    with engine.command(state_id, actor=actor) as cmd:
        draft = require_draft(cmd.state, actor)
        item = _item(cmd, draft, item_id)
        _record(cmd, draft, REMOVE, item)
        itinerary_rows.draft_item_remove(item=item, reason=_("taken out by your expert"))
        itinerary_rows.draft_relink(itinerary=draft, minutes=minutes)


def draft_item_pin(*, state_id: int, actor, item_id: int, pinned: bool) -> Item:
    """Pin a draft item (kept at its time when the planner makes the next draft) or unpin it."""
    with engine.command(state_id, actor=actor) as cmd:
        draft = require_draft(cmd.state, actor)
        item = itinerary_rows.draft_item_annotate(item=_item(cmd, draft, item_id), pinned=pinned)
        _record(cmd, draft, PIN, item, pinned=pinned)
    return item


def draft_item_note(*, state_id: int, actor, item_id: int, tips: list[str]) -> Item:
    """Set the expert's tips on a draft item (what the traveler reads under it)."""
    tips = [tip.strip() for tip in tips if tip.strip()]
    with engine.command(state_id, actor=actor) as cmd:
        draft = require_draft(cmd.state, actor)
        item = itinerary_rows.draft_item_annotate(item=_item(cmd, draft, item_id), tips=tips)
        _record(cmd, draft, NOTE, item, tips=tips)
    return item


def draft_item_add(*, state_id: int, actor, day: dt.date, time: dt.time, offering_id: int | None = None,
                   place_id: int | None = None) -> Item:
    """Add an offering (at its free slot nearest to ``time`` that day) or a place to the draft,
    pinned. DomainError ``itinerary.unknown_entry`` for an offering or place that is not at
    the destination (or a hotel), ``itinerary.bad_move`` for a day outside the trip;
    Conflict ``itinerary.no_slot`` when the offering has no free time that day."""
    minutes = _travel_minutes(state_id, offering_id=offering_id, place_id=place_id)
    with engine.command(state_id, actor=actor) as cmd:
        draft = require_draft(cmd.state, actor)
        request = cmd.state.request
        entry = _entry(request, _local(request, day, time), offering_id=offering_id, place_id=place_id,
                       reasoning=_("Your expert's pick."))
        item = itinerary_rows.draft_item_put(itinerary=draft, entry=entry)
        itinerary_rows.draft_relink(itinerary=draft, minutes=minutes)
        _record(cmd, draft, ADD, item, start=entry.start.isoformat())
    return item
