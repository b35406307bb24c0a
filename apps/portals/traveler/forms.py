"""Intake form: shape only; the rules live in apps.requests.services.request_validate."""
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.integrations.currency import supported_currencies
from apps.requests.models import DIETARY, INTERESTS, Accommodation, ExperienceType, Pace, Path
from apps.requests.services import IntakeData


class DateInput(forms.DateInput):
    input_type = "date"


class RequestForm(forms.Form):
    experience_type = forms.ChoiceField(label=_("What are you planning?"), choices=ExperienceType.choices)
    destination = forms.CharField(label=_("Destination"), max_length=120,
                                  help_text=_("A city or region, e.g. Tokyo, Lisbon or Tuscany."))
    start_date = forms.DateField(label=_("From"), widget=DateInput)
    end_date = forms.DateField(label=_("To"), widget=DateInput)
    adults = forms.IntegerField(label=_("Adults"), initial=2, min_value=0)
    children = forms.IntegerField(label=_("Children"), initial=0, min_value=0)
    guest_count = forms.IntegerField(label=_("Guests (weddings and events)"), required=False, min_value=1)
    budget_min = forms.DecimalField(label=_("Budget from"), max_digits=12, decimal_places=2, min_value=0)
    budget_max = forms.DecimalField(label=_("Budget up to"), max_digits=12, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"))
    interests = forms.MultipleChoiceField(label=_("Interests"), required=False, widget=forms.CheckboxSelectMultiple,
                                          choices=[(i, _(i.capitalize())) for i in INTERESTS])
    pace = forms.ChoiceField(label=_("Pace"), choices=Pace.choices, initial=Pace.MODERATE)
    accommodation = forms.ChoiceField(label=_("Accommodation"), choices=Accommodation.choices,
                                      initial=Accommodation.MID_RANGE)
    dietary_restrictions = forms.MultipleChoiceField(label=_("Dietary needs"), required=False,
                                                     widget=forms.CheckboxSelectMultiple,
                                                     choices=[(d, _(d.capitalize())) for d in DIETARY])
    accessibility = forms.CharField(label=_("Accessibility needs"), required=False,
                                    help_text=_("Comma-separated, e.g. wheelchair, step-free"))
    path = forms.ChoiceField(label=_("How do you want to plan?"), choices=Path.choices, widget=forms.RadioSelect,
                             initial=Path.EXPERT)
    notes = forms.CharField(label=_("Anything else?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in sorted(supported_currencies())]
        self.fields["currency"].initial = currency

    def to_intake(self) -> IntakeData:
        d = self.cleaned_data
        return IntakeData(
            experience_type=d["experience_type"], destination=d["destination"], start_date=d["start_date"],
            end_date=d["end_date"], adults=d["adults"], children=d["children"], budget_min=d["budget_min"],
            budget_max=d["budget_max"], currency=d["currency"], interests=d["interests"], pace=d["pace"],
            accommodation=d["accommodation"], dietary_restrictions=d["dietary_restrictions"],
            accessibility=[a.strip() for a in d["accessibility"].split(",") if a.strip()], path=d["path"],
            notes=d["notes"], guest_count=d["guest_count"],
        )
