"""Input and output serializers. Input ones check shape only; services check the rules.

Input fields carry their column's bounds (SQLite enforces neither lengths nor integer
ranges, and a number past 64 bits overflows the driver): ids are :class:`IdField`, counts
:func:`column_range`, texts ``max_length`` of their column."""
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from rest_framework import serializers

from apps.coordination.access import VENDOR_REQUEST_FIELDS
from apps.coordination.models import Event, ShortlistEntry
from apps.core.ids import MAX_ID, IdConverter
from apps.experts.models import RecommendationItem
from apps.requests.models import DateFlexibility, EventStyle, ExperienceRequest
from apps.requests.services import IntakeData

# Router lookups and ids in action paths: ASCII digits, so "abc" or "²" is a 404, not a ValueError.
ID_PATTERN = IdConverter.regex


class IdField(serializers.IntegerField):
    """A row id in a body: 1 … 2**63-1."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


def column_range(model, name: str) -> dict:
    """``min_value``/``max_value`` of an integer column, for an IntegerField."""
    low, high = BaseDatabaseOperations.integer_field_ranges[model._meta.get_field(name).get_internal_type()]
    return {"min_value": low, "max_value": high}


def column_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _Dates(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class _Travelers(serializers.Serializer):
    adults = serializers.IntegerField(**column_range(ExperienceRequest, "adults"))
    children = serializers.IntegerField(required=False, default=0, **column_range(ExperienceRequest, "children"))


class _Budget(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2)
    max = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3, min_length=3)


class _Preferences(serializers.Serializer):
    interests = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    pace = serializers.CharField(required=False, default="moderate", max_length=column_length(ExperienceRequest, "pace"))
    accommodation = serializers.CharField(required=False, default="mid-range",
                                          max_length=column_length(ExperienceRequest, "accommodation"))
    dietary_restrictions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    accessibility = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class _Event(serializers.Serializer):
    """What a wedding or event needs besides its guests (all optional; ignored for a trip)."""

    ceremony = serializers.BooleanField(required=False)
    reception = serializers.BooleanField(required=False)
    date_flexibility = serializers.ChoiceField(choices=DateFlexibility.choices, required=False)
    style = serializers.ChoiceField(choices=EventStyle.choices, required=False)


class LegInput(serializers.Serializer):
    """Shape only: ``apps.requests.legs`` checks the time, mode and place (all at once)."""

    at = serializers.CharField(max_length=40)
    mode = serializers.CharField(max_length=16, required=False, default="other")
    place = serializers.CharField(max_length=120)
    reference = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


class TravelInput(serializers.Serializer):
    """``POST requests/<id>/travel/``: a key left out stays as it is; null clears it."""

    arrival = LegInput(required=False, allow_null=True)
    departure = LegInput(required=False, allow_null=True)

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(_("Give an arrival, a departure or both."))
        return data

    def to_legs(self) -> dict:
        return {name: dict(leg) if leg else None for name, leg in self.validated_data.items()}


class SuggestionInput(serializers.Serializer):
    suggestion = serializers.CharField(max_length=64)


class IntakeInputSerializer(serializers.Serializer):
    experience_type = serializers.CharField(required=False, default="travel",
                                            max_length=column_length(ExperienceRequest, "experience_type"))
    title = serializers.CharField(required=False, default="", allow_blank=True,
                                  max_length=column_length(ExperienceRequest, "title"))
    destination = serializers.CharField(max_length=column_length(ExperienceRequest, "destination"))
    dates = _Dates()
    travelers = _Travelers()
    budget = _Budget()
    preferences = _Preferences(required=False, default=dict)
    path = serializers.CharField(required=False, default="expert", max_length=column_length(ExperienceRequest, "path"))
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    guest_count = serializers.IntegerField(required=False, allow_null=True, default=None,
                                           **column_range(ExperienceRequest, "guest_count"))
    event = _Event(required=False, default=dict)
    vendor_notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)
    arrival = LegInput(required=False, allow_null=True, default=None)
    departure = LegInput(required=False, allow_null=True, default=None)

    def to_intake(self) -> IntakeData:
        d = self.validated_data
        prefs = {"interests": [], "pace": "moderate", "accommodation": "mid-range", "dietary_restrictions": [],
                 "accessibility": [], **d.get("preferences", {})}
        return IntakeData(
            experience_type=d["experience_type"], title=d["title"], destination=d["destination"],
            start_date=d["dates"]["start"], end_date=d["dates"]["end"], adults=d["travelers"]["adults"],
            children=d["travelers"].get("children", 0), budget_min=d["budget"]["min"], budget_max=d["budget"]["max"],
            currency=d["budget"]["currency"].upper(), interests=prefs["interests"], pace=prefs["pace"],
            accommodation=prefs["accommodation"], dietary_restrictions=prefs["dietary_restrictions"],
            accessibility=prefs["accessibility"], path=d["path"], notes=d["notes"], guest_count=d["guest_count"],
            event=dict(d["event"]), vendor_notes=d["vendor_notes"],
            arrival=dict(d["arrival"]) if d["arrival"] else None,
            departure=dict(d["departure"]) if d["departure"] else None,
        )


# Maps a service field name back to the intake body's path, so errors point at the input.
INTAKE_FIELD_PATHS = {
    "start_date": "dates.start", "end_date": "dates.end", "adults": "travelers.adults",
    "budget_min": "budget.min", "budget_max": "budget.max", "currency": "budget.currency",
    "interests": "preferences.interests", "pace": "preferences.pace", "accommodation": "preferences.accommodation",
    "dietary_restrictions": "preferences.dietary_restrictions",
}


class _RequestFacts(serializers.ModelSerializer):
    """The shapes of a request's dates, party and destination, shared by both views of it."""

    dates = serializers.SerializerMethodField()
    travelers = serializers.SerializerMethodField()
    destination = serializers.SerializerMethodField()

    def get_dates(self, obj) -> dict:
        return {"start": obj.start_date.isoformat(), "end": obj.end_date.isoformat()}

    def get_travelers(self, obj) -> dict:
        return {"adults": obj.adults, "children": obj.children}

    def get_destination(self, obj) -> dict:
        return {"name": obj.destination, "country": obj.country, "lat": obj.lat, "lon": obj.lon,
                "time_zone": obj.time_zone}


