"""Staff inspect and repair through the engine: status fields are read-only here."""
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render

from apps.core.errors import DomainError

from .models import (Booking, CoordinationState, Event, Message, Notification, OutboxMessage, PaymentInstallment,
                     Review, Thread, VendorResponse)
from .phases import Phase
from .services.lifecycle import state_transition


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("version", "type", "actor", "payload", "created_at")
    readonly_fields = fields
    ordering = ("-version",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(choices=Phase.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(CoordinationState)
class CoordinationStateAdmin(admin.ModelAdmin):
    list_display = ("id", "request", "phase", "version", "expert", "queued_for_expert", "updated_at")
    list_filter = ("phase", "queued_for_expert", "request__experience_type")
    search_fields = ("request__destination", "request__traveler__username")
    readonly_fields = ("request", "phase", "version", "expert", "expert_accepted_at", "current_itinerary",
                       "queued_for_expert", "created_at", "updated_at")
    inlines = [EventInline]
    actions = ["change_phase"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Change phase (through the engine)")
    def change_phase(self, request, queryset):
        form = PhaseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for state in queryset:
                try:
                    state_transition(state_id=state.pk, actor=request.user, phase=form.cleaned_data["phase"],
                                     reason=form.cleaned_data["reason"])
                    self.message_user(request, f"State #{state.pk}: moved to {form.cleaned_data['phase']}.")
                except DomainError as exc:
                    self.message_user(request, f"State #{state.pk}: {exc.message}", level=messages.ERROR)
            return redirect(request.get_full_path())
        return render(request, "admin/coordination/change_phase.html",
                      {"form": form, "states": queryset, "title": "Change phase", **self.admin_site.each_context(request)})


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("state", "version", "type", "actor", "created_at")
    list_filter = ("type",)
    search_fields = ("type",)
    readonly_fields = ("state", "version", "type", "actor", "payload", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "group", "event", "delivered_at", "attempts")
    list_filter = ("delivered_at",)
    readonly_fields = ("event", "group", "user", "payload", "created_at", "delivered_at", "attempts", "last_error")

    def has_add_permission(self, request):
        return False


class InstallmentInline(admin.TabularInline):
    model = PaymentInstallment
    extra = 0
    readonly_fields = ("paid_at", "reminded_at")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("id", "offering", "vendor", "quantity", "status", "handled_by", "deadline", "reference", "price",
                    "currency")
    list_filter = ("status", "handled_by", "vendor__vendor_type")
    search_fields = ("reference", "offering__title", "vendor__name")
    readonly_fields = ("state", "vendor", "offering", "slot", "item", "quantity", "status", "requested_by", "deadline",
                       "reference", "confirmed_by", "confirmed_at", "price", "discount", "currency", "refund_amount",
                       "decline_reason", "proposal", "needs_manual_confirmation", "arrived_at")
    inlines = [InstallmentInline]

    def has_add_permission(self, request):
        return False


@admin.register(VendorResponse)
class VendorResponseAdmin(admin.ModelAdmin):
    list_display = ("booking", "channel", "action", "created_at")
    list_filter = ("channel", "action")
    readonly_fields = ("booking", "channel", "action", "dedupe_key", "payload", "created_at")


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    readonly_fields = ("author", "body", "created_at")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("subject", "state", "booking", "created_at")
    inlines = [MessageInline]
    raw_id_fields = ("state", "booking")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "channel", "created_at", "sent_at", "read_at")
    list_filter = ("channel",)
    search_fields = ("user__username", "title")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("state", "author", "target", "expert", "vendor", "rating", "created_at")
    list_filter = ("target", "rating")
