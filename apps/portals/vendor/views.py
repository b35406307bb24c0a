"""Vendor portal: booking requests to answer, upcoming bookings, check-in, slots.

Every view is gated to vendors and reads through selectors scoped to the signed-in
vendor: another vendor's booking or slot is a 404."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from apps.coordination.access import bookings_served_by
from apps.coordination.models import VendorResponse
from apps.coordination.selectors import vendor_booking_board
from apps.coordination.services.bookings import booking_mark_arrived, vendor_respond
from apps.core.errors import DomainError
from apps.portals.gates import VendorPortalMixin
from apps.portals.shared import PartsMixin
from apps.vendors.selectors import offering_list_for_vendor, slot_list_for_vendor, slot_list_free, vendor_of_user
from apps.vendors.services import slot_capacity_set, slots_bulk_create

from .forms import BulkSlotForm, CapacityForm, RespondForm, SlotFilterForm


def _flash_error(request, exc: DomainError) -> None:
    details = " ".join(str(message) for message in exc.fields.values())
    messages.error(request, f"{exc.message} {details}".strip())


class _VendorView(VendorPortalMixin):
    @cached_property
    def vendor(self):
        return vendor_of_user(self.request.user)

    def own_vendor(self):
        """The signed-in user's vendor; a vendor login without one sees nothing (404)."""
        if self.vendor is None:
            raise Http404(_("No vendor profile."))
        return self.vendor

    def own_booking(self, pk: int):
        booking = bookings_served_by(self.request.user).filter(pk=pk).first()
        if booking is None:
            raise Http404(_("No such booking."))
        return booking


# The vendor's booking events after which each live part of the dashboard is re-fetched.
PENDING_EVENTS = ("booking.requested", "booking.proposed", "booking.proposal_accepted", "booking.confirmed",
                  "booking.declined", "booking.expired", "booking.cancelled")
UPCOMING_EVENTS = ("booking.confirmed", "booking.proposal_accepted", "booking.cancelled", "booking.completed",
                   "booking.arrived")
LIVE_EVENTS = {"stats": " ".join(sorted({*PENDING_EVENTS, *UPCOMING_EVENTS})), "pending": " ".join(PENDING_EVENTS),
               "upcoming": " ".join(UPCOMING_EVENTS)}


class HomeView(_VendorView, PartsMixin, TemplateView):
    """Dashboard: pending requests (deadline countdown, answer forms), today's arrivals,
    upcoming bookings. Live on ``/ws/me/``: ``?part=stats|pending|upcoming`` renders one
    fragment, which live.js re-fetches after the vendor's booking events."""

    template_name = "vendor/home.html"
    parts = {"stats": "vendor/_stats.html", "pending": "vendor/_pending.html", "upcoming": "vendor/_upcoming.html"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        part = self.request.GET.get("part")
        vendor = self.own_vendor() if part else self.vendor
        if vendor is None:
            return context
        board = {name: list(qs) for name, qs in vendor_booking_board(self.request.user).items()}
        if part in (None, "pending"):
            tz = ZoneInfo(vendor.time_zone)
            # Plain values: a hundred Slot + Offering instances (JSON fields decoded) cost more than the page.
            free = slot_list_free(vendor_id=vendor.pk).values_list("pk", "offering__title", "start",
                                                                   "capacity_available")[:100]
            choices = [(pk, f"{title} · {start.astimezone(tz):%Y-%m-%d %H:%M} ({available})")
                       for pk, title, start, available in free]
            board["pending"] = [(b, RespondForm(slot_choices=choices, auto_id=f"b{b.pk}_%s")) for b in board["pending"]]
        return {**context, **board, "vendor": vendor, "live_events": LIVE_EVENTS}


class BookingRespondView(_VendorView, View):
    def post(self, request, pk: int):
        booking = self.own_booking(pk)
        form = RespondForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the answer: %(errors)s") % {"errors": form.errors.as_text()})
            return redirect("vendor:home")
        try:
            result, replayed = vendor_respond(booking_id=booking.pk, vendor=self.own_vendor(),
                                              channel=VendorResponse.Channel.PORTAL,
                                              action=form.cleaned_data["action"],
                                              dedupe_key=f"portal:{form.cleaned_data['nonce']}",
                                              payload=form.to_payload())
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            if not replayed:
                messages.success(request, _("Booking #%(id)s is now %(status)s.")
                                 % {"id": result.pk, "status": result.get_status_display().lower()})
        return redirect("vendor:home")


class BookingArrivedView(_VendorView, View):
    def post(self, request, pk: int):
        booking = self.own_booking(pk)
        try:
            booking_mark_arrived(booking_id=booking.pk, actor=request.user)
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("Checked in: booking #%(id)s.") % {"id": booking.pk})
        return redirect("vendor:home")


class SlotListView(_VendorView, ListView):
    """Upcoming slots with their capacity, 50 a page, filtered by offering and by a range
    of local dates (``?offering=&date_from=&date_to=``), and the bulk creation form."""

    template_name = "vendor/slot_list.html"
    context_object_name = "slots"
    paginate_by = 50

    @cached_property
    def offerings(self):
        return list(offering_list_for_vendor(self.own_vendor()))

    @cached_property
    def filters(self) -> SlotFilterForm:
        return SlotFilterForm(self.request.GET or None, offerings=self.offerings)

    def bulk_form(self, data=None) -> BulkSlotForm:
        return BulkSlotForm(data, offerings=self.offerings)

    def get_queryset(self):
        vendor = self.own_vendor()
        slots = slot_list_for_vendor(vendor)
        if not self.filters.is_valid():
            return slots
        wanted, tz = self.filters.cleaned_data, ZoneInfo(vendor.time_zone)
        if wanted["offering"] is not None:
            slots = slots.filter(offering_id=wanted["offering"])
        if wanted["date_from"]:
            slots = slots.filter(start__gte=dt.datetime.combine(wanted["date_from"], dt.time.min, tz))
        if wanted["date_to"]:
            slots = slots.filter(start__lt=dt.datetime.combine(wanted["date_to"] + dt.timedelta(days=1), dt.time.min, tz))
        return slots

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return {**super().get_context_data(**kwargs), "vendor": self.own_vendor(), "filters": self.filters,
                "query": query.urlencode(), "form": kwargs.get("form") or self.bulk_form()}


class SlotBulkCreateView(SlotListView):
    def post(self, request):
        form = self.bulk_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = slots_bulk_create(vendor=self.own_vendor(), offering_id=data["offering"],
                                            first_date=data["first_date"], last_date=data["last_date"],
                                            times=data["times"], capacity=data["capacity"],
                                            weekdays=set(data["weekdays"]) or None)
            except DomainError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("%(n)s slots created.") % {"n": len(created)})
                return redirect("vendor:slots")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SlotCapacityView(_VendorView, View):
    """Set one slot's seats; back to the slot list page it came from (``next``: page and filters kept)."""

    def post(self, request, pk: int):
        form = CapacityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a number of seats."))
            return self.back(pk)
        try:
            slot_capacity_set(vendor=self.own_vendor(), slot_id=pk, capacity_total=form.cleaned_data["capacity_total"])
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from None
            _flash_error(request, exc)
        else:
            messages.success(request, _("Capacity updated."))
        return self.back(pk)

    def back(self, pk: int):
        wanted, slots = self.request.POST.get("next", ""), reverse("vendor:slots")
        if not (wanted.startswith(slots) and url_has_allowed_host_and_scheme(wanted, {self.request.get_host()})):
            wanted = slots
        return redirect(f"{wanted}#slot-{pk}")
