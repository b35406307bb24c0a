import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStamped
from apps.vendors.pricing import seats_taken

from .phases import BookingStatus, Phase, ShortlistStatus


class CoordinationState(TimeStamped):
    """The single source of truth for one experience request. Written only by the engine."""

    request = models.OneToOneField("requests.ExperienceRequest", on_delete=models.CASCADE, related_name="coordination")
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.MATCHING, db_index=True)
    version = models.PositiveIntegerField(default=0)
    expert = models.ForeignKey("experts.Expert", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="coordinations")
    expert_accepted_at = models.DateTimeField(null=True, blank=True)
    current_itinerary = models.ForeignKey("itineraries.Itinerary", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    queued_for_expert = models.BooleanField(default=False)
    checks = models.JSONField(default=list, blank=True, help_text=_(
        "The trip guard's findings after the last command (apps.coordination.checks)"))

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"State #{self.pk} of {self.request} ({self.phase} v{self.version})"


class Event(models.Model):
    """Append-only timeline entry; one per engine command."""

    state = models.ForeignKey(CoordinationState, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    type = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True, help_text=_("The HTTP request (or its task) that caused it"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["state", "version"]
        constraints = [models.UniqueConstraint(fields=["state", "version"], name="event_version_unique")]

    def __str__(self):
        return f"{self.type} v{self.version}"


class StuckRequest(CoordinationState):
    """A request that needs staff (see :mod:`apps.coordination.stuck`): the admin's list."""

    class Meta:
        proxy = True
        verbose_name = _("stuck request")
        verbose_name_plural = _("stuck requests")


class OutboxMessage(models.Model):
    """A message for one audience group, written with the event, published after commit."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outbox")
    group = models.CharField(max_length=64, help_text=_("Channel-layer group, e.g. request.5, vendor.3, user.7"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", help_text=_("The stakeholder to notify, if one person"))
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.group} ← {self.event}"


class HandledBy(models.TextChoices):
    EXPERT = "expert", _("Expert-managed")
    TRAVELER = "traveler", _("Self-service")


class Booking(TimeStamped):
    state = models.ForeignKey(CoordinationState, on_delete=models.PROTECT, related_name="bookings")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="bookings")
    offering = models.ForeignKey("vendors.Offering", on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey("vendors.Slot", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    nights = models.ManyToManyField("vendors.Slot", blank=True, related_name="night_bookings",
                                    help_text=_("A stay's nights: every slot it holds rooms on, the first being slot"))
    item = models.ForeignKey("itineraries.Item", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="bookings")
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.REQUESTED,
                              db_index=True)
    handled_by = models.CharField(max_length=16, choices=HandledBy.choices, default=HandledBy.TRAVELER)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=40, null=True, blank=True, unique=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    proposal = models.JSONField(default=dict, blank=True, help_text=_("Vendor's alternative slot or price"))
    needs_manual_confirmation = models.BooleanField(default=False)
    arrived_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, help_text=_("When the vendor was reminded of the deadline"))
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="booking_quantity_positive"),
            models.UniqueConstraint(fields=["state", "idempotency_key"], name="booking_idempotency_key_unique"),
        ]

    def __str__(self):
        return f"Booking #{self.pk} {self.offering.title} ×{self.quantity} ({self.status})"

    @property
    def seats(self) -> int:
        """The capacity it holds on each slot: ``quantity``, or one event of a caterer priced per guest."""
        return seats_taken(self.offering.price_unit, self.quantity)

    @property
    def open_proposal(self) -> dict | None:
        """The vendor's counter-proposal still waiting for the traveler or expert (see
        ``booking_propose``), with ``start`` as a datetime; None without one."""
        if self.status != BookingStatus.PENDING or not self.proposal or self.proposal.get("accepted"):
            return None
        start = self.proposal.get("start")
        return {**self.proposal, "start": dt.datetime.fromisoformat(start) if start else None}


class SupplierReservation(models.Model):
    """The booking's twin in its vendor's own system (an OCTO supplier, or the hotel provider
    a stay's offer came from): our side of the pair that
    :mod:`apps.coordination.services.supplier` keeps in agreement with it.

    ``uuid`` is chosen before the first call and sent with every retry (OCTO's idempotency
    key), so a hold that timed out after the supplier took it is found again, not doubled.
    """

    class Status(models.TextChoices):
        NEW = "new", _("Not placed yet")
        ON_HOLD = "on_hold", _("On hold")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REJECTED = "rejected", _("Refused by the supplier")

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="supplier_reservation")
    uuid = models.CharField(max_length=36, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    expires_at = models.DateTimeField(null=True, blank=True, help_text=_("The supplier's utcExpiresAt of the hold; a hotel offer's expiry"))
    supplier_reference = models.CharField(max_length=64, blank=True)
    failures = models.PositiveSmallIntegerField(default=0, help_text=_("Failed calls in a row"))
    last_error = models.CharField(max_length=255, blank=True)
    surfaced_at = models.DateTimeField(null=True, blank=True, help_text=_("When the expert was told it is stuck"))
    offer = models.JSONField(null=True, blank=True, help_text=_(
        "A hotel provider's offer booked at its source: price, currency, free cancellation until, expiry"))
    provider_booking_id = models.CharField(max_length=64, blank=True, help_text=_("The hotel provider's booking id"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.uuid} ({self.status}) of booking #{self.booking_id}"


class PaymentInstallment(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        BALANCE = "balance", _("Balance")
        FULL = "full", _("Full payment")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="installments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    due_date = models.DateField()
    paid_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency} due {self.due_date}"


class VendorResponse(models.Model):
    """A vendor's answer on any channel; ``dedupe_key`` makes retries harmless."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Vendor portal")
        API = "api", _("API")
        WEBHOOK = "webhook", _("Signed webhook")
        SYSTEM = "system", _("Instant confirmation")

    class Action(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        DECLINE = "decline", _("Decline")
        PROPOSE = "propose", _("Propose alternative")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    action = models.CharField(max_length=8, choices=Action.choices)
    dedupe_key = models.CharField(max_length=128)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "dedupe_key"], name="vendor_response_dedupe")]


class Thread(TimeStamped):
    state = models.ForeignKey(CoordinationState, on_delete=models.CASCADE, related_name="threads")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="threads",
                                help_text=_("Set for a thread with the vendor of this booking"))
    subject = models.CharField(max_length=200)

    def __str__(self):
        return self.subject


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]


