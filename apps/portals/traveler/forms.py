"""Intake form: shape only; the rules live in apps.requests.services.request_validate."""
import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.integrations.currency import supported_currencies
from apps.requests.models import (DIETARY, EVENT_DEFAULTS, INTERESTS, Accommodation, DateFlexibility, EventStyle,
                                  ExperienceType, Pace, Path)
from apps.requests.legs import MODES, leg_from_local
from apps.requests.services import IntakeData
from apps.vendors.models import OfferingKind, VendorType


LEGS = ("arrival", "departure")
LEG_MODES = [(mode, mode.capitalize()) for mode in MODES]


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
    ceremony = forms.BooleanField(label=_("A ceremony"), required=False, initial=True)
    reception = forms.BooleanField(label=_("A reception (dinner, party)"), required=False, initial=True)
    date_flexibility = forms.ChoiceField(label=_("How fixed is the date?"), choices=DateFlexibility.choices,
                                         initial=DateFlexibility.FIXED, required=False)
    style = forms.ChoiceField(label=_("Style"), choices=EventStyle.choices, initial=EventStyle.CLASSIC,
                              required=False)
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
                             initial=Path.EXPERT,
                             help_text=_("A local expert plans and books with you. On your own, you pick from the "
                                         "catalogue and our planner builds your days."))
    notes = forms.CharField(label=_("Anything else?"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("For your planner; vendors do not see it."))
    vendor_notes = forms.CharField(label=_("Notes for the vendors"), required=False, max_length=1000,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Shown to the vendors you book, e.g. an allergy or a late arrival."))

    arrival_at = forms.CharField(label=_("Arriving (local time there)"), required=False, max_length=20,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    arrival_place = forms.CharField(label=_("Arriving at (airport code or place)"), required=False, max_length=120,
                                    widget=forms.TextInput(attrs={"placeholder": "NRT"}))
    arrival_mode = forms.ChoiceField(label=_("Arriving by"), choices=LEG_MODES, initial="flight", required=False)
    arrival_reference = forms.CharField(label=_("Flight or train number"), required=False, max_length=40)
    departure_at = forms.CharField(label=_("Leaving (local time there)"), required=False, max_length=20,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    departure_place = forms.CharField(label=_("Leaving from (airport code or place)"), required=False,
                                      max_length=120, widget=forms.TextInput(attrs={"placeholder": "HND"}))
    departure_mode = forms.ChoiceField(label=_("Leaving by"), choices=LEG_MODES, initial="flight", required=False)
    departure_reference = forms.CharField(label=_("Flight or train number"), required=False, max_length=40)

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in sorted(supported_currencies())]
        self.fields["currency"].initial = currency

    def to_intake(self) -> IntakeData:
        return self._intake(self.cleaned_data)

    def partial_intake(self) -> tuple[IntakeData, set[str]]:
        """For live validation of an unfinished form: the intake with stand-ins for the
        fields not filled in or not well formed yet, and the names of the fields that were
        (only their errors are worth showing)."""
        self.is_valid()
        given = {name for name in self.cleaned_data if self.data.get(name) not in (None, "")}
        start = timezone.localdate() + dt.timedelta(days=30)
        data = {**PARTIAL_DEFAULTS, "destination": "", "start_date": start, "experience_type": "travel",
                "pace": "moderate", "accommodation": "mid-range", "path": "expert",
                "currency": self.fields["currency"].initial,
                **{name: self.cleaned_data[name] for name in given}}
        data.setdefault("end_date", max(data["start_date"], start))
        if "budget_max" not in given:
            data["budget_max"] = data["budget_min"]
        return self._intake(data), given

    @staticmethod
    def _intake(d: dict) -> IntakeData:
        return IntakeData(
            experience_type=d["experience_type"], destination=d["destination"], start_date=d["start_date"],
            end_date=d["end_date"], adults=d["adults"], children=d["children"], budget_min=d["budget_min"],
            budget_max=d["budget_max"], currency=d["currency"], interests=d["interests"], pace=d["pace"],
            accommodation=d["accommodation"], dietary_restrictions=d["dietary_restrictions"],
            accessibility=[a.strip() for a in d["accessibility"].split(",") if a.strip()], path=d["path"],
            notes=d["notes"], guest_count=d["guest_count"], vendor_notes=d["vendor_notes"],
            event={name: d[name] for name in EVENT_DEFAULTS if d.get(name) != ""},  # unanswered: the default
            **{leg: leg_from_local(d.get(f"{leg}_at"), d.get(f"{leg}_place"), d.get(f"{leg}_mode"),
                                   d.get(f"{leg}_reference")) for leg in LEGS},
        )


def form_field(service_field: str) -> str:
    """The form's name for a field a service reports (``arrival.at`` → ``arrival_at``)."""
    return service_field.replace(".", "_")


# Asked only for a wedding or an event (the wizard hides them for a trip).
EVENT_FIELDS = ("guest_count", *EVENT_DEFAULTS)
# The request wizard's steps: (title, fields). Without JavaScript every step shows at once.
WIZARD_STEPS = (
    (_("What and where"), ("experience_type", "destination", "start_date", "end_date")),
    (_("Who is coming"), ("adults", "children", *EVENT_FIELDS)),
    (_("Getting there (optional)"), tuple(f"{leg}_{part}" for leg in LEGS for part in ("at", "place", "mode",
                                                                                      "reference"))),
    (_("Budget and style"), ("budget_min", "budget_max", "currency", "pace", "accommodation")),
    (_("Preferences"), ("interests", "dietary_restrictions", "accessibility", "notes", "vendor_notes")),
    (_("How to plan"), ("path",)),
)
# Stand-ins for fields not filled in yet, so that live validation can check the rest.
PARTIAL_DEFAULTS = {"adults": 1, "children": 0, "budget_min": Decimal("0"), "budget_max": Decimal("0"),
                    "interests": [], "dietary_restrictions": [], "accessibility": "", "notes": "",
                    "guest_count": None, "vendor_notes": "", **EVENT_DEFAULTS,
                    **{f"{leg}_{part}": "" for leg in ("arrival", "departure") for part in ("at", "place", "mode",
                                                                                          "reference")}}


class RequirementsForm(forms.Form):
    """New dates, budget or interests for a request under way; shape only (the rules:
    ``request_validate``, through ``requirements_change``)."""

    start_date = forms.DateField(label=_("From"), widget=DateInput)
    end_date = forms.DateField(label=_("To"), widget=DateInput)
    budget_min = forms.DecimalField(label=_("Budget from"), max_digits=12, decimal_places=2, min_value=0)
    budget_max = forms.DecimalField(label=_("Budget up to"), max_digits=12, decimal_places=2, min_value=0)
    interests = forms.MultipleChoiceField(label=_("Interests"), required=False, widget=forms.CheckboxSelectMultiple,
                                          choices=RequestForm.base_fields["interests"].choices)

    @classmethod
    def of(cls, request, data=None) -> "RequirementsForm":
        return cls(data, initial={name: getattr(request, name) for name in cls.base_fields})

    @staticmethod
    def changes(cleaned_data: dict, request) -> dict:
        """The fields whose new value differs from the request's (the command takes only those)."""
        same = {name for name, value in cleaned_data.items() if (sorted(value) == sorted(getattr(request, name))
                                                                 if name == "interests" else
                                                                 value == getattr(request, name))}
        return {name: value for name, value in cleaned_data.items() if name not in same}


class ReviewForm(forms.Form):
    """The traveler's verdict on one recommended item (modify = another day/time and/or a note)."""

    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject")), ("modify", _("Modify"))])
    feedback = forms.CharField(label=_("What should change?"), required=False, max_length=1000)
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput)
    start_time = forms.TimeField(label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("day", "start_time") if self.cleaned_data.get(name)}


class ItemMoveForm(forms.Form):
    day = forms.DateField(label=_("New day"), widget=DateInput)
    time = forms.TimeField(label=_("New time"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class BrowseFilterForm(forms.Form):
    """Filters of the offering search (all optional)."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *OfferingKind.choices])
    vendor_type = forms.ChoiceField(label=_("Vendor"), required=False,
                                    choices=[("", _("Any vendor")), *VendorType.choices])
    date_from = forms.DateField(label=_("Free from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Free until"), required=False, widget=DateInput)
    price_max = forms.DecimalField(label=_("Max. price"), required=False, min_value=0, max_digits=12,
                                   decimal_places=2)
    min_rating = forms.DecimalField(label=_("Min. rating"), required=False, min_value=0, max_value=5,
                                    max_digits=3, decimal_places=1)
    interests = forms.MultipleChoiceField(label=_("Interests"), required=False, widget=forms.CheckboxSelectMultiple,
                                          choices=[(i, _(i.capitalize())) for i in INTERESTS])
    dietary = forms.MultipleChoiceField(label=_("Dietary needs"), required=False,
                                        widget=forms.CheckboxSelectMultiple,
                                        choices=[(d, _(d.capitalize())) for d in DIETARY])
