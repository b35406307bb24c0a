"""What the platform learned: expert metrics, vendor reliability, traveler profiles and
destination patterns. All of it is computed from the event log, bookings and reviews, so
it is view-only here; "Recompute" rebuilds the selected rows with the same code as
``rebuild_insights`` (the models live in their domain apps, the computation here)."""
from django.contrib import admin

from apps.core.admin import ImmutableMixin, LinkKeyMixin, recompute_action
from apps.experts.models import ExpertMetrics
from apps.requests.models import TravelerProfile
from apps.vendors.models import VendorMetrics

from .metrics import experts_refresh, travelers_refresh, vendors_refresh
from .models import ItineraryPattern, SeasonalTrend
from .patterns import patterns_refresh


@admin.register(ExpertMetrics)
class ExpertMetricsAdmin(LinkKeyMixin, ImmutableMixin, admin.ModelAdmin):
    list_display = ("expert", "reviews", "satisfaction", "bookings_decided", "booking_success", "responses",
                    "response_avg_hours", "response_p95_hours", "updated_at")
    search_fields = ("expert__user__username", "expert__user__first_name", "expert__user__last_name")
    list_select_related = ("expert__user",)
    actions = [recompute_action(experts_refresh, "expert_id")]


@admin.register(VendorMetrics)
class VendorMetricsAdmin(LinkKeyMixin, ImmutableMixin, admin.ModelAdmin):
    list_display = ("vendor", "bookings", "confirmed", "declined", "expired", "cancelled", "confirm_avg_hours",
                    "quality", "price_ratio", "reliability", "updated_at")
    list_filter = ("vendor__vendor_type", "vendor__city")
    search_fields = ("vendor__name", "vendor__code")
    list_select_related = ("vendor",)
    actions = [recompute_action(vendors_refresh, "vendor_id")]


@admin.register(TravelerProfile)
class TravelerProfileAdmin(LinkKeyMixin, ImmutableMixin, admin.ModelAdmin):
    """``overrides`` are the traveler's own corrections: only they change or reset them."""

    list_display = ("traveler", "trips_completed", "bookings_kept", "reviews_given", "rating_given_avg",
                    "morning_share", "rejections", "long_transfer_rejections", "updated_at")
    search_fields = ("traveler__username", "traveler__email")
    list_select_related = ("traveler",)
    actions = [recompute_action(travelers_refresh, "traveler_id")]


@admin.register(ItineraryPattern)
class ItineraryPatternAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("destination", "length_days", "trips", "ratings", "rating_avg", "titles")
    list_filter = ("destination", "length_days")
    search_fields = ("destination", "signature")
    actions = [recompute_action(patterns_refresh, "destination")]


@admin.register(SeasonalTrend)
class SeasonalTrendAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("destination", "month", "requests", "holidays", "crowd_level", "price_multiplier")
    list_filter = ("destination", "month")
    search_fields = ("destination",)
    actions = [recompute_action(patterns_refresh, "destination")]
