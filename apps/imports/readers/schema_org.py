"""schema.org reservations (JSON-LD and microdata, as ``extruct`` reads them from HTML
e-mail) → :class:`Found` bookings. Gmail and Apple Mail read the same markup, so airlines,
hotel chains, booking sites and ticket shops put it in their confirmations."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .found import Found, money, parse_time
from .places import Context, Place

KIND_OF_TYPE = {"FlightReservation": "flight", "LodgingReservation": "stay", "TrainReservation": "train",
                "FoodEstablishmentReservation": "restaurant", "EventReservation": "event",
                "RentalCarReservation": "car"}


def _one(value):
    """The first of a list (microdata repeats), the value itself otherwise."""
    return value[0] if isinstance(value, list) and value else (None if isinstance(value, list) else value)


def _text(value) -> str:
    value = _one(value)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or "")
    return str(value).strip() if value is not None else ""


def _types(node: dict) -> list[str]:
    kinds = node.get("@type") or []
    return [str(k).rsplit("/", 1)[-1] for k in (kinds if isinstance(kinds, list) else [kinds])]


def reservations(nodes) -> list[dict]:
    """Every reservation node in extruct's output, ``@graph``s and nesting included."""
    found, stack = [], list(nodes if isinstance(nodes, list) else [nodes])
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack[:0] = node
        elif isinstance(node, dict):
            if any(t in KIND_OF_TYPE for t in _types(node)):
                found.append(node)
            else:
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    return found


def _place(ctx: Context, node, *, code_key: str = "") -> Place | None:
    node = _one(node)
    if node is None:
        return None
    if not isinstance(node, dict):
        return ctx.place(str(node))
    address = _one(node.get("address"))
    city = street = ""
    if isinstance(address, dict):
        city, street = _text(address.get("addressLocality")), _text(address.get("streetAddress"))
    elif address:
        street = _text(address)
    geo = _one(node.get("geo")) or {}
    name = ", ".join(p for p in (_text(node.get("name")), street, city) if p)
    return ctx.place(name, code=_text(node.get(code_key)) if code_key else "", city=city,
                     lat=geo.get("latitude") if isinstance(geo, dict) else None,
                     lon=geo.get("longitude") if isinstance(geo, dict) else None)


def _time(node: dict, *keys: str) -> dt.datetime | None:
    for key in keys:
        value = parse_time(_text(node.get(key)))
        if value is not None:
            return value
    return None


def _price(res: dict) -> dict | None:
    price = _one(res.get("totalPrice")) or res.get("price")
    if isinstance(price, dict):  # a PriceSpecification
        return money(_text(price.get("price")), _text(price.get("priceCurrency")))
    return money(_text(price), _text(res.get("priceCurrency")))


def found_from(res: dict, ctx: Context) -> tuple[Found | None, str | None]:
    """One reservation node → (booking, None), or (None, what was missing)."""
    kind = next(KIND_OF_TYPE[t] for t in _types(res) if t in KIND_OF_TYPE)
    target = _one(res.get("reservationFor")) or {}
    target = target if isinstance(target, dict) else {"name": target}
    notes: list[str] = []
    origin = None
    if kind == "flight":
        origin = _place(ctx, target.get("departureAirport"), code_key="iataCode")
        place = _place(ctx, target.get("arrivalAirport"), code_key="iataCode")
        airline = _one(target.get("airline")) or {}
        code = _text(airline.get("iataCode")) if isinstance(airline, dict) else ""
        number = _text(target.get("flightNumber"))
        title = _("Flight %(number)s") % {"number": f"{code}{number}" if not number.startswith(code) else number}
        start, end = _time(target, "departureTime"), _time(target, "arrivalTime")
    elif kind == "train":
        origin = _place(ctx, target.get("departureStation"))
        place = _place(ctx, target.get("arrivalStation"))
        title = " ".join(p for p in (_text(target.get("trainName")), _text(target.get("trainNumber"))) if p) \
            or _("Train")
        start, end = _time(target, "departureTime"), _time(target, "arrivalTime")
    elif kind == "stay":
        place = _place(ctx, target)
        title = _text(target.get("name")) or _("Stay")
        start, end = _time(res, "checkinTime", "checkinDate"), _time(res, "checkoutTime", "checkoutDate")
    elif kind == "restaurant":
        place = _place(ctx, target)
        title = _text(target.get("name")) or _("Restaurant")
        start, end = _time(res, "startTime") or _time(target, "startDate"), _time(res, "endTime")
        party = _text(res.get("partySize"))
        if party:
            title = _("%(name)s, table for %(n)s") % {"name": title, "n": party}
    elif kind == "event":
        place = _place(ctx, target.get("location"))
        title = _text(target.get("name")) or _("Event")
        start, end = _time(target, "startDate"), _time(target, "endDate")
    else:
        origin = _place(ctx, res.get("pickupLocation"))
        place = _place(ctx, res.get("dropoffLocation")) or origin
        title = _("Car rental: %(car)s") % {"car": _text(target.get("name")) or _text(target.get("brand")) or "—"}
        start, end = _time(res, "pickupTime"), _time(res, "dropoffTime")
        origin = origin if origin and place and origin.name != place.name else None
    if place is None or start is None:
        return None, _("A %(kind)s reservation without a place or a start time.") % {"kind": kind}
    start = ctx.localize(start, origin or place, notes)
    end = ctx.localize(end, place, notes) if end is not None else None
    if end is None:
        notes.append(_("No end time in the confirmation."))
    return Found(kind=kind, title=title[:200], start=start, end=end, place=place, origin=origin,
                 reference=_text(res.get("reservationNumber") or res.get("confirmationNumber"))[:80],
                 price=_price(res), notes=notes), None
