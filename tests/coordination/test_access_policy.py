"""The access policy as a table (apps/coordination/access.py): role × relation × verb →
allowed, then the scoped querysets, the live audience and the refusal codes, all read
from one request with every kind of stakeholder."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.coordination import access
from apps.coordination.models import Booking, CoordinationState, ShortlistEntry, Thread
from apps.coordination.phases import BookingStatus
from apps.core.errors import Forbidden, NotFound
from apps.experts.models import Recommendation, RecommendationStatus
from tests.factories import make_expert, make_offering, make_request, make_user, make_vendor
from tests.factories.bookings import make_vendor_booking

pytestmark = pytest.mark.django_db

WHO = ("traveler", "other_traveler", "expert", "other_expert", "vendor_live", "vendor_ended", "other_vendor",
       "staff", "anonymous")

# One column per WHO, in that order: X allowed, . refused. ``live`` is the live vendor's booking.
TABLE = """
verb                        trav otrav exp oexp vlive vend ovend staff anon
view_request                 X    .     X   .    .     .    .     X     .
view_request_as_vendor       .    .     .   .    X     .    .     .     .
act_as_traveler              X    .     .   .    .     .    .     X     .
act_as_expert                .    .     X   .    .     .    .     X     .
plan                         X    .     X   .    .     .    .     X     .
manage_bookings              X    .     X   .    .     .    .     X     .
respond_to_booking(live)     .    .     .   .    X     .    .     X     .
set_payment_schedule(live)   X    .     X   .    X     .    .     X     .
post_message                 X    .     X   .    .     .    .     X     .
post_message(live)           X    .     X   .    X     .    .     X     .
review                       X    .     .   .    .     .    .     .     .
export                       X    .     X   .    .     .    .     X     .
view_recommendation_drafts   .    .     X   .    .     .    .     X     .
"""


def _rows():
    lines = [line.split() for line in TABLE.strip().splitlines()[1:]]
    return [(verb, dict(zip(WHO, (mark == "X" for mark in marks), strict=True))) for verb, *marks in lines]


@dataclass
class World:
    state: CoordinationState
    users: dict[str, User | AnonymousUser]
    live: Booking
    ended: Booking
    elsewhere: Booking


@pytest.fixture
def world() -> World:
    """A request in booking with an accepted expert, a vendor with a live booking, one whose
    booking was cancelled, and a vendor serving another request (test set-up, no engine)."""
    traveler, expert = make_user(Role.TRAVELER), make_expert()
    state = make_request(traveler)
    CoordinationState.objects.filter(pk=state.pk).update(expert=expert, expert_accepted_at=timezone.now(),
                                                         phase="booking")
    state = CoordinationState.objects.select_related("request", "expert").get(pk=state.pk)
    users = {"traveler": traveler, "other_traveler": make_user(Role.TRAVELER), "expert": expert.user,
             "other_expert": make_expert().user, "vendor_live": make_user(Role.VENDOR),
             "vendor_ended": make_user(Role.VENDOR), "other_vendor": make_user(Role.VENDOR),
             "staff": make_user(Role.STAFF), "anonymous": AnonymousUser()}
    live, ended = make_vendor_booking(state, users["vendor_live"]), make_vendor_booking(state, users["vendor_ended"])
    Booking.objects.filter(pk=ended.pk).update(status=BookingStatus.CANCELLED)
    elsewhere = make_vendor_booking(make_request(users["other_traveler"]), users["other_vendor"])
    return World(state=state, users=users, live=live, ended=ended, elsewhere=elsewhere)


def _ask(verb: str, user, world: World) -> bool:
    name, _, arg = verb.partition("(")
    predicate = getattr(access, f"can_{name}")
    if arg:
        booking = world.live
        return predicate(user, world.state, booking) if name == "post_message" else predicate(user, booking)
    return predicate(user, world.state)


@pytest.mark.parametrize(("verb", "expected"), _rows(), ids=[verb for verb, _ in _rows()])
def test_policy_table(world, verb, expected):
    assert {who: _ask(verb, world.users[who], world) for who in WHO} == expected


def test_the_platform_itself_answers_bookings_but_sees_nothing(world):
    assert access.can_respond_to_booking(None, world.live)
    assert not access.can_view_request(None, world.state)
    assert not access.can_set_payment_schedule(None, world.live)


def test_a_chosen_expert_acts_but_plans_only_once_accepted(world):
    CoordinationState.objects.filter(pk=world.state.pk).update(expert_accepted_at=None)
    state = CoordinationState.objects.select_related("request", "expert").get(pk=world.state.pk)
    expert = world.users["expert"]
    assert access.can_view_request(expert, state) and access.can_act_as_expert(expert, state)
    assert not access.can_plan(expert, state)


@pytest.mark.parametrize("who", WHO)
def test_scoped_querysets_agree_with_the_predicates(world, who):
    user, state, request_id = world.users[who], world.state, world.state.request_id
    full, sliced = access.can_view_request(user, state), access.can_view_request_as_vendor(user, state)
    assert access.requests_visible_to(user).filter(pk=request_id).exists() == (full or sliced)
    assert access.requests_fully_visible_to(user).filter(pk=request_id).exists() == full
    assert access.events_visible_to(user, request_id).exists() == full
    assert (access.live_access(user, request_id) is not None) == (full or sliced)


BOOKINGS_SEEN = {"traveler": {"live", "ended"}, "expert": {"live", "ended"}, "staff": {"live", "ended", "elsewhere"},
                 "vendor_live": {"live"}, "vendor_ended": {"ended"}, "other_vendor": {"elsewhere"},
                 "other_traveler": {"elsewhere"}}


@pytest.mark.parametrize("who", WHO)
def test_bookings_and_threads_visible(world, who):
    user = world.users[who]
    names = {world.live.pk: "live", world.ended.pk: "ended", world.elsewhere.pk: "elsewhere"}
    seen = {names[pk] for pk in access.bookings_visible_to(user).values_list("pk", flat=True)}
    assert seen == BOOKINGS_SEEN.get(who, set())
    threads = {"main": Thread.objects.create(state=world.state, subject="main"),
               "live": Thread.objects.create(state=world.state, booking=world.live, subject="live"),
               "ended": Thread.objects.create(state=world.state, booking=world.ended, subject="ended")}
    readable = {name for name, t in threads.items() if access.threads_visible_to(user, world.state).filter(pk=t.pk)}
    expected = set(threads) if access.can_view_request(user, world.state) else seen & {"live", "ended"}
    assert readable == expected


def test_recommendation_drafts_are_the_experts(world):
    for status in (RecommendationStatus.SENT, RecommendationStatus.DRAFT):
        Recommendation.objects.create(request=world.state.request, expert=world.state.expert, status=status,
                                      version=Recommendation.objects.count() + 1)
    statuses = {who: sorted(access.recommendations_visible_to(world.users[who], world.state)
                            .values_list("status", flat=True)) for who in WHO}
    assert statuses == {**dict.fromkeys(WHO, []), "traveler": ["sent"], "expert": ["draft", "sent"],
                        "staff": ["draft", "sent"]}


def test_shortlist_and_negotiation_scope(world):
    """A vendor negotiates on a request that shortlisted its offering, booking or not, and
    sees only its own entries there."""
    mine = make_offering(world.elsewhere.vendor)
    theirs = make_offering(make_vendor())
    for offering in (mine, theirs):
        ShortlistEntry.objects.create(state=world.state, offering=offering, category="venue", currency="EUR")
    vendor = world.users["other_vendor"]
    assert list(access.requests_open_to_negotiation(vendor)) == [world.state.request]
    assert [e.offering for e in access.shortlist_visible_to(vendor, world.state)] == [mine]
    assert access.shortlist_visible_to(world.users["expert"], world.state).count() == 2
    assert not access.shortlist_visible_to(world.users["other_traveler"], world.state).exists()


def test_live_audience_and_group_names(world):
    vendor = world.live.vendor
    assert access.live_access(world.users["traveler"], world.state.request_id).group == \
        f"request.{world.state.request_id}"
    sliced = access.live_access(world.users["vendor_live"], world.state.request_id)
    assert (sliced.full, sliced.group) == (False, f"vendor.{vendor.pk}")
    assert access.me_group(world.users["staff"]) == "staff"
    assert access.me_group(world.users["vendor_live"]) == f"vendor.{vendor.pk}"
    assert access.me_group(world.users["expert"]) == f"user.{world.users['expert'].pk}"
    assert access.me_group(make_user(Role.VENDOR)) is None  # a vendor login without a vendor
    assert access.stakeholder_ids(world.state) == sorted([world.users["traveler"].pk, world.users["expert"].pk])


@pytest.mark.parametrize(("who", "error", "code"), [
    ("traveler", Forbidden, "booking.vendor_only"), ("expert", Forbidden, "booking.vendor_only"),
    ("vendor_ended", NotFound, "booking.not_found"), ("other_traveler", NotFound, "booking.not_found"),
    ("anonymous", NotFound, "booking.not_found")])
def test_require_is_403_for_who_sees_the_object_else_404(world, who, error, code):
    with pytest.raises(error) as refused:
        access.require(False, world.users[who], world.state, booking=world.live, code="booking.vendor_only",
                       missing_code="booking.not_found")
    assert refused.value.code == code


def test_require_tells_the_booking_vendor_it_may_not(world):
    with pytest.raises(Forbidden):
        access.require(access.can_manage_bookings(world.users["vendor_live"], world.state), world.users["vendor_live"],
                       world.state, booking=world.live)
    with pytest.raises(NotFound):  # without the booking, the vendor sees nothing of the request
        access.require(False, world.users["vendor_live"], world.state)
