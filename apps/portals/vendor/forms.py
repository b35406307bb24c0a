"""Vendor portal forms: shape only; the services check the rules."""
import datetime as dt
import uuid

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import VendorResponse
from apps.vendors.supplier import masked


class OptionsSelect(forms.Select):
    """A select whose options are HTML made once per page: the dashboard offers the same
    hundred free slots in every pending request's form, and Django's widget templates
    would render each option of each form again (most of the page's time)."""

    def __init__(self, options_html: str = ""):
        super().__init__()
        self.options_html = options_html

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           self.options_html)


def slot_options(choices) -> str:
    """``<option>``s for an :class:`OptionsSelect` from (value, label) pairs, an empty one first."""
    return format_html_join("", '<option value="{}">{}</option>', [("", "—"), *choices])


class RespondForm(forms.Form):
    """Accept / decline / propose. ``nonce`` is issued with the page, so a double submit is
    one answer (it becomes the response's dedupe key)."""

    action = forms.ChoiceField(choices=VendorResponse.Action.choices)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reference = forms.CharField(label=_("Your reference (if you accept)"), required=False, max_length=40)
    reason = forms.CharField(label=_("Reason (if you decline)"), required=False, max_length=500)
    slot = forms.IntegerField(label=_("Other slot"), required=False, widget=OptionsSelect)
    price = forms.DecimalField(label=_("Other price"), required=False, max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, slot_options: str = "", **kwargs):
        kwargs.setdefault("initial", {}).setdefault("nonce", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget.options_html = slot_options

    def to_payload(self) -> dict:
        data = self.cleaned_data
        return {"reference": data["reference"], "reason": data["reason"], "slot": data["slot"],
                "price": f"{data['price']}" if data["price"] is not None else None, "note": data["note"]}


class BulkSlotForm(forms.Form):
    """Every chosen weekday from ``first_date`` to ``last_date`` at each of ``times``."""

    offering = forms.TypedChoiceField(label=_("Offering"), coerce=int)
    first_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_date = forms.DateField(label=_("Through"), widget=forms.DateInput(attrs={"type": "date"}))
    times = forms.CharField(label=_("Start times"), help_text=_("Local times, comma separated, e.g. 09:00, 14:00"))
    capacity = forms.IntegerField(label=_("Seats per slot"), min_value=1)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        choices=[(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")),
                 (6, _("Sun"))], help_text=_("None ticked: every day"))

    def __init__(self, *args, offerings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [(o.pk, o.title) for o in offerings]

    def clean_times(self) -> list[dt.time]:
        try:
            return [dt.time.fromisoformat(part.strip()) for part in self.cleaned_data["times"].split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Write times as HH:MM, separated by commas.")) from None


class CapacityForm(forms.Form):
    capacity_total = forms.IntegerField(label=_("Seats"), min_value=0)


class SlotFilterForm(forms.Form):
    """The slot list's filters (GET, all optional): one offering, a range of the vendor's local dates."""

    offering = forms.TypedChoiceField(label=_("Offering"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Through"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, offerings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [("", _("All offerings")), *((o.pk, o.title) for o in offerings)]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("Pick a day on or after the first one."))
        return data


class InventoryForm(forms.Form):
    """Where the vendor's availability comes from, and its OCTO product per offering
    (``product_<offering id>``). The API key is write-only: blank keeps the current one."""

    source = forms.ChoiceField(label=_("Inventory source"), choices=[
        ("platform", _("Traveloure (I manage my slots here)")), ("octo", _("My booking system (OCTO API)"))])
    url = forms.URLField(label=_("OCTO API base URL"), required=False, max_length=200, assume_scheme="https")
    api_key = forms.CharField(label=_("OCTO API key"), required=False, max_length=255,
                              widget=forms.PasswordInput(render_value=False))
    supplier_id = forms.CharField(label=_("Supplier id"), required=False, max_length=64)

    def __init__(self, *args, vendor, offerings=(), **kwargs):
        kwargs.setdefault("initial", {}).update(source=vendor.inventory_adapter if vendor.inventory_adapter == "octo"
                                                else "platform", url=vendor.octo_url,
                                                supplier_id=vendor.octo_supplier_id)
        super().__init__(*args, **kwargs)
        if vendor.octo_api_key:
            self.fields["api_key"].help_text = _("Saved (%(key)s). Leave blank to keep it.") % {
                "key": escape(masked(vendor.octo_api_key))}
        for offering in offerings:
            self.fields[f"product_{offering.pk}"] = forms.CharField(
                label=offering.title, required=False, max_length=64, initial=offering.octo_product_id)

    def products(self) -> dict[int, str]:
        return {int(name.removeprefix("product_")): value for name, value in self.cleaned_data.items()
                if name.startswith("product_")}

    def product_fields(self):
        return [self[name] for name in self.fields if name.startswith("product_")]
