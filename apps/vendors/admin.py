from django.contrib import admin

from .models import Offering, PriceRule, Slot, Vendor


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    fields = ("title", "kind", "duration_min", "base_price", "currency", "is_active")
    show_change_link = True


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor_type", "city", "confirmation", "min_notice_hours", "rating", "is_active")
    list_filter = ("vendor_type", "confirmation", "city", "is_active")
    search_fields = ("name", "city", "code")
    inlines = [OfferingInline]
    raw_id_fields = ("user",)


class PriceRuleInline(admin.TabularInline):
    model = PriceRule
    extra = 0
    show_change_link = True


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ("title", "vendor", "kind", "base_price", "currency", "indoor", "is_active")
    list_filter = ("kind", "indoor", "vendor__vendor_type", "vendor__city")
    search_fields = ("title", "vendor__name")
    list_select_related = ("vendor",)
    inlines = [PriceRuleInline]
    raw_id_fields = ("vendor",)


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("offering", "start", "end", "capacity_available", "capacity_total", "price", "currency", "is_stale")
    list_filter = ("offering__vendor__city", "is_stale")
    search_fields = ("offering__title", "offering__vendor__name")
    date_hierarchy = "start"
    list_select_related = ("offering__vendor",)
    readonly_fields = ("capacity_available",)
    raw_id_fields = ("offering",)


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "offering", "kind", "threshold", "months", "percent")
    list_filter = ("kind", "offering__vendor__city")
    search_fields = ("label", "offering__title", "offering__vendor__name")
    list_select_related = ("offering__vendor",)
    raw_id_fields = ("offering",)
