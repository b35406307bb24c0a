"""Staff inspect and repair through the engine: status fields are read-only here, history
(events, messages, negotiations) is view-only, and repairs are actions calling services."""
from django import forms
from django.contrib import admin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin import ImmutableInline, ImmutableMixin, NoEditMixin, call_per_object

from .models import (Booking, CoordinationState, Event, ExternalBooking, Message, Notification, NotificationPreference,
                     OutboxMessage, PaymentInstallment, PlanWish, PriceOffer, PushSubscription, ReadMarker, Review,
                     ShortlistEntry, StuckRequest, SupplierReservation, Thread, VendorResponse)
from .phases import BookingStatus
from .services.bookings import booking_cancel, booking_confirm, booking_remind_vendor, installment_record_payment
from .services.experts import expert_reassign, expert_remind
from .services.lifecycle import request_cancel
from .stuck import stuck_reasons


class EventInline(ImmutableInline):
    """The state's timeline, newest first."""

    model = Event
    fields = ("version", "type", "actor", "payload", "created_at")
    ordering = ("-version",)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


@admin.action(description=gettext_lazy("Cancel request (through the engine)"))
def cancel_request(modeladmin, request, queryset):
    """The traveler's own cancellation command: bookings cancelled under each vendor's
    policy, the expert's capacity freed; staff say why first."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        call_per_object(modeladmin, request, queryset,
                        lambda state: request_cancel(state_id=state.pk, actor=request.user,
                                                     reason=form.cleaned_data["reason"]),
                        lambda state: _("%(obj)s: cancelled.") % {"obj": state})
        return redirect(request.get_full_path())
    return render(request, "admin/coordination/cancel_request.html",
                  {"form": form, "states": queryset, "title": _("Cancel requests"),
                   **modeladmin.admin_site.each_context(request)})


@admin.register(CoordinationState)
class CoordinationStateAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("id", "request", "phase", "version", "expert", "queued_for_expert", "updated_at")
    list_filter = ("phase", "queued_for_expert", "request__experience_type")
    search_fields = ("request__destination", "request__traveler__username")
    list_select_related = ("request", "expert__user")
    readonly_fields = ("request", "phase", "version", "expert", "expert_accepted_at", "current_itinerary",
                       "queued_for_expert", "created_at", "updated_at")
    inlines = [EventInline]
    actions = [cancel_request]


def _overdue(state) -> list[int]:
    return list(Booking.objects.filter(state=state, status=BookingStatus.PENDING, deadline__lte=timezone.now())
                .values_list("pk", flat=True))


@admin.register(StuckRequest)
class StuckRequestAdmin(ImmutableMixin, admin.ModelAdmin):
    """Requests that need staff now (:func:`apps.coordination.stuck.stuck_reasons`), each
    with why; the actions are the commands the portals and tasks use."""

    list_display = ("id", "request", "phase", "expert", "why", "updated_at")
    list_select_related = ("request", "expert__user")
    actions = ["reassign_expert", "remind", "confirm_overdue_bookings", "cancel_overdue_bookings", cancel_request]

    def get_queryset(self, request):
        """The list (and its actions) holds the stuck requests only; a request's own page
        opens whatever it is now (it may have come unstuck meanwhile)."""
        queryset = super().get_queryset(request)
        if getattr(request.resolver_match, "url_name", "") != "coordination_stuckrequest_changelist":
            return queryset
        self._reasons = stuck_reasons()
        return queryset.filter(pk__in=self._reasons)

    @admin.display(description=gettext_lazy("Why it is stuck"))
    def why(self, obj):
        return "; ".join(getattr(self, "_reasons", {}).get(obj.pk, []))

    @admin.action(description=gettext_lazy("Reassign the expert (rematch)"))
    def reassign_expert(self, request, queryset):
        call_per_object(self, request, queryset,
                        lambda state: expert_reassign(state_id=state.pk, actor=request.user,
                                                      reason=_("No answer; reassigned by staff.")),
                        lambda state: _("%(obj)s: the expert was replaced; new matches offered.") % {"obj": state})

    @admin.action(description=gettext_lazy("Remind the expert and the vendors"))
    def remind(self, request, queryset):
        def remind_all(state):
            expert_remind(state_id=state.pk)
            for booking_id in state.bookings.filter(status=BookingStatus.PENDING).values_list("pk", flat=True):
                booking_remind_vendor(booking_id=booking_id)

        call_per_object(self, request, queryset, remind_all,
                        lambda state: _("%(obj)s: reminded (once each).") % {"obj": state})

    @admin.action(description=gettext_lazy("Confirm overdue bookings for their vendor"))
    def confirm_overdue_bookings(self, request, queryset):
        call_per_object(self, request, queryset,
                        lambda state: [booking_confirm(booking_id=pk, actor=request.user) for pk in _overdue(state)],
                        lambda state: _("%(obj)s: overdue bookings confirmed.") % {"obj": state})

    @admin.action(description=gettext_lazy("Cancel overdue bookings (the traveler is refunded in full)"))
    def cancel_overdue_bookings(self, request, queryset):
        call_per_object(self, request, queryset,
                        lambda state: [booking_cancel(booking_id=pk, actor=request.user,
                                                      reason=_("The vendor did not answer in time."))
                                       for pk in _overdue(state)],
                        lambda state: _("%(obj)s: overdue bookings cancelled.") % {"obj": state})


@admin.register(Event)
class EventAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("state", "version", "type", "actor", "created_at")
    list_filter = ("type",)
    search_fields = ("type",)
    list_select_related = ("state__request", "actor")
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(NoEditMixin, admin.ModelAdmin):
    list_display = ("id", "group", "event", "delivered_at", "attempts")
    list_filter = (("delivered_at", admin.EmptyFieldListFilter),)
    search_fields = ("group",)
    list_select_related = ("event",)


class InstallmentInline(ImmutableInline):
    model = PaymentInstallment
    fields = ("kind", "amount", "currency", "due_date", "paid_at", "reminded_at")


class SupplierReservationInline(ImmutableInline):
    """The booking's twin in its vendor's own OCTO system, or at the hotel provider of a
    stay's offer (kept in agreement by the sweep)."""

    model = SupplierReservation
    fields = ("uuid", "status", "expires_at", "supplier_reference", "provider_booking_id", "offer", "failures",
              "last_error", "surfaced_at")


