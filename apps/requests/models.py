import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.models import TimeStamped


def date_span(start, end) -> str:
    """"16–19 Dec", "30 Dec – 2 Jan", "16 Dec" (the year only when it is not this year's)."""
    year = "" if end.year == dt.date.today().year else " Y"
    if start == end:
        return date_format(end, "j M" + year)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date_format(end, 'j M' + year)}"
    return f"{date_format(start, 'j M')} – {date_format(end, 'j M' + year)}"


class ExperienceType(models.TextChoices):
    TRAVEL = "travel", _("Travel")
    WEDDING = "wedding", _("Wedding")
    EVENT = "event", _("Event")


class Pace(models.TextChoices):
    RELAXED = "relaxed", _("Relaxed")
    MODERATE = "moderate", _("Moderate")
    PACKED = "packed", _("Packed")


class Accommodation(models.TextChoices):
    BUDGET = "budget", _("Budget")
    MID_RANGE = "mid-range", _("Mid-range")
    LUXURY = "luxury", _("Luxury")
    NONE = "none", _("Not needed")


class Path(models.TextChoices):
    EXPERT = "expert", _("With a local expert")
    BROWSE = "browse", _("Browse on my own")


INTERESTS = (
    "food", "culture", "history", "art", "nature", "photography", "nightlife",
    "shopping", "architecture", "wellness", "family", "adventure",
)
class DateFlexibility(models.TextChoices):
    FIXED = "fixed", _("Only this date")
    WEEK = "week", _("Within a week")
    MONTH = "month", _("Within a month")


class EventStyle(models.TextChoices):
    CLASSIC = "classic", _("Classic")
    RUSTIC = "rustic", _("Rustic")
    MODERN = "modern", _("Modern")
    BOHEMIAN = "bohemian", _("Bohemian")
    INTIMATE = "intimate", _("Intimate")


# What a wedding or event needs besides its guests (``ExperienceRequest.event``).
EVENT_DEFAULTS = {"ceremony": True, "reception": True, "date_flexibility": DateFlexibility.FIXED.value,
                  "style": EventStyle.CLASSIC.value}
DIETARY = ("vegetarian", "vegan", "gluten-free", "halal", "kosher", "dairy-free", "nut-free", "pescatarian")


class ExperienceRequest(TimeStamped):
    """What the traveler asked for. Its status is the coordination state's phase."""

    traveler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="experience_requests")
    experience_type = models.CharField(max_length=16, choices=ExperienceType.choices, default=ExperienceType.TRAVEL)
    title = models.CharField(max_length=200, blank=True)
    destination = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    lat = models.FloatField()
    lon = models.FloatField()
    time_zone = models.CharField(max_length=64)
    start_date = models.DateField()
    end_date = models.DateField()
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    budget_min = models.DecimalField(max_digits=12, decimal_places=2)
    budget_max = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    interests = models.JSONField(default=list, blank=True)
    pace = models.CharField(max_length=16, choices=Pace.choices, default=Pace.MODERATE)
    accommodation = models.CharField(max_length=16, choices=Accommodation.choices, default=Accommodation.MID_RANGE)
    dietary_restrictions = models.JSONField(default=list, blank=True)
    accessibility = models.JSONField(default=list, blank=True)
    path = models.CharField(max_length=16, choices=Path.choices, default=Path.EXPERT)
    notes = models.TextField(blank=True)
    guest_count = models.PositiveIntegerField(null=True, blank=True, help_text=_("Wedding/event guests"))
    event = models.JSONField(default=dict, blank=True,
                             help_text=_("Wedding/event: ceremony, reception, date flexibility, style"))
    vendor_notes = models.TextField(blank=True, help_text=_("Addressed to the vendors who serve the request"))
    arrival = models.JSONField(null=True, blank=True, help_text=_("How the traveler arrives (apps.requests.legs)"))
    departure = models.JSONField(null=True, blank=True, help_text=_("How the traveler leaves (apps.requests.legs)"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="request_dates_ordered"),
            models.CheckConstraint(condition=models.Q(budget_max__gte=models.F("budget_min")), name="request_budget_ordered"),
        ]

    def __str__(self):
        return self.title or self.headline

    @property
    def headline(self) -> str:
        """How a person names the request: "4 days in Tokyo, 16–19 Dec", "Wedding in Lisbon, 12 Jun"."""
        when = date_span(self.start_date, self.end_date)
        if self.experience_type == ExperienceType.TRAVEL:
            days = (self.end_date - self.start_date).days + 1
            return ngettext("%(n)d day in %(place)s, %(when)s", "%(n)d days in %(place)s, %(when)s", days) % {
                "n": days, "place": self.destination, "when": when}
        return _("%(kind)s in %(place)s, %(when)s") % {"kind": self.get_experience_type_display(),
                                                       "place": self.destination, "when": when}

    @property
    def event_view(self) -> dict:
        """The event details with their labels, for pages ({} for a trip)."""
        if self.experience_type == ExperienceType.TRAVEL or not self.event:
            return {}
        event = {**EVENT_DEFAULTS, **self.event}
        return {"ceremony": event["ceremony"], "reception": event["reception"],
                "date_flexibility": DateFlexibility(event["date_flexibility"]).label,
                "style": EventStyle(event["style"]).label}

    @property
    def party_size(self) -> int:
        return self.adults + self.children

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days


class TravelerProfile(models.Model):
    """What the platform learned about a traveler (by ``apps.insights``) and what the
    traveler overrode. ``overrides`` survives rebuilds; resetting clears it."""

    traveler = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                    related_name="travel_profile")
    trips_completed = models.PositiveIntegerField(default=0)
    bookings_kept = models.PositiveIntegerField(default=0, help_text=_("Confirmed or completed bookings"))
    reviews_given = models.PositiveIntegerField(default=0)
    rating_given_avg = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    morning_share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                                        help_text=_("Share of kept bookings starting before noon, local time"))
    interests = models.JSONField(default=dict, blank=True, help_text=_("Learned interest affinity, -1..1"))
    rejections = models.PositiveIntegerField(default=0)
    long_transfer_rejections = models.PositiveIntegerField(default=0)
    expert_affinity = models.JSONField(default=list, blank=True, help_text=_("Experts of completed trips rated 4+"))
    overrides = models.JSONField(default=dict, blank=True, help_text=_("The traveler's own corrections"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.traveler}"
