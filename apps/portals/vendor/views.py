"""Vendor portal: booking requests to answer, upcoming bookings, one booking with who it
serves and its payment schedule, check-in, wedding price negotiations, slots.

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from apps.coordination.access import ENDED_STATUSES, bookings_served_by, shortlist_served_by
from apps.coordination.models import PaymentInstallment, PriceOffer, VendorResponse
from apps.coordination.phases import HOLDING_STATUSES, BookingStatus, check_in_open
from apps.coordination.selectors import installment_status, vendor_booking_board
from apps.coordination.services.bookings import (booking_mark_arrived, booking_payment_schedule_set,
                                                 installment_record_payment, vendor_respond)
from apps.coordination.services.weddings import price_accept, price_offer
from apps.core.errors import DomainError
from apps.portals.gates import VendorPortalMixin
from apps.portals.negotiation import PriceOfferForm, ScheduleForm, negotiations
from apps.portals.pagecache import CachedOwnPageMixin
from apps.portals.shared import PartsMixin, cleaned
from apps.vendors.selectors import offering_list_for_vendor, slot_list_for_vendor, slot_list_free, vendor_of_user
from apps.vendors.services import slot_capacity_set, slots_bulk_create, vendor_inventory_set

from .forms import BulkSlotForm, CapacityForm, InventoryForm, RespondForm, SlotFilterForm, slot_options


def _flash_error(request, exc: DomainError) -> None:
    details = " ".join(str(message) for message in exc.fields.values())
    messages.error(request, f"{exc.message} {details}".strip())


def _back(request, default: str):
    """To the form's ``next`` when it stays in the vendor portal, else to ``default``."""
    wanted = request.POST.get("next", "")
    portal = reverse("vendor:home")
    if wanted.startswith(portal) and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(default)


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


class HomeView(_VendorView, CachedOwnPageMixin, PartsMixin, TemplateView):
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
        board = vendor_booking_board(self.request.user)
        if part in (None, "pending"):
            tz = ZoneInfo(vendor.time_zone)
            # Plain values: a hundred Slot + Offering instances (JSON fields decoded) cost more than the page.
            free = slot_list_free(vendor_id=vendor.pk).values_list("pk", "offering__title", "start",
                                                                   "capacity_available")[:100]
            options = slot_options((pk, f"{title} · {start.astimezone(tz):%Y-%m-%d %H:%M} ({available})")
                                   for pk, title, start, available in free)
            board["pending"] = [(b, RespondForm(slot_options=options, auto_id=f"b{b.pk}_%s")) for b in board["pending"]]
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
        return _back(request, reverse("vendor:home"))


class BookingDetailView(_VendorView, TemplateView):
    """One booking: who it serves (the request's vendor slice: the traveler's name, party,
    dates, guests, and the notes addressed to vendors while the booking is live), its
    price, the payment schedule with a "paid" button per installment, check-in."""

    template_name = "vendor/booking_detail.html"

    def get_context_data(self, **kwargs):
        booking = self.own_booking(self.kwargs["pk"])
        vendor = self.own_vendor()
        tz = ZoneInfo(vendor.time_zone)
        today = timezone.now().astimezone(tz).date()
        installments = [(i, installment_status(i, today)) for i in booking.installments.all()]
        return {**super().get_context_data(**kwargs), "vendor": vendor, "booking": booking,
                "req": booking.state.request, "live": booking.status not in ENDED_STATUSES,
                "installments": installments,
                "can_schedule": booking.status in HOLDING_STATUSES and not any(i.paid_at for i, _s in installments),
                "can_check_in": (booking.status == BookingStatus.CONFIRMED and not booking.arrived_at
                                 and booking.slot_id and check_in_open(booking.slot.start, vendor.time_zone)),
                "schedule_form": ScheduleForm()}


class BookingScheduleView(_VendorView, View):
    """Set the booking's payment schedule (deposit now, balance before the day)."""

    def post(self, request, pk: int):
        booking = self.own_booking(pk)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the schedule: %(errors)s") % {"errors": form.errors.as_text()})
        else:
            try:
                booking_payment_schedule_set(booking_id=booking.pk, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _flash_error(request, exc)
            else:
                messages.success(request, _("Payment schedule set."))
        return redirect("vendor:booking", pk=booking.pk)


class InstallmentPaidView(_VendorView, View):
    """Record that the traveler paid one installment (no payment gateway)."""

    def post(self, request, pk: int):
        installment = PaymentInstallment.objects.filter(
            pk=pk, booking__in=bookings_served_by(request.user)).first()
        if installment is None:
            raise Http404(_("No such payment."))
        try:
            installment_record_payment(installment_id=installment.pk, actor=request.user)
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("Payment recorded."))
        return redirect("vendor:booking", pk=installment.booking_id)


class NegotiationListView(_VendorView, TemplateView):
    """Weddings and events that shortlisted the vendor's offerings: the couple, the day and
    guests, the offers both ways, and the vendor's next move (counter or accept)."""

    template_name = "vendor/negotiations.html"

    def get_context_data(self, **kwargs):
        vendor = self.own_vendor()
        entries = shortlist_served_by(self.request.user).order_by("-created_at")
        return {**super().get_context_data(**kwargs), "vendor": vendor,
                "rows": negotiations(entries, party=PriceOffer.Party.VENDOR, home_currency=self.request.user.currency)}


class _NegotiationCommand(_VendorView, View):
    success = ""

    def post(self, request, pk: int):
        entry = shortlist_served_by(request.user).filter(pk=pk).first()
        if entry is None:
            raise Http404(_("No such shortlist entry."))
        try:
            self.command(entry)
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, self.success)
        return redirect(f"{reverse('vendor:negotiations')}#entry-{entry.pk}")


class NegotiationOfferView(_NegotiationCommand):
    success = gettext_lazy("Offer sent.")

    def command(self, entry):
        price_offer(state_id=entry.state_id, actor=self.request.user, entry_id=entry.pk,
                    **cleaned(PriceOfferForm(self.request.POST)))


class NegotiationAcceptView(_NegotiationCommand):
    success = gettext_lazy("Price agreed. The booking follows at this price.")

    def command(self, entry):
        price_accept(state_id=entry.state_id, actor=self.request.user, entry_id=entry.pk)


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


class InventoryView(_VendorView, TemplateView):
    """Inventory settings: slots kept here, or the vendor's own OCTO system (URL, key shown
    masked, supplier id, the OCTO product of each offering)."""

    template_name = "vendor/inventory.html"

    def form(self, data=None) -> InventoryForm:
        vendor = self.own_vendor()
        return InventoryForm(data, vendor=vendor, offerings=offering_list_for_vendor(vendor))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "vendor": self.own_vendor(),
                "form": kwargs.get("form") or self.form()}

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                vendor_inventory_set(vendor=self.own_vendor(), source=data["source"], url=data["url"],
                                     api_key=data["api_key"], supplier_id=data["supplier_id"],
                                     products=form.products())
            except DomainError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Inventory settings saved."))
                return redirect("vendor:inventory")
        return self.render_to_response(self.get_context_data(form=form), status=400)
