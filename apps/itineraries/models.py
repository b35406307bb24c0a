from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStamped


class Place(models.Model):
    """A platform point of interest (free sights, landmarks, restaurants without a vendor)."""

    city = models.CharField(max_length=120, db_index=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=64)
    lat = models.FloatField()
    lon = models.FloatField()
    indoor = models.BooleanField(default=False)
    typical_visit_min = models.PositiveIntegerField(default=60)
    opening_hours = models.CharField(max_length=255, blank=True, help_text=_("OpenStreetMap syntax; blank = unknown"))
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    interests = models.JSONField(default=list, blank=True)
    dietary = models.JSONField(default=list, blank=True)
    cuisine = models.CharField(max_length=40, blank=True, help_text=_("A restaurant's cuisine (\"soba\", \"tuscan\")"))
    wheelchair = models.CharField(max_length=8, default="unknown")
    description = models.TextField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["city", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="place_unique_per_city")]

    def __str__(self):
        return f"{self.name} ({self.city})"


class ItineraryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class Itinerary(TimeStamped):
    """One version of a request's day-by-day plan. Versions are never edited once proposed."""

    request = models.ForeignKey("requests.ExperienceRequest", on_delete=models.CASCADE, related_name="itineraries")
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=ItineraryState.choices, default=ItineraryState.DRAFT)
    author_role = models.CharField(max_length=16, default="platform")
    time_zone = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    left_out = models.JSONField(default=list, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    data_notes = models.JSONField(default=list, blank=True,
                                  help_text=_("Data the planner did without (a provider down, no forecast)"))
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = _("itineraries")
        ordering = ["request", "-version"]
        constraints = [models.UniqueConstraint(fields=["request", "version"], name="itinerary_version_unique")]

    def __str__(self):
        return f"Itinerary v{self.version} for {self.request}"


class Day(models.Model):
    itinerary = models.ForeignKey(Itinerary, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    weather = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    route = models.JSONField(default=list, blank=True, help_text=_("Street path through the day's stops, [lat, lon]"))

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["itinerary", "date"], name="day_unique_per_itinerary")]

    def __str__(self):
        return f"{self.date}"


class ItemKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    MEAL = "meal", _("Meal")
    TRANSFER = "transfer", _("Transfer")
    STAY = "stay", _("Stay")


class Item(models.Model):
    """One entry of a day. Times are stored in UTC and shown in the itinerary's time zone."""

    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=ItemKind.choices, default=ItemKind.ACTIVITY)
    title = models.CharField(max_length=200)
    start = models.DateTimeField()
    end = models.DateTimeField()
    offering = models.ForeignKey("vendors.Offering", null=True, blank=True, on_delete=models.SET_NULL)
    slot = models.ForeignKey("vendors.Slot", null=True, blank=True, on_delete=models.SET_NULL)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL)
    place_name = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    travel_from_previous_min = models.PositiveIntegerField(default=0)
    reasoning = models.TextField(blank=True)
    tips = models.JSONField(default=list, blank=True)
    requirements = models.JSONField(default=list, blank=True, help_text=_("What to bring / prepare"))
    pinned = models.BooleanField(default=False)
    offer = models.JSONField(null=True, blank=True, help_text=_(
        "A stay from the hotel provider: its offer (price, cancellation terms, expiry) to book at its source"))

    class Meta:
        ordering = ["day__date", "start", "position"]

    def __str__(self):
        return self.title


# --- Outputs (apps.exports): export jobs, calendar subscriptions, share links ---


class ExportKind(models.TextChoices):
    PDF = "pdf", _("PDF itinerary")
    ZIP = "zip", _("Confirmation package")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(TimeStamped):
    """One rendered output of one itinerary version; re-rendered only when its content
    fingerprint (bookings, expert) changed. Written by ``apps.exports.jobs``."""

    itinerary = models.ForeignKey(Itinerary, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(max_length=8, choices=ExportKind.choices)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, help_text=_("Hash of what the file shows"))
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["itinerary", "kind"], name="export_job_once_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.itinerary} ({self.status} {self.progress}%)"


class TokenLink(models.Model):
    """A capability URL: ``<pk>.<secret>``; the secret is compared in constant time."""

    request = models.ForeignKey("requests.ExperienceRequest", on_delete=models.CASCADE, related_name="+")
    secret = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def token(self) -> str:
        return f"{self.pk}.{self.secret}"


class CalendarSubscription(TokenLink):
    """A private webcal feed of the request's current itinerary."""

    def __str__(self):
        return f"Calendar feed #{self.pk} of {self.request_id}"


class ShareLink(TokenLink):
    """A read-only, optionally expiring live view of the request's current itinerary."""

    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Share link #{self.pk} of {self.request_id}"
