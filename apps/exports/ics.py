"""iCalendar export: one VEVENT per item in the destination's time zone, with VTIMEZONE."""
from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .document import Document, ExternalView, ItemView

ALARM_MARGIN_MIN = 15  # on top of the travel time


def _description(item: ItemView) -> str:
    lines = []
    if item.kind == "stay":
        lines.append(_("Check-in from %(in)s, check-out by %(out)s") % {
            "in": f"{item.start:%a %d %b %H:%M}", "out": f"{item.end:%a %d %b %H:%M}"})
    if item.booking is not None:
        lines.append(_("Booking %(ref)s — %(status)s (%(vendor)s)") % {
            "ref": item.booking.reference or _("no reference yet"), "status": item.booking.status_label,
            "vendor": item.booking.vendor})
        lines.append(item.booking.policy)
    if item.directions:
        lines.append(_("Getting there: %(directions)s") % {"directions": item.directions})
    if item.requirements:
        lines.append(_("Bring: %(list)s") % {"list": ", ".join(item.requirements)})
    lines += [f"• {tip}" for tip in item.tips]
    return "\n".join(lines)


def _event(doc: Document, item: ItemView, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", doc.version)
    event.add("summary", item.title)
    if item.kind == "stay":  # all-day across its nights; the hours are in the description
        event.add("dtstart", item.start.date())
        event.add("dtend", item.end.date())
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
    event.add("categories", [item.kind_label])
    if item.address or item.place:
        event.add("location", item.address or item.place)
    if item.lat is not None and item.lon is not None:
        event.add("geo", (item.lat, item.lon))
    description = _description(item)
    if description:
        event.add("description", description)
    if item.booking is not None:
        event.add("status", "CONFIRMED" if item.booking.status == "confirmed" else "TENTATIVE")
    if item.travel_min > 0:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _("Leave now for %(title)s") % {"title": item.title})
        alarm.add("trigger", dt.timedelta(minutes=-(item.travel_min + ALARM_MARGIN_MIN)))
        event.add_component(alarm)
    return event


def _external_event(doc: Document, booking: ExternalView, stamp: dt.datetime) -> Event:
    """A booking made elsewhere: its own zones (a flight starts in one, ends in another),
    marked as not managed here."""
    event = Event()
    event.add("uid", booking.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", doc.version)
    event.add("summary", _("%(title)s (booked elsewhere)") % {"title": booking.title})
    event.add("dtstart", booking.start)
    if booking.end is not None:
        event.add("dtend", booking.end)
    event.add("categories", [booking.kind_label])
    if booking.place:
        event.add("location", booking.place)
    lines = [_("Booked elsewhere: not managed by Traveloure.")]
    if booking.reference:
        lines.append(_("Reference %(ref)s") % {"ref": booking.reference})
    if booking.origin:
        lines.append(_("From %(origin)s") % {"origin": booking.origin})
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    return event


def ics_response(doc: Document) -> HttpResponse:
    """``render_ics`` as a download (portal, API and the webcal feed)."""
    response = HttpResponse(render_ics(doc), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{doc.file_stem}.ics"'
    return response


def render_ics(doc: Document) -> bytes:
    """The calendar file of ``doc``; events carry a TZID and the VTIMEZONE is included."""
    cal = Calendar()
    cal.add("prodid", "-//Traveloure//Itinerary//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("%(destination)s trip") % {"destination": doc.destination})
    cal.add("x-wr-timezone", doc.time_zone)
    for item in doc.items:
        cal.add_component(_event(doc, item, doc.generated_at.astimezone(dt.timezone.utc)))
    for booking in doc.external:
        cal.add_component(_external_event(doc, booking, doc.generated_at.astimezone(dt.timezone.utc)))
    cal.add_missing_timezones()
    return cal.to_ical()
