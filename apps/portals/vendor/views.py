"""Vendor portal: booking requests to answer, upcoming bookings, check-in, slots.

Every view is gated to vendors and reads through selectors scoped to the signed-in
vendor: another vendor's booking or slot is a 404."""
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.coordination.models import VendorResponse
from apps.coordination.selectors import booking_list_for_user, vendor_booking_board
from apps.coordination.services.bookings import booking_mark_arrived, vendor_respond
from apps.core.errors import DomainError
from apps.core.portals import VendorPortalMixin
from apps.vendors.selectors import offering_list_for_vendor, slot_list_for_vendor, slot_list_free, vendor_of_user
from apps.vendors.services import slot_capacity_set, slots_bulk_create

from .forms import BulkSlotForm, CapacityForm, RespondForm


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
        booking = booking_list_for_user(self.request.user).filter(pk=pk, vendor__user=self.request.user).first()
        if booking is None:
            raise Http404(_("No such booking."))
        return booking


class HomeView(_VendorView, TemplateView):
    """Dashboard: pending requests (deadline countdown, answer forms), today's arrivals, upcoming bookings."""

    template_name = "vendor/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.vendor is None:
            return context
        board = {name: list(qs) for name, qs in vendor_booking_board(self.request.user).items()}
        tz = ZoneInfo(self.vendor.time_zone)
        choices = [(s.pk, f"{s.offering.title} · {s.start.astimezone(tz):%Y-%m-%d %H:%M} ({s.capacity_available})")
                   for s in slot_list_free(vendor_id=self.vendor.pk)[:100]]
        board["pending"] = [(b, RespondForm(slot_choices=choices, auto_id=f"b{b.pk}_%s")) for b in board["pending"]]
        return {**context, **board, "vendor": self.vendor}


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


class SlotListView(_VendorView, TemplateView):
    """Upcoming slots with their capacity, and the bulk creation form."""

    template_name = "vendor/slot_list.html"

    def bulk_form(self, data=None) -> BulkSlotForm:
        return BulkSlotForm(data, offerings=offering_list_for_vendor(self.own_vendor()))

    def get_context_data(self, **kwargs):
        vendor = self.own_vendor()
        return {"vendor": vendor, "slots": slot_list_for_vendor(vendor)[:500], "form": kwargs.get("form") or self.bulk_form(),
                **super().get_context_data(**kwargs)}


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
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SlotCapacityView(_VendorView, View):
    def post(self, request, pk: int):
        form = CapacityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a number of seats."))
            return redirect("vendor:slots")
        try:
            slot_capacity_set(vendor=self.own_vendor(), slot_id=pk, capacity_total=form.cleaned_data["capacity_total"])
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from None
            _flash_error(request, exc)
        else:
            messages.success(request, _("Capacity updated."))
        return redirect("vendor:slots")
