from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStamped


class BookingPreference(models.TextChoices):
    HANDLE_ALL = "handle_all", _("Expert handles all bookings")
    ADVISE_ONLY = "advise_only", _("Expert advises, traveler books")


class Channel(models.TextChoices):
    CHAT = "chat", _("In-app chat")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")


class Expert(TimeStamped):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert")
    headline = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    specializations = models.JSONField(default=list, blank=True, help_text=_("Experience types and interests"))
    destinations = models.JSONField(default=list, blank=True, help_text=_("City names"))
    languages = models.JSONField(default=list, blank=True)
    capacity_max = models.PositiveSmallIntegerField(default=5)
    capacity_current = models.PositiveSmallIntegerField(default=0)
    rating = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    response_time_hours = models.PositiveIntegerField(default=24, help_text=_("Promised response time"))
    booking_preference = models.CharField(max_length=16, choices=BookingPreference.choices,
                                          default=BookingPreference.HANDLE_ALL)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.CHAT)
    time_zone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    unavailable_dates = models.JSONField(default=list, blank=True, help_text=_("ISO dates the expert is away"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_current__lte=models.F("capacity_max")),
                                   name="expert_capacity_within_max"),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.username

    @property
    def capacity_free(self) -> int:
        return self.capacity_max - self.capacity_current


class ConsultationSlot(models.Model):
    """A time the expert offers for a consultation; held by at most one request."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="consultation_slots")
    start = models.DateTimeField()
    end = models.DateTimeField()
    request = models.ForeignKey("requests.ExperienceRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="consultations")

    class Meta:
        ordering = ["start"]

    def __str__(self):
        return f"{self.expert} {self.start:%Y-%m-%d %H:%M}"


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to traveler")
    REVIEWED = "reviewed", _("Reviewed")
    SUPERSEDED = "superseded", _("Superseded")


class Recommendation(TimeStamped):
    """One version of the expert's living recommendation document for a request."""

    request = models.ForeignKey("requests.ExperienceRequest", on_delete=models.CASCADE, related_name="recommendations")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="recommendations")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "-version"]
        constraints = [models.UniqueConstraint(fields=["request", "version"], name="recommendation_version_unique")]

    def __str__(self):
        return f"Recommendation v{self.version} for {self.request}"


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    MODIFIED = "modified", _("Modified")


class RecommendationItem(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="items")
    day = models.DateField(null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True, help_text=_("Pinned local time, if any"))
    offering = models.ForeignKey("vendors.Offering", null=True, blank=True, on_delete=models.SET_NULL)
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=32, blank=True)
    reasoning = models.TextField(blank=True)
    tips = models.JSONField(default=list, blank=True)
    alternatives = models.JSONField(default=list, blank=True)
    pinned = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.PROPOSED)
    traveler_feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["day", "start_time", "id"]

    def __str__(self):
        return self.title


class ExpertMetrics(models.Model):
    """Platform performance of one expert, computed by ``apps.insights`` from the event log,
    bookings and reviews (never edited by hand; ``rebuild_insights`` recomputes it)."""

    expert = models.OneToOneField(Expert, on_delete=models.CASCADE, primary_key=True, related_name="metrics")
    reviews = models.PositiveIntegerField(default=0)
    satisfaction = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True,
                                       help_text=_("Mean review rating, 1-5"))
    bookings_decided = models.PositiveIntegerField(default=0)
    bookings_succeeded = models.PositiveIntegerField(default=0)
    booking_success = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                                          help_text=_("Confirmed or completed / decided bookings, 0-1"))
    responses = models.PositiveIntegerField(default=0)
    response_avg_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    response_p95_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    specialties = models.JSONField(default=dict, blank=True,
                                   help_text=_("Destinations, experience types and interests of well-rated trips"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expert metrics")
        verbose_name_plural = _("expert metrics")

    def __str__(self):
        return f"Metrics of {self.expert}"
