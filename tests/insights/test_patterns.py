"""Historical patterns (popular itineraries, seasonal trends) and the
"travelers like you also booked" suggestions."""
import datetime as dt
import math
from decimal import Decimal

import holidays
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState
from apps.coordination.services.browse import plan_item_add
from apps.coordination.services.reviews import review_submit
from apps.insights.patterns import patterns_refresh
from apps.insights.recommend import also_booked_for_request
from apps.insights.selectors import seasonal_trends, starting_points
from apps.itineraries.models import Day, Item, Itinerary
from tests.factories import make_booking_state, make_offering, make_request, make_slot, make_user, make_vendor

from .history import confirmed, finish_trip

pytestmark = pytest.mark.django_db


def _trip(start, days, offerings, *, rating=None, weather=None):
    """A completed trip whose current itinerary visits ``offerings`` on its first day."""
    state = make_request(start_date=start, end_date=start + dt.timedelta(days=days - 1))
    itinerary = Itinerary.objects.create(request=state.request, version=1, time_zone="Asia/Tokyo", currency="JPY")
    day = Day.objects.create(itinerary=itinerary, date=start, weather=weather or {})
    for n, offering in enumerate(offerings):
        begin = dt.datetime.combine(start, dt.time(9 + 2 * n), tzinfo=dt.UTC)
        Item.objects.create(day=day, position=n, title=offering.title, start=begin, end=begin + dt.timedelta(hours=1),
                            offering=offering)
    CoordinationState.objects.filter(pk=state.pk).update(phase="confirmed", current_itinerary=itinerary)
    finish_trip(state)
    if rating:
        review_submit(state_id=state.pk, actor=state.request.traveler, target="itinerary", rating=rating)
    return state


def test_popular_itineraries_seasonal_trends_and_price_estimate():
    vendor = make_vendor()
    temple = make_offering(vendor, title="Temple walk", base_price=Decimal("100"))
    market = make_offering(vendor, title="Market tasting", base_price=Decimal("200"))
    march, april, july = dt.date(2027, 3, 10), dt.date(2027, 4, 5), dt.date(2027, 7, 1)
    _trip(march, 3, [temple, market], rating=5, weather={"summary": "sunny", "temp_max": 20, "temp_min": 10})
    _trip(march + dt.timedelta(days=10), 3, [market, temple], rating=3)
    _trip(april, 3, [temple])
    _trip(july, 2, [temple, market])
    for offering, month, price in ((temple, 3, "100"), (temple, 3, "100"), (temple, 7, "150"),
                                   (market, 3, "200"), (market, 7, "200")):
        make_slot(offering, start=dt.datetime(2027, month, 20, 1, tzinfo=dt.UTC), price=Decimal(price))

    assert patterns_refresh(["tokyo"]) == 1
    three_days = list(starting_points("Tokyo", 3))
    assert [(p.offering_ids, p.trips, p.ratings, p.rating_avg) for p in three_days] == [
        ([temple.pk, market.pk], 2, 2, Decimal("4.00")), ([temple.pk], 1, 0, None)]
    assert three_days[0].titles == ["Market tasting", "Temple walk"]  # the latest example, in order
    assert [(p.length_days, p.trips) for p in starting_points("Tokyo", 2)] == [(2, 1)]

    trends = {t.month: t for t in seasonal_trends("Tokyo")}
    assert len(trends) == 12
    japan = holidays.country_holidays("JP", years=timezone.now().year)
    per_month = {m: sum(1 for d in japan if d.month == m) for m in range(1, 13)}
    for month, volume in ((3, 2), (4, 1), (7, 1), (5, 0)):
        holiday_part = min(Decimal(1), Decimal(per_month[month]) / 3)
        expected = Decimal("0.7") * Decimal(volume) / 2 + Decimal("0.3") * holiday_part
        assert (trends[month].requests, trends[month].crowd_level) == (volume, expected.quantize(Decimal("0.01")))
    # Temple: 100, 100 in March and 150 in July (mean 116.67); market 200 in both.
    assert trends[3].price_multiplier == Decimal("0.929")  # (100/116.67 + 1) / 2
    assert trends[7].price_multiplier == Decimal("1.143")  # (150/116.67 + 1) / 2
    assert trends[5].price_multiplier is None
    assert trends[3].weather == {"summaries": {"sunny": 1}, "temp_max": 20.0, "temp_min": 10.0}


@pytest.fixture
def market():
    """Kept bookings: t1 and t2 took the temple with the market, t3 the temple with the
    garden, t4 the garden alone, t5 the temple with a Kyoto tour."""
    tokyo = make_vendor()
    o = {name: make_offering(tokyo, title=name) for name in ("Temple", "Market", "Garden")}
    o["Kyoto tour"] = make_offering(make_vendor(city="Kyoto"), title="Kyoto tour")
    for names in (("Temple", "Market"), ("Temple", "Market"), ("Temple", "Garden"), ("Garden",),
                  ("Temple", "Kyoto tour")):
        state = make_booking_state()
        for name in names:
            confirmed(state, o[name])
    state = make_booking_state(phase="planning")
    plan_item_add(state_id=state.pk, actor=state.request.traveler, offering_id=o["Temple"].pk)
    return state, o


def test_also_booked_scores_and_explains(market):
    state, o = market
    suggestions = also_booked_for_request(state)
    assert [(s.offering.title, s.score, s.together) for s in suggestions] == [
        ("Market", round(2 / math.sqrt(4 * 2), 4), 2),  # 4 took the temple, 2 the market, 2 both
        ("Garden", round(1 / math.sqrt(4 * 2), 4), 1)]  # the Kyoto tour is at another destination
    assert suggestions[0].reason == "booked together with Temple by 2 travelers"


@pytest.mark.parametrize("who,status", [("traveler", 200), ("vendor", 404), ("other", 404)])
def test_suggestions_api_scope(market, api_client, who, status):
    state, o = market
    users = {"traveler": state.request.traveler, "vendor": o["Market"].vendor.user, "other": make_user(Role.TRAVELER)}
    api_client.force_authenticate(users[who])
    response = api_client.get(reverse("api:request-suggestions", args=[state.request_id]))
    assert response.status_code == status
    if status == 200:
        assert [(s["title"], s["booked_together"], s["partner"]) for s in response.json()] == [
            ("Market", 2, o["Temple"].pk), ("Garden", 1, o["Temple"].pk)]