class VendorRequestOutput(_RequestFacts):
    """A request as a vendor serving one of its bookings sees it: ``access.VENDOR_REQUEST_FIELDS``
    (the traveler's name, party, dates, destination); never budget, preferences or notes."""

    traveler = serializers.CharField(source="traveler.display_name", read_only=True)

    class Meta:
        model = ExperienceRequest
        fields = list(VENDOR_REQUEST_FIELDS)


class RequestOutputSerializer(_RequestFacts):
    status = serializers.CharField(source="coordination.phase", read_only=True)
    version = serializers.IntegerField(source="coordination.version", read_only=True)
    expert = serializers.SerializerMethodField()
    queued_for_expert = serializers.BooleanField(source="coordination.queued_for_expert", read_only=True)
    # No expert was free: the traveler is offered the browse path meanwhile.
    browse_offered = serializers.BooleanField(source="coordination.queued_for_expert", read_only=True)
    budget = serializers.SerializerMethodField()
    preferences = serializers.SerializerMethodField()

    class Meta:
        model = ExperienceRequest
        fields = ["id", "experience_type", "title", "destination", "dates", "travelers", "budget", "preferences",
                  "path", "notes", "guest_count", "event", "vendor_notes", "arrival", "departure", "status", "version",
                  "expert", "queued_for_expert", "browse_offered", "created_at"]

    def get_expert(self, obj) -> int | None:
        return obj.coordination.expert_id

    def get_budget(self, obj) -> dict:
        return {"min": f"{obj.budget_min:.2f}", "max": f"{obj.budget_max:.2f}", "currency": obj.currency}

    def get_preferences(self, obj) -> dict:
        return {"interests": obj.interests, "pace": obj.pace, "accommodation": obj.accommodation,
                "dietary_restrictions": obj.dietary_restrictions, "accessibility": obj.accessibility}


class EventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = Event
        fields = ["version", "type", "actor", "payload", "created_at"]


# --- the coordination flow -----------------------------------------------------------

class MatchOutputSerializer(serializers.Serializer):
    expert = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class _LocalTimes(serializers.Serializer):
    time_zone = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()


class ConsultationSlotOutput(serializers.Serializer):
    """A free consultation slot: UTC times and the same in the traveler's and the expert's zones."""

    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    traveler = _LocalTimes()
    expert = _LocalTimes()


class ExpertChoiceInput(serializers.Serializer):
    expert = IdField()


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class SlotChoiceInput(serializers.Serializer):
    slot = IdField()


class RecommendationItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=column_length(RecommendationItem, "title"))
    offering = IdField(required=False, allow_null=True, default=None)
    day = serializers.DateField(required=False, allow_null=True, default=None)
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    category = serializers.CharField(required=False, default="", allow_blank=True, max_length=32)
    reasoning = serializers.CharField(required=False, default="", allow_blank=True)
    tips = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    alternatives = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    pinned = serializers.BooleanField(required=False, default=False)



class RecommendationInput(serializers.Serializer):
    summary = serializers.CharField(required=False, default="", allow_blank=True)
    items = RecommendationItemInput(many=True)

    def to_items(self) -> list[dict]:
        return [{**{k: v for k, v in item.items() if k != "offering"}, "offering_id": item["offering"]}
                for item in self.validated_data["items"]]


