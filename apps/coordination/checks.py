"""The trip guard: does everything fixed about a trip fit together, in each place's own time?

After every engine command that changes items, bookings, the arrival or departure or
payments (:func:`guards`), the engine calls :func:`refresh`: it gathers the trip's timed
things (:func:`fixed_things`), runs every check on them and stores the findings on the
coordination state; a different result is one more event, ``checks.changed``, heard
like any other. Reading the stored findings therefore always equals a fresh
:func:`evaluate` of the state.

A finding is ``{"code", "severity", "message", "items", "suggestion"}``; ``items`` name
what it is about (``{"type": "item"|"booking"|"arrival"|"departure"|…, "id", "title",
"vendor", "start"}``) and ``suggestion`` is None or an action the engine applies
(:mod:`apps.coordination.services.checks`): ``move`` an item of the plan (new start/end),
``remove`` it, ``replan`` the trip, or ``fix_leg`` (read a leg's time in its place's zone).

Pure functions over plain data once gathered, so the whole guard of a two-week trip runs
in a few milliseconds (``bench/guard.py``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.itineraries.models import Item, ItemKind
from apps.itineraries.planner.hours import open_windows
from apps.requests.legs import Leg, resolve_place, transfer_minutes

from .models import Booking, CoordinationState, ExternalBooking, PaymentInstallment
from .phases import HOLDING_STATUSES, BookingStatus

ERROR, WARNING = "error", "warning"
GUARDED_PREFIXES = ("booking.", "itinerary.", "installment.", "import.", "external.")
GUARDED_EVENTS = frozenset({"request.submitted", "request.travel_changed", "requirements.changed",
                            "request.cancelled"})
UNGUARDED_EVENTS = frozenset({"itinerary.drafted", "itinerary.draft_edited", "booking.reminder_sent",
                              "booking.payment_reminder"})
LEG_REACH = dt.timedelta(hours=8)  # more than any terminal buffer plus transfer: farther items are not at risk
CHECKIN_GAP = dt.timedelta(hours=3)  # longer than this between arrival and check-in: nowhere to go
NEAR_KM_MIN = 2  # transfers of fewer minutes are "the same place"
UNDECIDED = (BookingStatus.REQUESTED, BookingStatus.PENDING)


def guards(event_type: str | None, state: CoordinationState) -> bool:
    """Does a command that records ``event_type`` on ``state`` change what the guard judges?
    (A new request has only its legs to judge.)"""
    if not event_type or event_type in UNGUARDED_EVENTS:
        return False
    if event_type == "request.submitted":
        return bool(state.request.arrival or state.request.departure)
    return event_type in GUARDED_EVENTS or event_type.startswith(GUARDED_PREFIXES)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass
class Thing:
    """One timed thing of the trip, normalized: a plan item (with its booking, if any), a
    booking without an item of the current plan, or (added by the integrator) a booking
    made elsewhere. ``fixed``: it holds a reservation, so only its vendor can move it;
    ``stated_offset_min``: the UTC offset a confirmation stated, when it stated one."""

    type: str
    id: int
    title: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    time_zone: str
    lat: float | None = None
    lon: float | None = None
    fixed: bool = False
    movable: bool = False  # an item of the current plan the engine may move or remove
    vendor: int | None = None
    booking: int | None = None
    status: str = ""
    opening_hours: str = ""
    hold_expires: dt.datetime | None = None
    deadline: dt.datetime | None = None
    stated_offset_min: int | None = None
    unpaid_due: dt.date | None = None  # the latest due date of the booking's unpaid installments

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.time_zone)

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.tz)

    @property
    def local_end(self) -> dt.datetime:
        return self.end.astimezone(self.tz)

    @property
    def is_stay(self) -> bool:
        return self.kind == ItemKind.STAY

    def ref(self) -> dict:
        return {"type": self.type, "id": self.id, "title": self.title, "vendor": self.vendor, "booking": self.booking,
                "start": self.local_start.isoformat()}


@dataclass
class TripFacts:
    """Everything the checks read: the request's dates and zone, the legs, the things,
    and the things (bookings carry the latest due date of their unpaid installments)."""

    start: dt.date
    end: dt.date
    time_zone: str
    country: str
    center: tuple[float, float]
    travel: bool
    planned: bool  # there is a plan (or a stay) to judge the nights of
    arrival: Leg | None
    departure: Leg | None
    things: list[Thing] = field(default_factory=list)
    journeys: list[Thing] = field(default_factory=list)  # flights, trains, cars booked elsewhere
    _by_day: dict | None = field(default=None, repr=False, compare=False)

    def visits_on(self) -> dict[dt.date, list[Thing]]:
        """The things other than stays by local start date (built once)."""
        if self._by_day is None:
            self._by_day = {}
            for thing in self.things:
                if not thing.is_stay:
                    self._by_day.setdefault(thing.local_start.date(), []).append(thing)
        return self._by_day


ITEM_FIELDS = ("pk", "kind", "title", "start", "end", "lat", "lon", "offering__vendor_id",
               "offering__vendor__time_zone", "offering__opening_hours", "place__opening_hours")
BOOKING_FIELDS = ("pk", "item_id", "status", "deadline", "vendor_id", "vendor__time_zone", "vendor__lat",
                  "vendor__lon", "offering__title", "offering__kind", "offering__opening_hours", "slot__start",
                  "slot__end", "supplier_reservation__expires_at")
EXTERNAL_FIELDS = ("pk", "kind", "title", "starts_at", "ends_at", "time_zone", "start_time_zone", "origin_name",
                   "place_name", "lat", "lng", "reference", "stated_offset_min")
JOURNEYS = frozenset({ExternalBooking.Kind.FLIGHT, ExternalBooking.Kind.TRAIN, ExternalBooking.Kind.CAR})


def fixed_things(state: CoordinationState) -> TripFacts:
    """Gather what the guard judges (3 queries, plain values: no model instances): the
    current plan's items, the request's live bookings with their unpaid installments, and
    the bookings made elsewhere (:func:`_add_external`)."""
    request = state.request
    facts = TripFacts(start=request.start_date, end=request.end_date, time_zone=request.time_zone,
                      country=request.country, center=(request.lat, request.lon),
                      travel=request.experience_type == "travel", planned=False,
                      arrival=Leg.from_json(request.arrival), departure=Leg.from_json(request.departure))
    items = []
    if state.current_itinerary_id:
        items = list(Item.objects.filter(day__itinerary_id=state.current_itinerary_id)
                     .order_by("start", "pk").values_list(*ITEM_FIELDS))
    unpaid = (PaymentInstallment.objects.filter(booking=OuterRef("pk"), paid_at__isnull=True)
              .order_by("-due_date").values("due_date")[:1])
    bookings = list(Booking.objects.filter(state=state, status__in=HOLDING_STATUSES, slot__isnull=False)
                    .annotate(unpaid_due=Subquery(unpaid)).order_by("pk").values_list(*BOOKING_FIELDS, "unpaid_due"))
    by_item = {b[1]: b for b in bookings if b[1]}
    for pk, kind, title, start, end, lat, lon, vendor, vendor_zone, offering_hours, place_hours in items:
        booking = by_item.pop(pk, None)
        facts.things.append(Thing(
            "item", pk, title, kind, start, end, vendor_zone or request.time_zone, lat, lon,
            fixed=booking is not None, movable=booking is None, vendor=vendor,
            booking=booking[0] if booking else None, status=booking[2] if booking else "",
            opening_hours=offering_hours or place_hours or "", hold_expires=booking[13] if booking else None,
            deadline=booking[3] if booking else None, unpaid_due=booking[14] if booking else None))
    not_in_plan = {b[0] for b in by_item.values()}
    for (pk, item, status, deadline, vendor, zone, lat, lon, title, kind, hours, start, end,
         hold, due) in bookings:
        if item is None or pk in not_in_plan:
            facts.things.append(Thing("booking", pk, title, kind, start, end, zone, lat, lon, fixed=True,
                                      vendor=vendor, booking=pk, status=status, opening_hours=hours or "",
                                      hold_expires=hold, deadline=deadline, unpaid_due=due))
    _add_external(facts, state)
    facts.planned = bool(items) or any(t.is_stay for t in facts.things)
    return facts


def _add_external(facts: TripFacts, state: CoordinationState) -> None:
    """Bookings made elsewhere, with the offset their confirmation stated: a stay, a table
    or an event is one more fixed thing of the trip; a journey (flight, train, car) is
    judged for its offset only, and it is the traveler's arrival (the first one into the
    destination's zone that ends around the first day) or departure (the last one leaving
    it around the last day) when the request does not say them."""
    rows = (ExternalBooking.objects.filter(state=state).order_by("starts_at", "pk")
            .values_list(*EXTERNAL_FIELDS))
    arrivals, departures = [], []
    for pk, kind, title, start, end, zone, start_zone, origin, place, lat, lon, reference, offset in rows:
        if kind not in JOURNEYS:
            facts.things.append(Thing("external", pk, title, kind, start, end or start, zone, lat, lon, fixed=True,
                                      stated_offset_min=offset))
            continue
        facts.journeys.append(Thing("external", pk, title, kind, start, end or start, start_zone or zone,
                                    stated_offset_min=offset))
        here = _zone(facts.time_zone)
        if end and zone == facts.time_zone and abs((end.astimezone(here).date() - facts.start).days) <= 1:
            where = (lat, lon) if lat is not None and lon is not None else facts.center
            arrivals.append(Leg(end.astimezone(_zone(zone)), kind, place, "", *where, zone, reference))
        leaving = start_zone or zone
        if leaving == facts.time_zone and abs((start.astimezone(here).date() - facts.end).days) <= 1:
            found = resolve_place(origin) if origin else None
            where = (found.lat, found.lon) if found else facts.center
            departures.append(Leg(start.astimezone(_zone(leaving)), kind, origin, "", *where, leaving, reference))
    if facts.arrival is None and arrivals:
        facts.arrival = min(arrivals, key=lambda leg: leg.at)
    if facts.departure is None and departures:
        facts.departure = max(departures, key=lambda leg: leg.at)


# --- findings -----------------------------------------------------------------------

def _when(value: dt.datetime) -> str:
    return date_format(value, "D j M H:i")


def _time(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def _suggestion(action: str, label: str, **args) -> dict:
    body = {"action": action, **args}
    token = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    return {"id": token, "label": label, **body}


def _finding(code: str, severity: str, message: str, things, suggestion: dict | None = None) -> dict:
    return {"code": code, "severity": severity, "message": message, "items": [t.ref() for t in things],
            "suggestion": suggestion}


def _move(thing: Thing, start: dt.datetime, label: str) -> dict:
    end = start + (thing.end - thing.start)
    return _suggestion("move", label, item=thing.id, start=start.isoformat(), end=end.isoformat())


def _busy(facts: TripFacts, start: dt.datetime, end: dt.datetime, but: Thing) -> bool:
    """Is anything but ``but`` planned between ``start`` and ``end`` (both on one local day)?"""
    return any(t is not but and t.start < end and start < t.end
               for t in facts.visits_on().get(start.date(), ()))


def _shifted(facts: TripFacts, thing: Thing, step: int, ok) -> dt.datetime | None:
    """The item's local time on the nearest day in direction ``step`` where ``ok(start)``
    holds and nothing else is planned then."""
    local = thing.local_start
    for days in range(1, (facts.end - facts.start).days + 1):
        day = local.date() + dt.timedelta(days=step * days)
        if not facts.start <= day <= facts.end:
            return None
        start = dt.datetime.combine(day, local.time(), tzinfo=thing.tz)
        if ok(start) and not _busy(facts, start, start + (thing.end - thing.start), thing):
            return start
    return None


def _where(facts: TripFacts, thing: Thing) -> tuple[float, float]:
    return (thing.lat, thing.lon) if thing.lat is not None and thing.lon is not None else facts.center


def check_arrival(facts: TripFacts) -> list[dict]:
    leg = facts.arrival
    if leg is None:
        return []
    out = []
    for thing in facts.things:
        if thing.is_stay or thing.start >= leg.at + LEG_REACH:
            continue
        free = leg.free_at(*_where(facts, thing))
        if thing.start >= free:
            continue
        later = _shifted(facts, thing, +1, lambda s, t=thing: leg.free_at(*_where(facts, t)) <= s) \
            if thing.movable else None
        out.append(_finding("arrival.after_first_item", ERROR, _(
            "%(title)s starts at %(start)s, but you arrive at %(place)s at %(arrival)s and can be there by "
            "%(free)s at the earliest.") % {
            "title": thing.title, "start": _when(thing.local_start), "place": leg.code or leg.place,
            "arrival": _when(leg.local), "free": _when(free.astimezone(thing.tz))}, [thing],
            later and _move(thing, later, _("Move %(title)s to %(when)s") % {"title": thing.title,
                                                                            "when": _when(later)})))
    return out


def check_departure(facts: TripFacts) -> list[dict]:
    leg = facts.departure
    if leg is None:
        return []
    out = []
    for thing in facts.things:
        if thing.is_stay or thing.end <= leg.at - LEG_REACH:
            continue
        leave = leg.leave_by(*_where(facts, thing))
        if thing.end <= leave:
            continue
        earlier = _shifted(facts, thing, -1, lambda s, t=thing: s + (t.end - t.start) <= leg.leave_by(*_where(facts, t))
                           and (facts.arrival is None or facts.arrival.free_at(*_where(facts, t)) <= s)) \
            if thing.movable else None
        out.append(_finding("departure.before_last_item", ERROR, _(
            "%(title)s ends at %(end)s, but you must leave by %(leave)s for your departure from %(place)s at "
            "%(departure)s.") % {"title": thing.title, "end": _when(thing.local_end),
                                 "leave": _time(leave.astimezone(thing.tz)), "place": leg.code or leg.place,
                                 "departure": _when(leg.local)}, [thing],
            earlier and _move(thing, earlier, _("Move %(title)s to %(when)s") % {"title": thing.title,
                                                                                "when": _when(earlier)})))
    return out


def _stays(facts: TripFacts) -> list[Thing]:
    return [t for t in facts.things if t.is_stay]


def check_nights(facts: TripFacts) -> list[dict]:
    if not facts.travel or not facts.planned:
        return []
    stays = _stays(facts)
    covered = set()
    for stay in stays:
        night = stay.local_start.date()
        while night < stay.local_end.date():
            covered.add(night)
            night += dt.timedelta(days=1)
    nights = [facts.start + dt.timedelta(days=i) for i in range((facts.end - facts.start).days)]
    runs: list[list[dt.date]] = []
    for night in nights:
        if night in covered:
            continue
        if runs and runs[-1][-1] == night - dt.timedelta(days=1):
            runs[-1].append(night)
        else:
            runs.append([night])
    out = []
    for run in runs:
        before = next((s for s in stays if s.movable and s.local_end.date() == run[0]), None)
        after = next((s for s in stays if s.movable and s.local_start.date() == run[-1] + dt.timedelta(days=1)), None)
        extra = dt.timedelta(days=len(run))
        if before is not None:
            suggestion = _suggestion("move", _("Book the night at %(hotel)s") % {"hotel": before.title}
                                     if len(run) == 1 else _("Book %(n)d more nights at %(hotel)s") % {
                                         "n": len(run), "hotel": before.title},
                                     item=before.id, start=before.local_start.isoformat(),
                                     end=(before.local_end + extra).isoformat())
        elif after is not None:
            suggestion = _suggestion("move", _("Book the night at %(hotel)s") % {"hotel": after.title},
                                     item=after.id, start=(after.local_start - extra).isoformat(),
                                     end=after.local_end.isoformat())
        else:
            suggestion = _suggestion("replan", _("Re-plan the trip with a hotel"))
        message = (_("No place to sleep the night of %(day)s.") % {"day": date_format(run[0], "D j M")}
                   if len(run) == 1 else _("No place to sleep %(n)d nights from %(day)s.") % {
                       "n": len(run), "day": date_format(run[0], "D j M")})
        out.append(_finding("stay.night_uncovered", ERROR, message, [t for t in (before, after) if t], suggestion))
    return out


def check_checkin_gap(facts: TripFacts) -> list[dict]:
    leg, stays = facts.arrival, _stays(facts)
    if leg is None or not stays:
        return []
    stay = min(stays, key=lambda s: s.start)
    free = leg.free_at(*_where(facts, stay))
    if stay.start - free < CHECKIN_GAP or any(not t.is_stay and free <= t.start < stay.start for t in facts.things):
        return []
    return [_finding("stay.checkin_after_arrival_gap", WARNING, _(
        "You can be at %(hotel)s by %(free)s but check-in is at %(checkin)s: ask to leave your bags, or plan "
        "something nearby.") % {"hotel": stay.title, "free": _time(free.astimezone(stay.tz)),
                                 "checkin": _when(stay.local_start)}, [stay])]


def check_outside(facts: TripFacts) -> list[dict]:
    out = []
    for thing in facts.things:
        # a stay ends on its check-out morning, which may be the day after the last one
        last_day = facts.end + dt.timedelta(days=1) if thing.is_stay else facts.end
        if facts.start <= thing.local_start.date() and thing.local_end.date() <= last_day:
            continue
        out.append(_finding("item.outside_trip", ERROR, _(
            "%(title)s on %(when)s is outside the trip (%(start)s – %(end)s).") % {
            "title": thing.title, "when": _when(thing.local_start), "start": date_format(facts.start, "j M"),
            "end": date_format(facts.end, "j M")}, [thing],
            _suggestion("remove", _("Remove %(title)s from the plan") % {"title": thing.title}, item=thing.id)
            if thing.movable else None))
    return out


def _fixed_visits(facts: TripFacts) -> list[Thing]:
    return sorted((t for t in facts.things if t.fixed and not t.is_stay), key=lambda t: (t.start, t.type, t.id))


def check_overlap(facts: TripFacts) -> list[dict]:
    visits, out = _fixed_visits(facts), []
    for i, a in enumerate(visits):
        for b in visits[i + 1:]:
            if b.start >= a.end:
                break
            out.append(_finding("items.overlap", ERROR, _("%(a)s (%(a_at)s) and %(b)s (%(b_at)s) are booked at the "
                                                          "same time.") % {
                "a": a.title, "a_at": _when(a.local_start), "b": b.title, "b_at": _when(b.local_start)}, [a, b]))
    return out


def check_transfers(facts: TripFacts) -> list[dict]:
    visits, out = _fixed_visits(facts), []
    for a, b in zip(visits, visits[1:]):
        if b.start < a.end or None in (a.lat, b.lat) or b.start - a.end > dt.timedelta(hours=6):
            continue
        need = transfer_minutes((a.lat, a.lon), (b.lat, b.lon))
        gap = int((b.start - a.end).total_seconds() // 60)
        if need >= NEAR_KM_MIN and gap < need:
            out.append(_finding("transfer.too_short", ERROR, _(
                "%(gap)d min between %(a)s and %(b)s, but getting there takes about %(need)d min.") % {
                "gap": gap, "a": a.title, "b": b.title, "need": need}, [a, b]))
    return out


def check_hours(facts: TripFacts) -> list[dict]:
    out = []
    for thing in facts.things:
        if thing.is_stay or not thing.opening_hours:
            continue
        local = thing.local_start
        windows = open_windows(thing.opening_hours, local.date(), country=facts.country,
                               coords=(thing.lat, thing.lon) if thing.lat is not None else None,
                               time_zone=thing.time_zone)
        if windows is None:
            continue
        lo = local.hour * 60 + local.minute
        hi = lo + int((thing.end - thing.start).total_seconds() // 60)
        if any(w_lo <= lo and hi <= w_hi for w_lo, w_hi in windows):
            continue
        fits = [w_lo for w_lo, w_hi in windows if w_hi - w_lo >= hi - lo]
        suggestion = None
        if thing.movable and fits:
            start = dt.datetime.combine(local.date(), dt.time(), tzinfo=thing.tz) + dt.timedelta(minutes=fits[0])
            suggestion = _move(thing, start, _("Move %(title)s to %(time)s") % {"title": thing.title,
                                                                               "time": _time(start)})
        message = (_("%(title)s is closed on %(day)s.") if not windows else
                   _("%(title)s is not open at %(time)s on %(day)s.")) % {
            "title": thing.title, "day": date_format(local.date(), "D j M"), "time": _time(local)}
        out.append(_finding("place.closed", ERROR, message, [thing], suggestion))
    return out


def check_holds(facts: TripFacts) -> list[dict]:
    return [_finding("hold.expires_before_decision", ERROR, _(
        "The hold on %(title)s expires at %(expires)s, before the answer is due at %(due)s.") % {
        "title": t.title, "expires": _when(t.hold_expires.astimezone(t.tz)), "due": _when(t.deadline.astimezone(t.tz))},
        [t]) for t in facts.things
        if t.status in UNDECIDED and t.hold_expires and t.deadline and t.hold_expires < t.deadline]


def check_payments(facts: TripFacts) -> list[dict]:
    return [_finding("payment.due_after_event", ERROR, _(
        "A payment for %(title)s is due on %(due)s, after the event on %(day)s.") % {
        "title": t.title, "due": date_format(t.unpaid_due, "j M"), "day": date_format(t.local_start.date(), "j M")},
        [t]) for t in facts.things if t.unpaid_due and t.unpaid_due > t.local_start.date()]


def _offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _leg_thing(name: str, leg: Leg) -> Thing:
    return Thing(name, 0, _("Your arrival") if name == "arrival" else _("Your departure"), name, leg.at, leg.at,
                 leg.time_zone, leg.lat, leg.lon, stated_offset_min=leg.stated_offset_min)


def check_zones(facts: TripFacts) -> list[dict]:
    """A stated UTC offset that disagrees with the place's zone at that instant: the time
    was read in another zone (a ticket's local time taken for the traveler's home time)."""
    legs = [_leg_thing(name, leg) for name, leg in (("arrival", facts.arrival), ("departure", facts.departure)) if leg]
    out = []
    for thing in legs + facts.things + facts.journeys:
        if thing.stated_offset_min is None:
            continue
        actual = int(thing.start.astimezone(thing.tz).utcoffset().total_seconds() // 60)
        if actual == thing.stated_offset_min:
            continue
        wall = thing.start.replace(tzinfo=None)
        suggestion = None
        if thing.type in ("arrival", "departure"):
            fixed_at = wall.replace(tzinfo=thing.tz)
            suggestion = _suggestion("fix_leg", _("Use %(time)s %(zone)s time") % {
                "time": _when(fixed_at), "zone": thing.time_zone}, leg=thing.type, at=fixed_at.isoformat())
        out.append(_finding("time_zone.mismatch", ERROR, _(
            "%(title)s says %(time)s %(stated)s, but %(zone)s is %(actual)s then.") % {
            "title": thing.title, "time": _time(wall), "stated": _offset(thing.stated_offset_min),
            "zone": thing.time_zone, "actual": _offset(actual)}, [thing], suggestion))
    return out


CHECKS = (check_zones, check_arrival, check_departure, check_nights, check_checkin_gap, check_outside,
          check_overlap, check_transfers, check_hours, check_holds, check_payments)


def judge(facts: TripFacts) -> list[dict]:
    """Every finding about ``facts``: errors first, then by code and time (stable, so an
    unchanged trip gives an equal list)."""
    findings = [f for check in CHECKS for f in check(facts)]
    return sorted(findings, key=lambda f: (f["severity"] != ERROR, f["code"],
                                           [(i["start"], i["type"], i["id"]) for i in f["items"]]))


def evaluate(state: CoordinationState) -> list[dict]:
    """A fresh evaluation of ``state`` (what :func:`refresh` stores)."""
    return judge(fixed_things(state))


def for_vendor(findings: list[dict], vendor_id: int) -> list[dict]:
    """A vendor's part: findings only about its own bookings, without the suggestions
    (those are the planners' to apply)."""
    return [{**f, "suggestion": None} for f in findings
            if f["items"] and all(i["vendor"] == vendor_id and i["booking"] for i in f["items"])]


def vendors_of(findings: list[dict]) -> set[int]:
    return {i["vendor"] for f in findings for i in f["items"] if i["vendor"] and i["booking"]}


def find_suggestion(findings: list[dict], token: str) -> tuple[dict, dict] | None:
    """The current finding and suggestion whose id is ``token``."""
    return next(((f, f["suggestion"]) for f in findings if f["suggestion"] and f["suggestion"]["id"] == token), None)
