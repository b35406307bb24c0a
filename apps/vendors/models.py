import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStamped


class VendorType(models.TextChoices):
    HOTEL = "hotel", _("Hotel")
    TOUR = "tour", _("Tour & activity")
    RESTAURANT = "restaurant", _("Restaurant")
    TRANSPORT = "transport", _("Transport")
    VENUE = "venue", _("Venue")
    PHOTOGRAPHER = "photographer", _("Photographer")
    CATERER = "caterer", _("Caterer")
    FLORIST = "florist", _("Florist")
    MUSIC = "music", _("Music")
    ATTRACTION = "attraction", _("Attraction")


class Confirmation(models.TextChoices):
    INSTANT = "instant", _("Instant")
    MANUAL = "manual", _("Manual review")


class Vendor(TimeStamped):
    """A business that sells offerings. ``user`` is the login that manages it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="vendor")
    name = models.CharField(max_length=160)
    code = models.CharField(max_length=8, help_text=_("Short code used in booking references"))
    vendor_type = models.CharField(max_length=16, choices=VendorType.choices)
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    address = models.CharField(max_length=255, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    time_zone = models.CharField(max_length=64)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    confirmation = models.CharField(max_length=8, choices=Confirmation.choices, default=Confirmation.INSTANT)
    min_notice_hours = models.PositiveIntegerField(default=24)
    response_deadline_hours = models.PositiveIntegerField(default=24)
    cancellation_tiers = models.JSONField(
        default=list, blank=True,
        help_text=_('Refund percent by hours before start, e.g. [{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}]'),
    )
    webhook_secret = models.CharField(max_length=64, blank=True)
    inventory_adapter = models.CharField(max_length=32, default="platform", help_text=_(
        '"platform" (slots kept here), "octo" (the supplier\'s OCTO API) or "hotels" (a hotel known through the '
        'hotel provider only, booked there: not listed)'))
    provider_hotel = models.CharField(max_length=96, blank=True, db_index=True, help_text=_(
        'A hotel booked through the hotel provider ("hotels"): "provider:hotel id"'))
    # OCTO supplier API (inventory_adapter "octo"): availability, holds, confirmations and
    # cancellations go there; each offering names its product (apps.vendors.supplier).
    octo_url = models.URLField(blank=True, help_text=_("Base URL of the supplier's OCTO API"))
    octo_api_key = models.CharField(max_length=255, blank=True)
    octo_supplier_id = models.CharField(max_length=64, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OfferingKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    MEAL = "meal", _("Meal")
    STAY = "stay", _("Stay")
    TRANSFER = "transfer", _("Transfer")
    SERVICE = "service", _("Service")


class PriceUnit(models.TextChoices):
    PER_PERSON = "person", _("per person")
    PER_BOOKING = "booking", _("per booking")
    PER_NIGHT = "night", _("per room-night")
    # A caterer's menu: priced per guest, one event per slot (the slot's capacity counts events).
    PER_GUEST = "guest", _("per guest")


class Offering(TimeStamped):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="offerings")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=OfferingKind.choices, default=OfferingKind.ACTIVITY)
    duration_min = models.PositiveIntegerField(default=60)
    indoor = models.BooleanField(default=False)
    interests = models.JSONField(default=list, blank=True)
    dietary = models.JSONField(default=list, blank=True, help_text=_("Dietary needs the offering serves"))
    cuisine = models.CharField(max_length=40, blank=True, help_text=_("A meal's cuisine (\"soba\", \"tuscan\"); "
                                                                       "the planner varies it from meal to meal"))
    wheelchair = models.BooleanField(default=False)
    opening_hours = models.CharField(max_length=255, blank=True, help_text=_("OpenStreetMap opening_hours syntax"))
    base_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    price_unit = models.CharField(max_length=8, choices=PriceUnit.choices, default=PriceUnit.PER_PERSON)
    max_guests = models.PositiveIntegerField(null=True, blank=True,
                                             help_text=_("Priced per guest: the most guests one event serves"))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    is_active = models.BooleanField(default=True)
    check_in = models.TimeField(default=dt.time(15), help_text=_("Stays: check-in from (local time)"))
    check_out = models.TimeField(default=dt.time(11), help_text=_("Stays: check-out by (local time)"))
    octo_product_id = models.CharField(max_length=64, blank=True, help_text=_("OCTO product of an OCTO vendor"))
    octo_option_id = models.CharField(max_length=64, blank=True, default="DEFAULT")
    octo_unit_id = models.CharField(max_length=64, blank=True, default="adult",
                                    help_text=_("OCTO unit booked once per seat"))

    class Meta:
        ordering = ["vendor__name", "title"]

    def __str__(self):
        return f"{self.title} ({self.vendor.name})"

    @property
    def location(self) -> tuple[float, float]:
        return (self.lat if self.lat is not None else self.vendor.lat, self.lon if self.lon is not None else self.vendor.lon)


class Slot(models.Model):
    """A bookable time with capacity. ``capacity_available`` counts pending holds too."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    capacity_total = models.PositiveIntegerField()
    capacity_available = models.IntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    is_stale = models.BooleanField(default=False, help_text=_("Last known availability, inventory unreachable"))
    external_id = models.CharField(max_length=64, blank=True, help_text=_("The supplier's availability id (OCTO)"))

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_available__gte=0), name="slot_capacity_not_negative"),
            models.CheckConstraint(condition=models.Q(capacity_available__lte=models.F("capacity_total")),
                                   name="slot_capacity_within_total"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="slot_end_after_start"),
        ]

    def __str__(self):
        return f"{self.offering.title} @ {self.start:%Y-%m-%d %H:%M} ({self.capacity_available}/{self.capacity_total})"


class PriceRuleKind(models.TextChoices):
    ADVANCE = "advance", _("Book N days in advance")
    GROUP = "group", _("Group of N or more")
    SEASON = "season", _("Season (months)")


class PriceRule(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="price_rules")
    kind = models.CharField(max_length=8, choices=PriceRuleKind.choices)
    threshold = models.PositiveIntegerField(default=0, help_text=_("Days in advance or party size"))
    months = models.JSONField(default=list, blank=True, help_text=_("Season months 1-12"))
    percent = models.DecimalField(max_digits=5, decimal_places=2, help_text=_("Negative = discount, positive = surcharge"))
    label = models.CharField(max_length=120, blank=True)

    def __str__(self):
        return self.label or f"{self.get_kind_display()} {self.percent}%"


class VendorMetrics(models.Model):
    """Reliability of one vendor, computed by ``apps.insights`` from bookings, the event log
    and reviews (``reliability`` 0-1 feeds candidate scoring and alternative choice)."""

    vendor = models.OneToOneField(Vendor, on_delete=models.CASCADE, primary_key=True, related_name="metrics")
    bookings = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0, help_text=_("Bookings the vendor confirmed at some point"))
    declined = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0, help_text=_("Cancelled after confirmation"))
    confirm_avg_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    decline_expiry_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    cancellation_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    quality = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True,
                                  help_text=_("Mean review rating, 1-5"))
    price_ratio = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True,
                                      help_text=_("Median of own price / median price of similar offerings"))
    reliability = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vendor metrics")
        verbose_name_plural = _("vendor metrics")

    def __str__(self):
        return f"Metrics of {self.vendor}"
