"""Historical patterns learned from past trips. The per-person metrics live in their
domain apps (``ExpertMetrics``, ``VendorMetrics``, ``TravelerProfile``); this app computes
all of them (see :mod:`apps.insights.metrics` and :mod:`apps.insights.patterns`)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItineraryPattern(models.Model):
    """Completed trips to one destination and length that covered the same offerings."""

    destination = models.CharField(max_length=120, db_index=True)
    length_days = models.PositiveSmallIntegerField()
    signature = models.CharField(max_length=255, help_text=_("Sorted offering ids, comma separated"))
    offering_ids = models.JSONField(default=list)
    titles = models.JSONField(default=list, help_text=_("Item titles of the most recent example, in order"))
    example = models.ForeignKey("itineraries.Itinerary", null=True, on_delete=models.SET_NULL, related_name="+")
    trips = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["destination", "length_days", "-trips", "signature"]
        constraints = [models.UniqueConstraint(fields=["destination", "length_days", "signature"],
                                               name="itinerary_pattern_unique")]

    def __str__(self):
        return f"{self.destination}, {self.length_days} days: {self.trips} trips"


class SeasonalTrend(models.Model):
    """One destination in one month: platform volume, holidays, crowds, prices, weather."""

    destination = models.CharField(max_length=120, db_index=True)
    month = models.PositiveSmallIntegerField()
    requests = models.PositiveIntegerField(default=0, help_text=_("Trips starting in this month"))
    holidays = models.PositiveSmallIntegerField(default=0, help_text=_("Public holidays this month"))
    crowd_level = models.DecimalField(max_digits=3, decimal_places=2, default=0, help_text=_("0 quiet .. 1 crowded"))
    price_multiplier = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True,
                                           help_text=_("Slot prices this month / over the year"))
    weather = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["destination", "month"]
        constraints = [models.UniqueConstraint(fields=["destination", "month"], name="seasonal_trend_unique")]

    def __str__(self):
        return f"{self.destination} in month {self.month}"
