"""A request with every kind of stakeholder for the portal tests: its traveler, its
accepted expert (who sent a recommendation), a current itinerary with a vendor item, a
browse wish, and a vendor with a pending booking and a slot; plus a second user of each
role who owns none of it."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from apps.accounts.models import Role, User
from apps.coordination.models import Booking, PlanWish
from apps.coordination.services import experts, recommendations
from apps.experts.models import RecommendationItem
from apps.itineraries.models import Item
from apps.vendors.models import Slot
from tests.factories import make_expert, make_offering, make_request, make_slot, make_user, make_vendor
from tests.itineraries.factories import make_itinerary


@dataclass
class World:
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


@pytest.fixture
def world(db) -> World:
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
    booking = Booking.objects.create(state=state, vendor=vendor, offering=slot.offering, slot=slot, quantity=2,
                                     status="pending", price=slot.price * 2, currency=slot.currency)
    wish = PlanWish.objects.create(state=state, offering=slot.offering)
    return World(
        traveler=traveler, expert=expert.user, vendor=vendor.user, staff=make_user(Role.STAFF),
        others={Role.TRAVELER: make_user(Role.TRAVELER), Role.EXPERT: make_expert().user,
                Role.VENDOR: make_vendor().user},
        request_id=state.request_id, rec_item=rec.items.get(), wish=wish, booking=booking, slot=slot,
        item=Item.objects.filter(day__itinerary=itinerary, offering__isnull=False).first(),
    )
