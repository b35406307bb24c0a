"""Experts, their consultation slots and recommendations. Recommendations are versions the
traveler saw (written by the coordination engine): view-only here."""
from django.contrib import admin

from apps.core.admin import ImmutableInline, ImmutableMixin

from .models import ConsultationSlot, Expert, Recommendation, RecommendationItem


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("__str__", "headline", "rating", "capacity_current", "capacity_max", "booking_preference",
                    "channel", "is_active")
    list_filter = ("booking_preference", "channel", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "headline")
    list_select_related = ("user",)
    readonly_fields = ("capacity_current",)
    raw_id_fields = ("user",)


@admin.register(ConsultationSlot)
class ConsultationSlotAdmin(admin.ModelAdmin):
    list_display = ("expert", "start", "end", "request")
    list_filter = ("expert",)
    list_select_related = ("expert__user", "request")
    readonly_fields = ("request",)  # held and released by the engine


class RecommendationItemInline(ImmutableInline):
    model = RecommendationItem
    fields = ("day", "start_time", "title", "offering", "pinned", "status")
    show_change_link = True


@admin.register(Recommendation)
class RecommendationAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("__str__", "expert", "version", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("request__destination", "expert__user__username")
    list_select_related = ("request", "expert__user")
    inlines = [RecommendationItemInline]


@admin.register(RecommendationItem)
class RecommendationItemAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("title", "recommendation", "day", "start_time", "category", "pinned", "status")
    list_filter = ("status", "pinned", "category")
    search_fields = ("title", "recommendation__request__destination")
    list_select_related = ("recommendation__request",)
