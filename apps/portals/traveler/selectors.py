"""Reads the traveler pages need, composed from the domain selectors. Callers pass a state
the user was already scoped to (``RequestScopeMixin``)."""
from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.coordination.access import bookings_visible_to, recommendations_visible_to
from apps.coordination.models import PlanWish, ShortlistEntry
from apps.coordination.phases import HOLDING_STATUSES, BookingStatus, Phase
from apps.coordination.services.experts import request_matches
from apps.core.money import Money
from apps.experts.models import ConsultationSlot
from apps.experts.selectors import consultation_slot_list_free
from apps.exports.budget import Converter
from apps.exports.support import offer_policy_text
from apps.requests.models import ExperienceType, Path

KEPT_STATUSES = HOLDING_STATUSES | {BookingStatus.COMPLETED}


def consultation_view(slot: ConsultationSlot, traveler_tz: str) -> dict:
    """A consultation slot with its start in the traveler's and in the expert's zone."""
    return {"slot": slot, "traveler": slot.start.astimezone(ZoneInfo(traveler_tz)),
            "expert": slot.start.astimezone(ZoneInfo(slot.expert.time_zone)),
            "traveler_tz": traveler_tz, "expert_tz": slot.expert.time_zone}


def _supplier_note(booking) -> str:
    """What the booking's own system says: a hotel provider's offer terms, or why an open
    booking is still waiting on it (it is retried on its own)."""
    twin = getattr(booking, "supplier_reservation", None)  # selected with the booking
    if twin is None:
        return ""
    if booking.status in (BookingStatus.REQUESTED, BookingStatus.PENDING) and twin.failures:
        return _("Waiting for the booking system (%(error)s); we retry on our own.") % {"error": twin.last_error}
    return offer_policy_text(twin.offer, booking.vendor.time_zone) if twin.offer else ""


def priced_bookings(user, state) -> tuple[list, Money]:
    """The request's bookings with their payment schedules, each with ``price_home`` (its
    price in the traveler's currency when the vendor's differs), and the total of those
    holding seats in the traveler's currency (ECB rate of today)."""
    home = Converter(state.request.traveler.currency, timezone.localdate())
    bookings = list(bookings_visible_to(user).filter(state=state).select_related("supplier_reservation")
                    .prefetch_related("installments").order_by("slot__start", "pk"))
    total = Decimal("0")
    for booking in bookings:
        booking.price_home = home.money(booking.price, booking.currency)
        booking.supplier_note = _supplier_note(booking)
        if booking.status in KEPT_STATUSES:
            total += home(booking.price, booking.currency)
    return bookings, Money(total, home.currency)


def request_overview(user, state) -> dict:
    """What the request page shows: top matches while choosing (each with its rating and response time), the chosen expert, the booked consultation or the free slots in both zones, the newest recommendation
    the traveler received, the bookings and the browse wishes or event shortlist."""
    request = state.request
    context = {"matches": [], "consultations": [], "booked_consultations": []}
    if state.phase == Phase.MATCHING and state.expert_id is None and request.path == Path.EXPERT:
        context["matches"] = request_matches(state)
    if state.expert_accepted_at:
        held = ConsultationSlot.objects.filter(request=request).select_related("expert")
        context["booked_consultations"] = [consultation_view(s, request.traveler.time_zone) for s in held]
        if not context["booked_consultations"]:  # the free times are offered until one is booked
            free = consultation_slot_list_free([state.expert_id]).select_related("expert")[:12]
            context["consultations"] = [consultation_view(s, request.traveler.time_zone) for s in free]
    versions = list(recommendations_visible_to(user, state)[:1])
    context["recommendation"] = versions[0] if versions else None
    context["bookings"], context["bookings_total"] = priced_bookings(user, state)
    context["wishes"] = PlanWish.objects.filter(state=state).select_related("offering__vendor", "slot")
    context["shortlist"] = (ShortlistEntry.objects.filter(state=state).select_related("offering__vendor")
                            if request.experience_type != ExperienceType.TRAVEL else [])
    return context


