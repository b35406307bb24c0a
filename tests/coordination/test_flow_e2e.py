"""End to end through the engine: one travel request per path and one wedding, every phase
to completed, asserting phase, version and the event timeline at each step."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.models import Booking, CoordinationState, Event
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.services import browse, experts, itinerary, recommendations, weddings
from apps.coordination.services.lifecycle import trip_complete, trip_start
from apps.experts.models import Expert
from tests.factories import (make_consultation_slot, make_expert, make_offering, make_request, make_slot, make_user,
                             make_vendor)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def local_slot(offering, day: dt.date, hour: int, **kwargs):
    return make_slot(offering, start=dt.datetime.combine(day, dt.time(hour), TOKYO), **kwargs)


def timeline(state_id: int) -> list[tuple[int, str]]:
    return list(Event.objects.filter(state_id=state_id).order_by("version").values_list("version", "type"))


def expect(state_id: int, phase: str, events: list[str]):
    state = CoordinationState.objects.get(pk=state_id)
    assert state.phase == phase
    assert state.version == len(events)
    assert timeline(state_id) == list(enumerate(events, 1))
    return state


def confirm_all(state):
    for booking_id in Booking.objects.filter(state=state, status=BookingStatus.REQUESTED).values_list("pk", flat=True):
        confirm_instant_booking(booking_id)


def finish(state, actor, events: list[str]):
    trip_start(state_id=state.pk, actor=actor)
    expect(state.pk, Phase.IN_PROGRESS, events := [*events, "trip.started"])
    trip_complete(state_id=state.pk, actor=actor)
    return expect(state.pk, Phase.COMPLETED, [*events, "trip.completed"])


def test_travel_expert_path_to_completed(staff):
    traveler = make_user(time_zone="Europe/Paris")
    expert = make_expert(capacity_max=2)
    state = make_request(traveler)
    day2 = state.request.start_date + dt.timedelta(days=1)
    tour = make_offering(title="Tsukiji food walk", interests=["food"], dietary=["vegetarian"])
    slot = local_slot(tour, day2, 10)
    events = ["request.submitted"]
    expect(state.pk, Phase.MATCHING, events)

    assert [m.expert.pk for m in experts.request_matches(state)] == [expert.pk]
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    expect(state.pk, Phase.MATCHING, events := [*events, "expert.chosen"])
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    expect(state.pk, Phase.PLANNING, events := [*events, "expert.accepted"])
    assert Expert.objects.get(pk=expert.pk).capacity_current == 1

    consult = make_consultation_slot(expert, start=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    experts.consultation_book(state_id=state.pk, actor=traveler, slot_id=consult.pk)
    expect(state.pk, Phase.PLANNING, events := [*events, "consultation.booked"])
    booked = Event.objects.get(state=state, type="consultation.booked").payload
    assert booked["traveler"]["time_zone"] == "Europe/Paris" and booked["expert"]["time_zone"] == "Asia/Tokyo"
    assert dt.datetime.fromisoformat(booked["traveler"]["start"]) == consult.start

    draft = recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="Food first", items=[
        {"title": tour.title, "offering_id": tour.pk, "day": day2, "start_time": dt.time(10), "pinned": True,
         "reasoning": "Best before the crowds", "tips": ["Come hungry"]},
        {"title": "Golden Gai bar crawl", "category": "nightlife", "reasoning": "Tiny bars"},
    ])
    recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    first, second = draft.items.order_by("id")
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=first.pk, action="approve")
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=second.pk, action="reject",
                                               feedback="Not into bars")
    expect(state.pk, Phase.PLANNING, events := [*events, "recommendation.edited", "recommendation.sent",
                                                "recommendation.item_reviewed", "recommendation.item_reviewed"])

    itinerary.itinerary_generate(state_id=state.pk, actor=expert.user)
    itinerary.itinerary_send(state_id=state.pk, actor=expert.user)
    state = expect(state.pk, Phase.PLANNING, events := [*events, "itinerary.drafted", "itinerary.proposed"])
    plan = state.current_itinerary
    assert plan.version == 1 and plan.author_role == "expert"
    pinned = [i for d in plan.days.all() for i in d.items.all() if i.offering_id == tour.pk]
    assert [(i.slot_id, i.start) for i in pinned] == [(slot.pk, slot.start)]
    assert Event.objects.get(state=state, type="itinerary.proposed").payload["version"] == 1

    approved = itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    assert approved.unbooked == []
    expect(state.pk, Phase.BOOKING, events := [*events, "itinerary.approved", "booking.requested"])
    booking = Booking.objects.get(state=state)
    assert (booking.slot_id, booking.quantity, booking.handled_by) == (slot.pk, 2, "expert")
    confirm_all(state)
    expect(state.pk, Phase.CONFIRMED, events := [*events, "booking.confirmed"])

    finish(state, staff, events)
    assert Expert.objects.get(pk=expert.pk).capacity_current == 0


def test_travel_browse_path_to_completed(staff):
    traveler = make_user()
    state = make_request(traveler, path="browse")
    events = ["request.submitted"]
    expect(state.pk, Phase.PLANNING, events)
    assert Event.objects.get(state=state).payload["phase"] == Phase.PLANNING
    day3 = state.request.start_date + dt.timedelta(days=2)
    ramen = make_offering(title="Vegetarian ramen class", kind="activity", interests=["food"], dietary=["vegetarian"])
    slot = local_slot(ramen, day3, 14)

    browse.plan_item_add(state_id=state.pk, actor=traveler, offering_id=ramen.pk, slot_id=slot.pk, note="Must do")
    expect(state.pk, Phase.PLANNING, events := [*events, "plan.item_added"])
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    state = expect(state.pk, Phase.PLANNING, events := [*events, "itinerary.proposed"])
    assert state.current_itinerary.author_role == "traveler"
    assert [i.slot_id for d in state.current_itinerary.days.all() for i in d.items.all()
            if i.offering_id == ramen.pk] == [slot.pk]

    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    expect(state.pk, Phase.BOOKING, events := [*events, "itinerary.approved", "booking.requested"])
    assert Booking.objects.get(state=state).handled_by == "traveler"
    confirm_all(state)
    expect(state.pk, Phase.CONFIRMED, events := [*events, "booking.confirmed"])
    finish(state, staff, events)


def test_wedding_to_completed(staff):
    couple = make_user()
    planner = make_expert(destinations=["Florence"], specializations=["wedding"], time_zone="Europe/Rome")
    state = make_request(couple, experience_type="wedding", destination="Florence", interests=[], guest_count=80)
    rome = ZoneInfo("Europe/Rome")
    villa = make_vendor(name="Villa", city="Florence", country="IT", lat=43.77, lon=11.25, vendor_type="venue",
                        confirmation="manual", time_zone="Europe/Rome")
    venue = make_offering(villa, title="Villa ceremony", kind="service", base_price=Decimal("8000"), currency="EUR",
                          price_unit="booking", duration_min=240, interests=[])
    venue_slot = make_slot(venue, start=dt.datetime.combine(state.request.start_date, dt.time(16), rome), capacity=1)
    events = ["request.submitted"]

    experts.expert_choose(state_id=state.pk, actor=couple, expert_id=planner.pk)
    experts.expert_accept(state_id=state.pk, actor=planner.user)
    events += ["expert.chosen", "expert.accepted"]
    entry = weddings.shortlist_add(state_id=state.pk, actor=planner.user, offering_id=venue.pk, category="venue",
                                   slot_id=venue_slot.pk)
    weddings.price_offer(state_id=state.pk, actor=planner.user, entry_id=entry.pk, amount=Decimal("7000"))
    weddings.price_offer(state_id=state.pk, actor=villa.user, entry_id=entry.pk, amount=Decimal("7500"))
    weddings.price_accept(state_id=state.pk, actor=couple, entry_id=entry.pk)
    expect(state.pk, Phase.PLANNING, events := [*events, "shortlist.added", "price.offered", "price.offered",
                                                "price.agreed"])
    offers = Event.objects.filter(state=state, type="price.offered").order_by("version")
    assert [(e.payload["party"], e.payload["amount"]["amount"]) for e in offers] == [("client", "7000"),
                                                                                      ("vendor", "7500")]

    itinerary.itinerary_generate(state_id=state.pk, actor=planner.user)
    itinerary.itinerary_send(state_id=state.pk, actor=planner.user)
    state = expect(state.pk, Phase.PLANNING, events := [*events, "itinerary.drafted", "itinerary.proposed"])
    day_of = [(i.offering_id, i.start) for d in state.current_itinerary.days.all() for i in d.items.all()
              if i.offering_id == venue.pk]
    assert day_of == [(venue.pk, venue_slot.start)]
    itinerary.itinerary_approve(state_id=state.pk, actor=couple)
    expect(state.pk, Phase.BOOKING, events := [*events, "itinerary.approved", "booking.requested"])
    assert Booking.objects.get(state=state).status == BookingStatus.PENDING

    [booking] = weddings.negotiated_bookings_settle(state_id=state.pk, actor=couple, deposit_percent=Decimal(30),
                                                    balance_due_days=14)
    assert (booking.status, booking.price, booking.currency) == (BookingStatus.CONFIRMED, Decimal("7500"), "EUR")
    assert [(i.kind, i.amount) for i in booking.installments.all()] == [("deposit", Decimal("2250.00")),
                                                                       ("balance", Decimal("5250.00"))]
    expect(state.pk, Phase.CONFIRMED, events := [*events, "booking.proposed", "booking.proposal_accepted",
                                                 "booking.payment_schedule_set"])
    finish(state, staff, events)
