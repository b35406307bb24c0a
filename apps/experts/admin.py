from django.contrib import admin

from .models import ConsultationSlot, Expert, Recommendation, RecommendationItem


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("__str__", "headline", "rating", "capacity_current", "capacity_max", "booking_preference",
                    "channel", "is_active")
    list_filter = ("booking_preference", "channel", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "headline")
    readonly_fields = ("capacity_current",)
    raw_id_fields = ("user",)


@admin.register(ConsultationSlot)
class ConsultationSlotAdmin(admin.ModelAdmin):
    list_display = ("expert", "start", "end", "request")
    list_filter = ("expert",)
    raw_id_fields = ("request",)


class RecommendationItemInline(admin.TabularInline):
    model = RecommendationItem
    extra = 0
    fields = ("day", "start_time", "title", "offering", "pinned", "status")
    readonly_fields = ("status",)
    raw_id_fields = ("offering",)


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "expert", "version", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("status", "version")
    inlines = [RecommendationItemInline]
    raw_id_fields = ("request", "expert")