class _ItemChanges(serializers.Serializer):
    day = serializers.DateField(required=False)
    start_time = serializers.TimeField(required=False)


class ItemReviewInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject", "modify"])
    feedback = serializers.CharField(required=False, default="", allow_blank=True)
    changes = _ItemChanges(required=False, default=dict)


class RecommendationItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    offering = serializers.IntegerField(source="offering_id", allow_null=True)
    day = serializers.DateField(allow_null=True)
    start_time = serializers.TimeField(allow_null=True)
    category = serializers.CharField()
    reasoning = serializers.CharField()
    tips = serializers.ListField(child=serializers.CharField())
    alternatives = serializers.ListField(child=serializers.CharField())
    pinned = serializers.BooleanField()
    status = serializers.CharField()
    traveler_feedback = serializers.CharField()


class RecommendationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    summary = serializers.CharField()
    expert = serializers.IntegerField(source="expert_id")
    items = RecommendationItemOutput(many=True)


class GenerateInput(serializers.Serializer):
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)


class ItemModifyInput(serializers.Serializer):
    day = serializers.DateField()
    time = serializers.TimeField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class DraftEntryInput(serializers.Serializer):
    """What goes into the expert's draft (add, replace): an offering or a place."""

    offering = serializers.IntegerField(required=False, allow_null=True, default=None)
    place = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if (data["offering"] is None) == (data["place"] is None):
            raise serializers.ValidationError({"offering": "Give either an offering or a place."})
        return data


class DraftAddInput(DraftEntryInput):
    day = serializers.DateField()
    time = serializers.TimeField()


class DraftMoveInput(serializers.Serializer):
    day = serializers.DateField()
    time = serializers.TimeField()


class DraftPinInput(serializers.Serializer):
    pinned = serializers.BooleanField(required=False, default=True)


class DraftNoteInput(serializers.Serializer):
    tips = serializers.ListField(child=serializers.CharField(max_length=500, allow_blank=True), max_length=20)


class PlanItemInput(serializers.Serializer):
    offering = IdField()
    slot = IdField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=255)


class OfferingSearchInput(serializers.Serializer):
    """Query parameters of the browse search; the city and dates default to the request's."""

    kind = serializers.CharField(required=False, default="")
    vendor_type = serializers.CharField(required=False, default="")
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                         default=None)
    min_rating = serializers.DecimalField(max_digits=3, decimal_places=2, required=False, allow_null=True,
                                          default=None)
    interests = serializers.CharField(required=False, default="", help_text="Comma-separated")
    dietary = serializers.CharField(required=False, default="", help_text="Comma-separated")


class OfferingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    vendor = serializers.IntegerField(source="vendor_id")
    vendor_name = serializers.CharField(source="vendor.name")
    vendor_type = serializers.CharField(source="vendor.vendor_type")
    interests = serializers.ListField(child=serializers.CharField())
    dietary = serializers.ListField(child=serializers.CharField())
    rating = serializers.DecimalField(max_digits=3, decimal_places=2)
    price = serializers.SerializerMethodField()

    def get_price(self, obj) -> dict:
        return {"amount": f"{obj.base_price:.2f}", "currency": obj.currency, "unit": obj.price_unit}


class _BudgetRange(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2)
    max = serializers.DecimalField(max_digits=12, decimal_places=2)


class RequirementsInput(serializers.Serializer):
    """Any of the intake's dates, interests and budget (same shape as the intake)."""

    dates = _Dates(required=False)
    interests = serializers.ListField(child=serializers.CharField(), required=False)
    budget = _BudgetRange(required=False)

    def to_changes(self) -> dict:
        d = self.validated_data
        changes = {}
        if "dates" in d:
            changes.update(start_date=d["dates"]["start"], end_date=d["dates"]["end"])
        if "interests" in d:
            changes["interests"] = d["interests"]
        if "budget" in d:
            changes.update(budget_min=d["budget"]["min"], budget_max=d["budget"]["max"])
        return changes


class ShortlistInput(serializers.Serializer):
    offering = IdField()
    category = serializers.CharField(max_length=column_length(ShortlistEntry, "category"))
    slot = IdField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=255)


class PriceOfferInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=255)


class SettleInput(serializers.Serializer):
    deposit_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=30,
                                               min_value=0, max_value=100)
    balance_due_days = serializers.IntegerField(required=False, default=30, min_value=0, max_value=3650)


class PriceOfferOutput(serializers.Serializer):
    party = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ShortlistOutput(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    offering = serializers.IntegerField(source="offering_id")
    slot = serializers.IntegerField(source="slot_id", allow_null=True)
    status = serializers.CharField()
    agreed_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    offers = PriceOfferOutput(many=True)
