"""Traveler browse pages: search the destination's offerings with filters and add them to
the plan (travel: a wish the planner fits in; wedding/event: a shortlist entry)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.phases import Phase
from apps.coordination.services import browse, weddings
from apps.coordination.services.itinerary import seats_for
from apps.portals.gates import TravelerPortalMixin
from apps.portals.shared import CommandView, RequestScopeMixin, posted_id
from apps.requests.models import ExperienceType
from apps.vendors.models import Offering, VendorType
from apps.vendors.pricing import seats_taken
from apps.vendors.selectors import offering_search, slot_list_free

from . import selectors
from .forms import BrowseFilterForm

PAGE_SIZE = 12
# What a wedding or an event is made of (its guests' hotels and transfers come after).
EVENT_SUPPLIERS = (VendorType.VENUE, VendorType.CATERER, VendorType.PHOTOGRAPHER, VendorType.FLORIST,
                   VendorType.MUSIC)
SLOTS_SHOWN = 6


class BrowseView(TravelerPortalMixin, RequestScopeMixin, TemplateView):
    """Offerings at the destination, best rated first, each with its next free times
    within the trip (in the destination's zone)."""

    template_name = "traveler/browse.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.experience_request
        form = BrowseFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        found = offering_search(
            city=req.destination, kind=filters.get("kind", ""), vendor_type=filters.get("vendor_type", ""),
            date_from=filters.get("date_from"), date_to=filters.get("date_to"),
            time_zone=req.time_zone, price_max=filters.get("price_max"), currency=req.currency,
            min_rating=filters.get("min_rating"), interests=filters.get("interests", ()),
            dietary=filters.get("dietary", ()))
        is_event = req.experience_type != ExperienceType.TRAVEL
        if is_event and not filters.get("vendor_type"):  # a wedding browses its suppliers first, not sights
            found = sorted((o for o in found if o.vendor.vendor_type in weddings.CATEGORIES),
                           key=lambda o: o.vendor.vendor_type not in EVENT_SUPPLIERS)
        page = Paginator(found, PAGE_SIZE).get_page(self.request.GET.get("page"))
        tz = ZoneInfo(req.time_zone)
        results = [(offering, [(slot, slot.start.astimezone(tz)) for slot in self._trip_slots(offering)])
                   for offering in page.object_list]
        query = self.request.GET.copy()
        query.pop("page", None)
        open_phases = weddings.NEGOTIATION_PHASES if is_event else (Phase.PLANNING,)
        context.update(form=form, results=results, page_obj=page, is_paginated=page.has_other_pages(),
                       query=query.urlencode(), is_event=is_event, filtered=any(filters.values()),
                       can_add=self.state.phase in open_phases,
                       **selectors.request_overview(self.request.user, self.state))
        return context

    def _trip_slots(self, offering: Offering):
        req = self.experience_request
        tz = ZoneInfo(req.time_zone)
        from_, to = trip_bounds(req, tz)
        free = slot_list_free(vendor_id=offering.vendor_id, offering_id=offering.pk, end=to)
        needed = seats_taken(offering.price_unit, seats_for(req, offering.price_unit))
        return list(free.filter(start__gte=from_, capacity_available__gte=needed)[:SLOTS_SHOWN])


def trip_bounds(req, tz):
    """The trip's first and last local day as aware datetimes (start of first, end of last)."""
    return (dt.datetime.combine(req.start_date, dt.time.min, tz),
            dt.datetime.combine(req.end_date + dt.timedelta(days=1), dt.time.min, tz))


class _BrowseCommand(TravelerPortalMixin, CommandView):
    def default_next(self) -> str:
        return reverse("traveler:browse", args=[self.kwargs["request_id"]])


class AddView(_BrowseCommand):
    """Add an offering (optionally at one free slot): a wish for a trip, a shortlist entry
    in the vendor's category for a wedding or event."""

    success_message = gettext_lazy("Added to your plan.")

    def command(self, data):
        offering_id = posted_id(data.get("offering"))
        slot_id = posted_id(data["slot"]) if data.get("slot") else None
        if self.experience_request.experience_type == ExperienceType.TRAVEL:
            browse.plan_item_add(state_id=self.state.pk, actor=self.request.user, offering_id=offering_id,
                                 slot_id=slot_id, note=data.get("note", ""))
            return
        category = Offering.objects.filter(pk=offering_id).values_list("vendor__vendor_type", flat=True).first()
        weddings.shortlist_add(state_id=self.state.pk, actor=self.request.user, offering_id=offering_id,
                               category=category or "", slot_id=slot_id, note=data.get("note", ""))


class WishRemoveView(_BrowseCommand):
    success_message = gettext_lazy("Removed from your plan.")

    def command(self, data):
        browse.plan_item_remove(state_id=self.state.pk, actor=self.request.user, wish_id=self.kwargs["wish_id"])
