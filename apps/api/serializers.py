"""Input and output serializers. Input ones check shape only; services check the rules."""
from rest_framework import serializers

from apps.coordination.models import Event
from apps.requests.models import ExperienceRequest
from apps.requests.services import IntakeData


class _Dates(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class _Travelers(serializers.Serializer):
    adults = serializers.IntegerField()
    children = serializers.IntegerField(required=False, default=0)


class _Budget(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2)
    max = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3, min_length=3)


class _Preferences(serializers.Serializer):
    interests = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    pace = serializers.CharField(required=False, default="moderate")
    accommodation = serializers.CharField(required=False, default="mid-range")
    dietary_restrictions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    accessibility = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class IntakeInputSerializer(serializers.Serializer):
    experience_type = serializers.CharField(required=False, default="travel")
    title = serializers.CharField(required=False, default="", allow_blank=True)
    destination = serializers.CharField()
    dates = _Dates()
    travelers = _Travelers()
    budget = _Budget()
    preferences = _Preferences(required=False, default=dict)
    path = serializers.CharField(required=False, default="expert")
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    guest_count = serializers.IntegerField(required=False, allow_null=True, default=None)

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
        )


# Maps a service field name back to the intake body's path, so errors point at the input.
INTAKE_FIELD_PATHS = {
    "start_date": "dates.start", "end_date": "dates.end", "adults": "travelers.adults",
    "budget_min": "budget.min", "budget_max": "budget.max", "currency": "budget.currency",
    "interests": "preferences.interests", "pace": "preferences.pace", "accommodation": "preferences.accommodation",
    "dietary_restrictions": "preferences.dietary_restrictions",
}


class RequestOutputSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="coordination.phase", read_only=True)
    version = serializers.IntegerField(source="coordination.version", read_only=True)
    expert = serializers.SerializerMethodField()
    dates = serializers.SerializerMethodField()
    travelers = serializers.SerializerMethodField()
    budget = serializers.SerializerMethodField()
    preferences = serializers.SerializerMethodField()
    destination = serializers.SerializerMethodField()

    class Meta:
        model = ExperienceRequest
        fields = ["id", "experience_type", "title", "destination", "dates", "travelers", "budget", "preferences",
                  "path", "notes", "guest_count", "status", "version", "expert", "created_at"]

    def get_expert(self, obj) -> int | None:
        return obj.coordination.expert_id

    def get_dates(self, obj) -> dict:
        return {"start": obj.start_date.isoformat(), "end": obj.end_date.isoformat()}

    def get_travelers(self, obj) -> dict:
        return {"adults": obj.adults, "children": obj.children}

    def get_budget(self, obj) -> dict:
        return {"min": f"{obj.budget_min:.2f}", "max": f"{obj.budget_max:.2f}", "currency": obj.currency}

    def get_preferences(self, obj) -> dict:
        return {"interests": obj.interests, "pace": obj.pace, "accommodation": obj.accommodation,
                "dietary_restrictions": obj.dietary_restrictions, "accessibility": obj.accessibility}

    def get_destination(self, obj) -> dict:
        return {"name": obj.destination, "country": obj.country, "lat": obj.lat, "lon": obj.lon,
                "time_zone": obj.time_zone}


class EventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = Event
        fields = ["version", "type", "actor", "payload", "created_at"]
