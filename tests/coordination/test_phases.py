"""The state machines of ``apps.coordination.phases``: every table walked pair by pair on the
real rows (each move inside an engine command, saved by the row's owning service), and
the commands that make the moves refusing the forbidden ones with the table's coded
Conflict, writing nothing."""
import itertools
from decimal import Decimal

import pytest

from apps.coordination import engine
from apps.coordination.models import CoordinationState, Event, OutboxMessage, PriceOffer, ShortlistEntry
from apps.coordination.phases import (
    BOOKINGS,
    ITINERARIES,
    PHASES,
    RECOMMENDATION_ITEMS,
    RECOMMENDATIONS,
    SHORTLIST,
    Transitions,
)
from apps.coordination.services import experts, itinerary, recommendations, weddings
from apps.core.errors import Conflict
from apps.experts import services as expert_services
from apps.experts.models import Recommendation, RecommendationItem
from apps.itineraries.models import Itinerary, ItineraryState
from apps.itineraries.services import itinerary_save_state
from tests.factories import make_expert, make_offering, make_request, make_user

pytestmark = pytest.mark.django_db


def _pairs(table: Transitions) -> list[tuple[str, str]]:
    return list(itertools.product(table.labels.values, repeat=2))


def test_every_table_names_only_its_own_statuses():
    for table in (PHASES, BOOKINGS, ITINERARIES, RECOMMENDATIONS, RECOMMENDATION_ITEMS, SHORTLIST):
        assert set(table.table) == set(table.labels.values)
        assert set().union(*table.table.values()) <= set(table.labels.values)


# Each row kind: (table, create a row in ``current`` for the state, save the moved status).
def _itinerary(state, current):
    return Itinerary.objects.create(request=state.request, version=1, state=current, time_zone="Asia/Tokyo",
                                    currency="JPY")


def _recommendation(state, current):
    return Recommendation.objects.create(request=state.request, expert=make_expert(), version=1, status=current)


def _item(state, current):
    return RecommendationItem.objects.create(recommendation=_recommendation(state, "sent"), title="Ueno",
                                             status=current)


def _entry(state, current):
    offering = make_offering()
    return ShortlistEntry.objects.create(state=state, category="venue", offering=offering, status=current,
                                         currency=offering.currency)


ROWS = {
    "itinerary": (ITINERARIES, _itinerary, lambda row: itinerary_save_state(itinerary=row)),
    "recommendation": (RECOMMENDATIONS, _recommendation,
                       lambda row: expert_services.recommendation_save_status(recommendation=row)),
    "recommendation_item": (RECOMMENDATION_ITEMS, _item,
                            lambda row: expert_services.recommendation_item_review(item=row, feedback="", changes={})),
    "shortlist": (SHORTLIST, _entry, lambda row: row.save(update_fields=["status"])),
}
WALK = [(kind, current, target) for kind, (table, _, _) in ROWS.items() for current, target in _pairs(table)]


def _snapshot(state_id: int, table: Transitions, row) -> tuple:
    state = CoordinationState.objects.get(pk=state_id)
    return (getattr(type(row).objects.get(pk=row.pk), table.field), state.version,
            Event.objects.filter(state_id=state_id).count(), OutboxMessage.objects.count())


@pytest.mark.parametrize(("kind", "current", "target"), WALK)
def test_every_status_move(kind, current, target, staff):
    table, create, save = ROWS[kind]
    state = make_request()
    row = create(state, current)
    status, version, events, outbox = _snapshot(state.pk, table, row)
    if table.can(current, target):
        with engine.command(state.pk, actor=staff) as cmd:
            table.move(row, target)
            save(row)
            cmd.record("test.moved", {"from": current, "to": target})
        assert _snapshot(state.pk, table, row)[:3] == (target, version + 1, events + 1)
    else:
        with pytest.raises(Conflict) as exc:
            with engine.command(state.pk, actor=staff) as cmd:
                table.move(row, target)
                save(row)
                cmd.record("test.moved", {"from": current, "to": target})
        assert exc.value.code == f"{kind}.transition_not_allowed"
        assert getattr(row, table.field) == current
        assert _snapshot(state.pk, table, row) == (status, version, events, outbox)


