"""Worlds for tests: one request with every kind of stakeholder around it, built once and
shared by the test modules that need the same cast.

- :func:`make_world`: a request in phase booking with an expert and two vendors' bookings
  (live feeds, relay, consumers, chat, notifications, the event-stream property);
- :func:`make_portal_world`: a request with an accepted expert, a sent recommendation,
  an itinerary, a browse wish and a vendor's pending booking, plus a second user of each
  role who owns none of it (portal pages and their URL × role matrix);
- :func:`make_every_model_world`: one row of every model of our apps (the admin's pages).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.accounts.models import Role, User
from apps.api.models import IdempotencyKey
from apps.coordination.models import (Booking, CoordinationState, Notification, NotificationPreference,
                                      PaymentInstallment, PlanWish, PriceOffer, PushSubscription, Review,
                                      ShortlistEntry, SupplierReservation, VendorResponse)
from apps.coordination.services.external import external_bookings_add
from apps.coordination.services import experts, recommendations
from apps.coordination.services.chat import message_post, thread_mark_read
from apps.coordination.services.itinerary import itinerary_generate
from apps.experts.models import ExpertMetrics, Recommendation, RecommendationItem
from apps.insights.models import ItineraryPattern, SeasonalTrend
from apps.exports.jobs import export_request
from apps.exports.share import calendar_subscription_get_or_create, share_link_create
from apps.imports.models import ConfirmationImport
from apps.itineraries.models import Item
from apps.requests.models import TravelerProfile
from apps.vendors.models import PriceRule, Slot, VendorMetrics
from tests.itineraries.factories import make_itinerary

from . import (make_consultation_slot, make_expert, make_offering, make_place, make_request, make_slot, make_user,
               make_vendor)
from .bookings import make_booking, make_vendor_booking


@dataclass
class World:
    """One request in phase booking with an expert and two vendors' bookings."""

    state: CoordinationState
    traveler: User
    expert: User
    staff: User
    vendor_a: User
    vendor_b: User
    outsider: User
    other_expert: User
    booking_a: Booking
    booking_b: Booking

    @property
    def request_id(self) -> int:
        return self.state.request_id


def make_world() -> World:
    """Test set-up only: the expert and the bookings are placed without the engine."""
    traveler = make_user(Role.TRAVELER)
    state = make_request(traveler)
    expert = make_expert()
    CoordinationState.objects.filter(pk=state.pk).update(expert=expert, phase="booking")
    vendor_a, vendor_b = make_user(Role.VENDOR), make_user(Role.VENDOR)
    world = World(state=CoordinationState.objects.get(pk=state.pk), traveler=traveler, expert=expert.user,
                  staff=make_user(Role.STAFF), vendor_a=vendor_a, vendor_b=vendor_b,
                  outsider=make_user(Role.TRAVELER), other_expert=make_expert().user,
                  booking_a=make_vendor_booking(state, vendor_a), booking_b=make_vendor_booking(state, vendor_b))
    return world


@dataclass
class PortalWorld:
    traveler: User
    expert: User
    vendor: User
    staff: User
    others: dict[str, User]
    request_id: int
    rec_item: RecommendationItem
    item: Item
    wish: PlanWish
    booking: Booking
    slot: Slot


def make_portal_world() -> PortalWorld:
    """The portal tests' request (see the module docstring)."""
    traveler = make_user(Role.TRAVELER)
    expert = make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="Food first",
                                        items=[{"title": "Golden Gai", "category": "activity"}])
    rec = recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    state.refresh_from_db()
    itinerary = make_itinerary(state=state)
    vendor = make_vendor(confirmation="manual")
    slot = make_slot(make_offering(vendor))
    # Test setup only: a pending booking and a wish placed without the engine.
    booking = make_booking(state, slot=slot, quantity=2, status="pending")
    wish = PlanWish.objects.create(state=state, offering=slot.offering)
    return PortalWorld(
        traveler=traveler, expert=expert.user, vendor=vendor.user, staff=make_user(Role.STAFF),
        others={Role.TRAVELER: make_user(Role.TRAVELER), Role.EXPERT: make_expert().user,
                Role.VENDOR: make_vendor().user},
        request_id=state.request_id, rec_item=rec.items.get(), wish=wish, booking=booking, slot=slot,
        item=Item.objects.filter(day__itinerary=itinerary, offering__isnull=False).first(),
    )