class ReadMarker(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="read_marker_unique")]


class Notification(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In app")
        EMAIL = "email", _("E-mail")
        PUSH = "push", _("Browser push")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.IN_APP)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "channel"], name="notification_once_per_channel"),
        ]


class Review(models.Model):
    class Target(models.TextChoices):
        EXPERT = "expert", _("Expert")
        VENDOR = "vendor", _("Vendor")
        ITINERARY = "itinerary", _("Itinerary")

    state = models.ForeignKey(CoordinationState, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    target = models.CharField(max_length=16, choices=Target.choices)
    expert = models.ForeignKey("experts.Expert", null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    vendor = models.ForeignKey("vendors.Vendor", null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
        ]


class PlanWish(models.Model):
    """Browse path: an offering the traveler added to the plan; the planner fills the days around it."""

    state = models.ForeignKey(CoordinationState, on_delete=models.CASCADE, related_name="wishes")
    offering = models.ForeignKey("vendors.Offering", on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey("vendors.Slot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("plan wishes")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["state", "offering"], name="plan_wish_once_per_offering")]

    def __str__(self):
        return f"Wish {self.offering_id} for state {self.state_id}"


class ShortlistEntry(models.Model):
    """Wedding/event: a vendor offering shortlisted for one category, with its negotiated price."""

    Status = ShortlistStatus  # its table: phases.SHORTLIST

    state = models.ForeignKey(CoordinationState, on_delete=models.CASCADE, related_name="shortlist")
    category = models.CharField(max_length=16)
    offering = models.ForeignKey("vendors.Offering", on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey("vendors.Slot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             help_text=_("The time the vendor holds for the event"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SHORTLISTED)
    agreed_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("shortlist entries")
        ordering = ["category", "created_at"]
        constraints = [models.UniqueConstraint(fields=["state", "offering"], name="shortlist_once_per_offering")]

    def __str__(self):
        return f"{self.category}: {self.offering_id} ({self.status})"


class PriceOffer(models.Model):
    """One offer or counter-offer in a shortlist entry's price negotiation (append-only)."""

    class Party(models.TextChoices):
        CLIENT = "client", _("Client or planner")
        VENDOR = "vendor", _("Vendor")

    entry = models.ForeignKey(ShortlistEntry, on_delete=models.CASCADE, related_name="offers")
    party = models.CharField(max_length=8, choices=Party.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.party} offers {self.amount} {self.currency}"


class NotificationPreference(models.Model):
    """Whether a user wants notifications on one channel (in-app is always on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    channel = models.CharField(max_length=8, choices=Notification.Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user} {self.channel}: {'on' if self.enabled else 'off'}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (from ``PushManager.subscribe()``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=500, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Push subscription of {self.user}"


class ExternalBooking(TimeStamped):
    """A booking the traveler made elsewhere (a flight, a hotel, a table…), added from its
    confirmation: part of the trip, shown with the plan, never managed by a vendor here."""

    class Kind(models.TextChoices):
        FLIGHT = "flight", _("Flight")
        STAY = "stay", _("Stay")
        TRAIN = "train", _("Train")
        RESTAURANT = "restaurant", _("Restaurant")
        EVENT = "event", _("Event or tour")
        CAR = "car", _("Car rental")

    state = models.ForeignKey(CoordinationState, on_delete=models.CASCADE, related_name="external_bookings")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, help_text=_("IANA zone of the place (where it ends, for a journey)"))
    start_time_zone = models.CharField(max_length=64, blank=True,
                                       help_text=_("IANA zone where a journey starts; blank: the place's zone"))
    origin_name = models.CharField(max_length=200, blank=True, help_text=_("Where a journey starts"))
    place_name = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    reference = models.CharField(max_length=80, blank=True)
    stated_offset_min = models.SmallIntegerField(null=True, blank=True, help_text=_(
        "The UTC offset the confirmation wrote with the start, in minutes (the trip guard compares it with the "
        "place's zone); blank when it wrote a local time without one, or UTC"))
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    source_import_id = models.PositiveBigIntegerField(null=True, blank=True,
                                                      help_text=_("The confirmation import it came from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} (booked elsewhere)"