# --- the commands that move these statuses ------------------------------------------

def _planning_with_expert():
    traveler = make_user()
    expert = make_expert()
    state = make_request(traveler)
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    return state, expert, traveler


def _events(state) -> int:
    return Event.objects.filter(state=state).count()


def test_approving_a_version_that_is_not_proposed_is_refused(staff):
    state, _, traveler = _planning_with_expert()
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    state.refresh_from_db()
    Itinerary.objects.filter(pk=state.current_itinerary_id).update(state=ItineraryState.SUPERSEDED)  # set-up
    events = _events(state)
    with pytest.raises(Conflict) as exc:
        itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    assert exc.value.code == "itinerary.transition_not_allowed"
    state.refresh_from_db()
    assert (state.phase, state.current_itinerary.state, _events(state)) == ("planning", "superseded", events)


def test_generating_supersedes_the_current_version_through_the_table():
    state, _, traveler = _planning_with_expert()
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    assert list(Itinerary.objects.filter(request=state.request).order_by("version").values_list("state", flat=True)
                ) == ["superseded", "proposed"]


def test_sending_supersedes_older_versions_and_reviewing_every_item_marks_it_reviewed():
    state, expert, traveler = _planning_with_expert()
    recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="v1", items=[{"title": "Ueno"}])
    first = recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="v2",
                                        items=[{"title": "Yanaka"}, {"title": "Nezu"}])
    second = recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    assert Recommendation.objects.get(pk=first.pk).status == "superseded" and second.status == "sent"
    yanaka, nezu = second.items.order_by("id")
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=yanaka.pk, action="approve")
    assert Recommendation.objects.get(pk=second.pk).status == "sent"
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=nezu.pk, action="reject")
    assert Recommendation.objects.get(pk=second.pk).status == "reviewed"
    # The traveler changes their mind: a move of the item, the document stays reviewed.
    changed = recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=nezu.pk,
                                                         action="approve")
    assert (changed.status, Recommendation.objects.get(pk=second.pk).status) == ("approved", "reviewed")


def test_the_same_verdict_again_writes_nothing():
    state, expert, traveler = _planning_with_expert()
    recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="", items=[{"title": "Ueno"}])
    sent = recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    item = sent.items.get()
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=item.pk, action="approve")
    events = _events(state)
    recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=item.pk, action="approve")
    assert _events(state) == events


def test_an_agreed_price_refuses_further_offers():
    couple = make_user()
    planner = make_expert(specializations=["wedding"])
    state = make_request(couple, experience_type="wedding", interests=[], guest_count=80)
    experts.expert_choose(state_id=state.pk, actor=couple, expert_id=planner.pk)
    experts.expert_accept(state_id=state.pk, actor=planner.user)
    venue = make_offering(title="Villa", base_price=Decimal("8000"))
    entry = weddings.shortlist_add(state_id=state.pk, actor=planner.user, offering_id=venue.pk, category="venue")
    weddings.price_offer(state_id=state.pk, actor=planner.user, entry_id=entry.pk, amount=Decimal("7000"))
    weddings.price_offer(state_id=state.pk, actor=venue.vendor.user, entry_id=entry.pk, amount=Decimal("7500"))
    assert ShortlistEntry.objects.get(pk=entry.pk).status == "negotiating"
    weddings.price_accept(state_id=state.pk, actor=couple, entry_id=entry.pk)
    events, offers = _events(state), PriceOffer.objects.count()
    with pytest.raises(Conflict) as exc:
        weddings.price_offer(state_id=state.pk, actor=planner.user, entry_id=entry.pk, amount=Decimal("7200"))
    assert exc.value.code == "shortlist.transition_not_allowed"
    entry.refresh_from_db()
    assert (entry.status, entry.agreed_price) == ("agreed", Decimal("7500"))
    assert (_events(state), PriceOffer.objects.count()) == (events, offers)