def make_every_model_world():
    """One row of every model of our apps (the admin's pages), returning the request's
    state: services where they are cheap, the ORM for the rest (test setup: rows as the
    flows and the insights rebuild leave them)."""
    traveler = make_user(Role.TRAVELER)
    state = make_request(traveler, dietary_restrictions=[], accommodation="none")
    request = state.request
    offering = make_offering(title="Tsukiji food walk")
    slot = make_slot(offering, start=dt.datetime.combine(request.start_date, dt.time(1), dt.UTC))
    make_place(name="Tokyo National Museum")
    itinerary_generate(state_id=state.pk, actor=None)
    state.refresh_from_db()
    itinerary = state.current_itinerary

    expert = make_expert()
    make_consultation_slot(expert)
    recommendation = Recommendation.objects.create(request=request, expert=expert, version=1, summary="Food first")
    RecommendationItem.objects.create(recommendation=recommendation, title="Tsukiji food walk", offering=offering)
    ExpertMetrics.objects.create(expert=expert, reviews=1, satisfaction=Decimal("4.00"))
    VendorMetrics.objects.create(vendor=offering.vendor, bookings=1, reliability=Decimal("0.9000"))
    TravelerProfile.objects.create(traveler=traveler, trips_completed=1)
    PriceRule.objects.create(offering=offering, kind="group", threshold=4, percent=Decimal(-10))

    booking = make_booking(state, slot=slot, quantity=2, price=Decimal("100.00"))
    PaymentInstallment.objects.create(booking=booking, kind="deposit", amount=Decimal("30.00"), currency="JPY",
                                      due_date=request.start_date)
    VendorResponse.objects.create(booking=booking, channel="portal", action="accept", dedupe_key="k1")
    SupplierReservation.objects.create(booking=booking, uuid="1b9c4a3e-7d2f-4c0b-8e5a-6f1d2c3b4a59", status="on_hold")
    message = message_post(state_id=state.pk, actor=traveler, body="Any vegetarian options?")
    thread_mark_read(thread=message.thread, user=traveler)
    Notification.objects.create(user=traveler, title="Plan ready")
    NotificationPreference.objects.create(user=traveler, channel="email", enabled=False)
    PushSubscription.objects.create(user=traveler, endpoint="https://push.example/1", p256dh="key", auth="auth")
    Review.objects.create(state=state, author=traveler, target="vendor", vendor=offering.vendor, rating=5)
    PlanWish.objects.create(state=state, offering=offering, slot=slot)
    entry = ShortlistEntry.objects.create(state=state, category="venue", offering=offering, currency="JPY")
    PriceOffer.objects.create(entry=entry, party="client", author=traveler, amount=Decimal(90), currency="JPY")
    ItineraryPattern.objects.create(destination="Tokyo", length_days=7, signature=str(offering.pk),
                                    offering_ids=[offering.pk], titles=[offering.title], trips=2)
    SeasonalTrend.objects.create(destination="Tokyo", month=3, requests=1)
    export_request(itinerary=itinerary, kind="pdf", actor=traveler)
    share_link_create(request=request, actor=traveler)
    calendar_subscription_get_or_create(request=request, actor=traveler)
    IdempotencyKey.objects.create(user=traveler, key="retry-1", fingerprint="f" * 64, status_code=201, body={})
    dinner = {"kind": "restaurant", "title": "Sushi Omakase Kanda", "start": "2027-03-16T19:30:00+09:00",
              "time_zone": "Asia/Tokyo", "place": {"name": "Sushi Omakase Kanda"}, "reference": "OMK-2291"}
    imported = ConfirmationImport.objects.create(request=request, uploaded_by=traveler, file_name="dinner.html",
                                                 source="html", items=[dinner])
    external_bookings_add(state_id=state.pk, actor=traveler, items=[dinner], source_import_id=imported.pk)
    return state
