"""Expert, vendor and traveler metrics on a constructed history with hand-checked numbers,
and the full rebuild reproducing the incrementally maintained rows exactly."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Failure

from apps.coordination.services.bookings import booking_confirm
from apps.coordination.services.chat import message_post
from apps.coordination.services.experts import expert_accept, expert_choose, expert_decline
from apps.coordination.services.reviews import review_submit
from apps.experts.models import ExpertMetrics
from apps.insights.models import ItineraryPattern, SeasonalTrend
from apps.insights.tasks import rebuild_all
from apps.requests.models import ExperienceRequest, TravelerProfile
from apps.vendors.models import VendorMetrics
from tests.factories import make_booking_state, make_expert, make_offering, make_request, make_user, make_vendor

from .history import T0, at, book, booking_at, cancelled, completed, confirmed, declined, expired, finish_trip

JST = ZoneInfo("Asia/Tokyo")
H = dt.timedelta(hours=1)
METRIC_MODELS = (ExpertMetrics, VendorMetrics, TravelerProfile, ItineraryPattern, SeasonalTrend)


def jst(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JST)


def build_world():
    """Expert E with two booked trips (A: Tokyo, rated 5; B: Kyoto, rated 3) and two answers
    (C accepted after 2 h, then a chat answer after 1 h; D declined after 10 h). Vendors:
    V1 instant (3 bookings, one cancelled after confirmation), V2 manual (confirmed after
    6 h, declined, expired; rated 2)."""
    w = SimpleNamespace(expert=make_expert(), v1=make_vendor(), v2=make_vendor(confirmation="manual"))
    w.o1 = make_offering(w.v1, interests=["food"], base_price=Decimal("50"))
    w.o2 = make_offering(w.v1, interests=["food", "culture"], base_price=Decimal("50"))
    w.o3 = make_offering(w.v2, interests=["history"], base_price=Decimal("100"))
    w.o4 = make_offering(w.v2, interests=["nightlife"], base_price=Decimal("100"))
    w.t1, w.t2, w.t3, w.t4 = (make_user() for _ in range(4))
    w.a = make_booking_state(w.t1, expert=w.expert)
    w.b = make_booking_state(w.t2, expert=w.expert)
    ExperienceRequest.objects.filter(pk=w.b.request_id).update(destination="Kyoto")
    day = timezone.localdate() + dt.timedelta(days=20)
    completed(w.a, w.o1, start=jst(day, 9))
    confirmed(w.a, w.o2, start=jst(day, 10))
    slow = book(w.a, w.o3, start=jst(day, 15))
    booking_at(slow, "booking.requested", T0)
    booking_confirm(booking_id=slow.pk, actor=w.v2.user)
    booking_at(slow, "booking.confirmed", T0 + 6 * H)
    declined(w.a, w.o4)
    expired(w.b, w.o3)
    cancelled(w.b, w.o1)

    w.c = make_request(w.t3)
    expert_choose(state_id=w.c.pk, actor=w.t3, expert_id=w.expert.pk)
    at(w.c, "expert.chosen", T0)
    expert_accept(state_id=w.c.pk, actor=w.expert.user)
    at(w.c, "expert.accepted", T0 + 2 * H)
    message_post(state_id=w.c.pk, actor=w.t3, body="Any ramen tips?")
    message_post(state_id=w.c.pk, actor=w.t3, body="Vegetarian, please.")
    message_post(state_id=w.c.pk, actor=w.expert.user, body="Plenty!")
    at(w.c, "message.posted", T0 + 3 * H, 0)
    at(w.c, "message.posted", T0 + 3.5 * H, 1)
    at(w.c, "message.posted", T0 + 4 * H, 2)
    w.d = make_request(w.t4)
    expert_choose(state_id=w.d.pk, actor=w.t4, expert_id=w.expert.pk)
    at(w.d, "expert.chosen", T0)
    expert_decline(state_id=w.d.pk, actor=w.expert.user, reason="Away")
    at(w.d, "expert.declined", T0 + 10 * H)

    finish_trip(w.a)
    finish_trip(w.b)
    review_submit(state_id=w.a.pk, actor=w.t1, target="vendor", vendor_id=w.v2.pk, rating=2)
    review_submit(state_id=w.a.pk, actor=w.t1, target="expert", rating=5, comment="Wonderful")
    review_submit(state_id=w.b.pk, actor=w.t2, target="expert", rating=3)
    return w


def _fields(obj, *names):
    return {n: getattr(obj, n) for n in names}


@pytest.mark.django_db
def test_metrics_of_a_constructed_history():
    w = build_world()
    rebuild_all()

    e = ExpertMetrics.objects.get(expert=w.expert)
    assert _fields(e, "reviews", "satisfaction", "bookings_decided", "bookings_succeeded", "booking_success",
                   "responses", "response_avg_hours", "response_p95_hours") == {
        "reviews": 2, "satisfaction": Decimal("4.00"),  # (5 + 3) / 2
        "bookings_decided": 5, "bookings_succeeded": 3, "booking_success": Decimal("0.6000"),  # cancelled: undecided
        "responses": 3, "response_avg_hours": Decimal("4.33"),  # 2 h, 10 h, chat 1 h (from the first question)
        "response_p95_hours": Decimal("10.00")}  # nearest rank: ceil(0.95 × 3) = 3rd of [1, 2, 10]
    assert e.specialties == {"destinations": [["Tokyo", 1]], "experience_types": [["travel", 1]],
                             "interests": [["culture", 1], ["food", 1]]}  # only the trip rated 4+

    v1, v2 = VendorMetrics.objects.get(vendor=w.v1), VendorMetrics.objects.get(vendor=w.v2)
    assert _fields(v2, "bookings", "confirmed", "declined", "expired", "cancelled", "confirm_avg_hours",
                   "decline_expiry_rate", "cancellation_rate", "reviews", "quality", "price_ratio", "reliability") == {
        "bookings": 3, "confirmed": 1, "declined": 1, "expired": 1, "cancelled": 0,
        "confirm_avg_hours": Decimal("6.00"), "decline_expiry_rate": Decimal("0.6667"),  # 2 of 3 decided
        "cancellation_rate": Decimal("0.0000"), "reviews": 1, "quality": Decimal("2.00"),
        "price_ratio": Decimal("2.0000"),  # 100 against V1's 50
        # (0.4 × 0.3333 + 0.2 × 1 + 0.3 × 2/5 + 0.1 × 1/(1 + 6/24)) / 1.0
        "reliability": Decimal("0.5333")}
    assert _fields(v1, "bookings", "confirmed", "cancelled", "decline_expiry_rate", "cancellation_rate",
                   "confirm_avg_hours", "quality", "price_ratio", "reliability") == {
        "bookings": 3, "confirmed": 3, "cancelled": 1, "decline_expiry_rate": Decimal("0.0000"),
        "cancellation_rate": Decimal("0.3333"), "confirm_avg_hours": Decimal("0.00"), "quality": None,
        "price_ratio": Decimal("0.5000"),
        # no reviews: (0.4 × 1 + 0.2 × 0.6667 + 0.1 × 1) / 0.7
        "reliability": Decimal("0.9048")}

    p1 = TravelerProfile.objects.get(traveler=w.t1)
    assert _fields(p1, "trips_completed", "bookings_kept", "reviews_given", "rating_given_avg", "morning_share",
                   "interests", "expert_affinity") == {
        "trips_completed": 1, "bookings_kept": 3, "reviews_given": 2, "rating_given_avg": Decimal("3.50"),
        "morning_share": Decimal("0.6667"),  # 09:00 and 10:00 of 09:00, 10:00, 15:00 Tokyo time
        "interests": {"culture": 1.0, "food": 1.0, "history": 1.0}, "expert_affinity": [w.expert.pk]}
    p2 = TravelerProfile.objects.get(traveler=w.t2)
    assert (p2.bookings_kept, p2.morning_share, p2.expert_affinity, p2.rating_given_avg) == (0, None, [],
                                                                                             Decimal("3.00"))


def _snapshot():
    return {model.__name__: sorted((tuple(sorted((k, str(v)) for k, v in model_to_dict(row).items()
                                                 if k not in ("id", "updated_at"))))
                                   for row in model.objects.all()) for model in METRIC_MODELS}


@pytest.mark.django_db(transaction=True)
def test_rebuild_reproduces_the_incremental_rows(monkeypatch):
    """Every command commits for real; the engine queues ``on_event`` (run at once: sync
    queue) after each commit. A rebuild from scratch must then give the same rows."""
    monkeypatch.setattr(Conf, "SYNC", True)
    w = build_world()
    assert not Failure.objects.exists()
    incremental = _snapshot()
    assert ExpertMetrics.objects.get(expert=w.expert).response_avg_hours == Decimal("4.33")
    assert len(incremental["VendorMetrics"]) == 2 and len(incremental["SeasonalTrend"]) == 24
    for model in METRIC_MODELS:
        model.objects.all().delete()
    rebuild_all()
    assert _snapshot() == incremental
