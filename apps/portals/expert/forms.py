"""Expert portal forms: shape only; the rules live in the engine's services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.vendors.models import Offering

CATEGORIES = [("activity", _("Activity")), ("restaurant", _("Restaurant")), ("stay", _("Stay")),
              ("transfer", _("Transfer")), ("tip", _("Tip")), ("venue", _("Venue")), ("vendor", _("Vendor"))]


class Lines(forms.CharField):
    """A textarea whose non-empty lines become a list."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


class RecommendationItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    offering = forms.ModelChoiceField(label=_("Vendor offering"), required=False, queryset=Offering.objects.none(),
                                      help_text=_("Leave empty for a free sight, a walk or a tip."))
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORIES, initial="activity")
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    pinned = forms.BooleanField(label=_("Keep at this time"), required=False)
    reasoning = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tips = Lines(label=_("Tips (one per line)"), required=False)
    alternatives = Lines(label=_("Alternatives (one per line)"), required=False)

    def __init__(self, *args, offerings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = offerings if offerings is not None else Offering.objects.none()

    def to_item(self) -> dict:
        d = self.cleaned_data
        return {"title": d["title"], "offering_id": d["offering"].pk if d["offering"] else None,
                "category": d["category"], "day": d["day"], "start_time": d["start_time"], "pinned": d["pinned"],
                "reasoning": d["reasoning"], "tips": d["tips"], "alternatives": d["alternatives"]}


RecommendationItemFormSet = forms.formset_factory(RecommendationItemForm, extra=2, can_delete=True)


class RecommendationForm(forms.Form):
    summary = forms.CharField(label=_("Summary for the traveler"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DraftMoveForm(forms.Form):
    day = forms.DateField(label=_("Day"))
    time = forms.TimeField(label=_("Time"))


class DraftEntryForm(forms.Form):
    """An offering or a place from the search or the alternatives: ``offering:12``, ``place:3``."""

    entry = forms.RegexField(label=_("What"), regex=r"^(offering|place):[0-9]{1,18}$")

    def ids(self) -> dict:
        kind, pk = self.cleaned_data["entry"].split(":")
        return {"offering_id": int(pk) if kind == "offering" else None,
                "place_id": int(pk) if kind == "place" else None}


class DraftAddForm(DraftEntryForm, DraftMoveForm):
    pass


class DraftPinForm(forms.Form):
    pinned = forms.BooleanField(required=False)


class DraftNoteForm(forms.Form):
    tips = Lines(label=_("Tips for the traveler (one per line)"), required=False)