@admin.register(Booking)
class BookingAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("id", "offering", "vendor", "quantity", "status", "handled_by", "deadline", "reference", "price",
                    "currency")
    list_filter = ("status", "handled_by", "vendor__vendor_type")
    search_fields = ("reference", "offering__title", "vendor__name")
    list_select_related = ("offering__vendor", "vendor")
    readonly_fields = ("state", "vendor", "offering", "slot", "item", "quantity", "status", "handled_by",
                       "requested_by", "deadline", "reference", "confirmed_by", "confirmed_at", "price", "discount",
                       "currency", "refund_amount", "decline_reason", "proposal", "needs_manual_confirmation",
                       "arrived_at", "reminded_at", "idempotency_key")
    inlines = [InstallmentInline, SupplierReservationInline]
    actions = ["confirm_booking", "cancel_booking"]

    @admin.action(description=gettext_lazy("Confirm for the vendor (through the engine)"))
    def confirm_booking(self, request, queryset):
        call_per_object(self, request, queryset,
                        lambda booking: booking_confirm(booking_id=booking.pk, actor=request.user),
                        lambda booking: _("%(obj)s: confirmed.") % {"obj": booking})

    @admin.action(description=gettext_lazy("Cancel under the vendor's policy (through the engine)"))
    def cancel_booking(self, request, queryset):
        call_per_object(self, request, queryset,
                        lambda booking: booking_cancel(booking_id=booking.pk, actor=request.user,
                                                       reason=_("Cancelled by staff.")),
                        lambda booking: _("%(obj)s: cancelled.") % {"obj": booking})


@admin.register(PaymentInstallment)
class PaymentInstallmentAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("id", "booking", "kind", "amount", "currency", "due_date", "paid_at", "reminded_at")
    list_filter = ("kind", ("paid_at", admin.EmptyFieldListFilter), "due_date")
    search_fields = ("booking__reference", "booking__vendor__name")
    list_select_related = ("booking__offering__vendor",)
    actions = ["record_payment"]

    @admin.action(description=gettext_lazy("Record payment (through the engine)"))
    def record_payment(self, request, queryset):
        call_per_object(self, request, queryset,
                        lambda installment: installment_record_payment(installment_id=installment.pk,
                                                                       actor=request.user),
                        lambda installment: _("%(obj)s: payment recorded.") % {"obj": installment})


@admin.register(VendorResponse)
class VendorResponseAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("booking", "channel", "action", "created_at")
    list_filter = ("channel", "action")
    search_fields = ("booking__reference", "dedupe_key")
    list_select_related = ("booking__offering__vendor",)


class MessageInline(ImmutableInline):
    model = Message
    fields = ("author", "body", "created_at")


class ReadMarkerInline(ImmutableInline):
    model = ReadMarker
    fields = ("user", "last_read_message_id")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("subject", "state", "booking", "created_at")
    search_fields = ("subject", "state__request__destination")
    inlines = [MessageInline, ReadMarkerInline]
    raw_id_fields = ("state", "booking")

    def has_add_permission(self, request):
        return False  # threads open through the chat service


@admin.register(Message)
class MessageAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("id", "thread", "author", "excerpt", "created_at")
    search_fields = ("body", "author__username", "thread__subject")
    list_select_related = ("thread", "author")
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("Message"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "channel", "created_at", "sent_at", "read_at")
    list_filter = ("channel",)
    search_fields = ("user__username", "title")
    raw_id_fields = ("user", "event")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("user", "channel", "enabled")
    list_filter = ("channel", "enabled")
    search_fields = ("user__username", "user__email")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(NoEditMixin, admin.ModelAdmin):
    """Deleting drops a dead browser endpoint; the browser's keys are not shown."""

    list_display = ("user", "endpoint", "created_at")
    search_fields = ("user__username", "endpoint")
    fields = ("user", "endpoint", "created_at")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("state", "author", "target", "expert", "vendor", "rating", "created_at")
    list_filter = ("target", "rating")
    raw_id_fields = ("state", "author", "expert", "vendor")


@admin.register(PlanWish)
class PlanWishAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("state", "offering", "slot", "note", "created_at")
    search_fields = ("offering__title", "state__request__destination")
    list_select_related = ("state__request", "offering__vendor", "slot__offering")


class PriceOfferInline(ImmutableInline):
    model = PriceOffer
    fields = ("party", "author", "amount", "currency", "note", "created_at")


@admin.register(ShortlistEntry)
class ShortlistEntryAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("state", "category", "offering", "status", "agreed_price", "currency", "created_at")
    list_filter = ("status", "category")
    search_fields = ("offering__title", "offering__vendor__name", "state__request__destination")
    list_select_related = ("state__request", "offering__vendor")
    inlines = [PriceOfferInline]


@admin.register(ExternalBooking)
class ExternalBookingAdmin(ImmutableMixin, admin.ModelAdmin):
    """Bookings travelers made elsewhere (imported): no vendor manages them here."""

    list_display = ("title", "kind", "state", "starts_at", "time_zone", "reference", "created_by")
    list_filter = ("kind",)
    search_fields = ("title", "reference")
    list_select_related = ("state__request", "created_by")
