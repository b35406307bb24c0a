from django import forms
from django.contrib import admin
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .models import Offering, PriceRule, Slot, Vendor
from .supplier import masked


class VendorForm(forms.ModelForm):
    """The OCTO API key is write-only: shown masked, kept when left blank."""

    octo_api_key = forms.CharField(label=_("OCTO API key"), required=False, max_length=255,
                                   widget=forms.PasswordInput(render_value=False))
    octo_url = forms.URLField(label=_("OCTO API base URL"), required=False, assume_scheme="https")

    class Meta:
        model = Vendor
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.octo_api_key:
            self.fields["octo_api_key"].help_text = _("Saved (%(key)s). Leave blank to keep it.") % {
                "key": escape(masked(self.instance.octo_api_key))}

    def clean_octo_api_key(self):
        return self.cleaned_data["octo_api_key"] or self.instance.octo_api_key


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    fields = ("title", "kind", "duration_min", "base_price", "currency", "octo_product_id", "is_active")
    show_change_link = True


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    form = VendorForm
    list_display = ("name", "vendor_type", "city", "confirmation", "inventory_adapter", "min_notice_hours", "rating",
                    "is_active")
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
