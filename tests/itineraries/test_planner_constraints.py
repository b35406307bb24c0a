"""The product planner on small hand-made trips whose best answer is known."""
import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.itineraries.planner.build import PACES
from apps.itineraries.planner.conflicts import Wish
from apps.itineraries.planner.scoring import Signals, score
from apps.itineraries.planner.service import plan_for_request
from apps.itineraries.planner.travel import travel_matrix
from tests.factories import make_offering, make_place, make_request, make_slot, make_vendor

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)
CENTRE = (35.6895, 139.69171)  # where geonames puts Tokyo: the day's start without a hotel


def request_for(days=1, start=MON, **overrides):
    values = dict(start_date=start, end_date=start + dt.timedelta(days=days - 1), interests=["culture"],
                  dietary_restrictions=[], accommodation="none")
    values.update(overrides)
    return make_request(**values).request


def plan(request, **kwargs):
    kwargs.setdefault("weather", {})
    kwargs.setdefault("max_iterations", 300)
    return plan_for_request(request, **kwargs)


def at(day, hh, mm=0):
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TZ)


def activities(p):
    return [i for i in p.items if i.kind == "activity"]


def left_reason(p, title):
    return next((x["reason"] for x in p.left_out if x["title"] == title), None)


def test_five_candidate_day_matches_brute_force():
    """Hours (not the pace cap) bind: 5 sights of one neighbourhood, 10:00–16:00; the best
    subset and order win."""
    spots = [("A", 35.690, 139.700, 120, ["culture", "art"]), ("B", 35.6925, 139.7025, 90, ["culture"]),
             ("C", 35.6825, 139.7075, 60, []), ("D", 35.6975, 139.6975, 120, ["culture", "history"]),
             ("E", 35.68975, 139.698, 45, ["art"])]
    for name, lat, lon, minutes, interests in spots:
        make_place(name=name, lat=lat, lon=lon, typical_visit_min=minutes, interests=interests,
                   opening_hours="Mo-Su 10:00-16:00")
    request = request_for(interests=["culture", "history", "art"])
    result = plan(request)

    points = [CENTRE] + [(lat, lon) for _, lat, lon, _, _ in spots]
    travel = travel_matrix(points)
    values = [score(interests=i, wanted=request.interests, rating=0, vendor_id=None, vendor_rating=0,
                    preferred_by="", signals=Signals())[0] for *_, i in spots]
    day_start, day_end = PACES["moderate"].day_start, PACES["moderate"].day_end
    best = 0.0
    for size in range(1, 6):
        for order in itertools.permutations(range(5), size):
            t, prev, ok = day_start, 0, True
            for k in order:
                start = max(t + travel[prev][k + 1], 600)
                if start + spots[k][3] > 960:
                    ok = False
                    break
                t, prev = start + spots[k][3], k + 1
            if ok and t + travel[prev][0] <= max(day_end, 22 * 60):
                best = max(best, sum(values[k] for k in order))
    chosen = {i.title for i in activities(result)}
    assert sum(values[k] for k, s in enumerate(spots) if s[0] in chosen) == pytest.approx(best)
    for item in activities(result):
        assert at(MON, 10) <= item.start and item.end <= at(MON, 16)


def test_opening_hours_per_weekday():
    make_place(name="Closed on Mondays", opening_hours="Mo off; Tu-Su 09:00-17:00")
    result = plan(request_for(days=2))
    (item,) = activities(result)
    assert item.start.date() == MON + dt.timedelta(days=1)
    assert "open then" in item.reasoning


def test_unknown_hours_assume_daytime_and_say_so():
    make_place(name="Unknown hours", opening_hours="")
    (item,) = activities(plan(request_for()))
    assert at(MON, 9) <= item.start and item.end <= at(MON, 18)
    assert "opening hours not known — check before you go" in item.reasoning
    assert "open then" not in item.reasoning


def test_vendor_slots_fix_the_start_and_the_slot():
    offering = make_offering(title="Sushi workshop", interests=["culture"], duration_min=90)
    make_slot(offering, start=at(MON, 14))
    other = make_slot(offering, start=at(MON, 7))  # before the day starts
    (item,) = activities(plan(request_for()))
    assert item.start == at(MON, 14) and item.slot_id != other.pk and item.slot_id is not None
    assert item.offering_id == offering.pk
    assert "free slot at 14:00" in item.reasoning


def test_travel_time_counts_between_items():
    """Two sights 25 km apart, both open only 10:00–12:00: travel rules one out."""
    make_place(name="Near", lat=35.69, lon=139.70, opening_hours="Mo-Su 10:00-12:00", interests=["culture"])
    make_place(name="Far", lat=35.69, lon=139.98, opening_hours="Mo-Su 10:00-12:00")
    result = plan(request_for())
    assert [i.title for i in activities(result)] == ["Near"]
    assert left_reason(result, "Far") == "away from the neighbourhoods of your days"
    first = activities(result)[0]
    assert first.travel_from_previous_min == travel_matrix([CENTRE, (35.69, 139.70)])[0][1]


def test_too_far_for_a_day_is_explained():
    make_place(name="Mountain shrine", lat=35.95, lon=139.95, opening_hours="Mo-Su 10:00-11:00", typical_visit_min=30)
    result = plan(request_for())
    assert activities(result) == []
    assert left_reason(result, "Mountain shrine") == "too far from the hotel for a day's plan"


@pytest.mark.parametrize("pace", ["relaxed", "moderate", "packed"])
def test_pace_sets_day_hours_and_number_of_sights(pace):
    kinds = ["museum", "garden", "landmark", "market"]
    for k in range(20):
        make_place(name=f"Sight {k}", category=kinds[k % 4], lat=35.69 + k * 0.0005, lon=139.70, typical_visit_min=45,
                   opening_hours="Mo-Su 07:00-23:00")
    rule = PACES[pace]
    result = plan(request_for(pace=pace, days=2))
    for day in result.days:
        items = [i for i in day.items if i.kind == "activity"]
        assert len(items) == rule.sights[1]  # enough sights and time: the pace's number binds
        assert max(sum(1 for i in items if i.title in {f"Sight {k}" for k in range(j, 20, 4)}) for j in range(4)) \
            <= rule.same_kind  # and no more than a few of one kind
        midnight = dt.datetime.combine(day.date, dt.time(), tzinfo=TZ)
        for item in items:
            assert midnight + dt.timedelta(minutes=rule.day_start) <= item.start
            assert item.end <= midnight + dt.timedelta(minutes=rule.day_end)


def test_meals_in_their_windows_at_restaurants_fitting_the_diet():
    make_place(name="Veggie place", category="restaurant", dietary=["vegetarian"], opening_hours="Mo-Su 11:00-22:00",
               interests=["food"])
    make_place(name="Steak house", category="restaurant", dietary=["meat_focused"],
               opening_hours="Mo-Su 11:00-22:00", interests=["food"])
    result = plan(request_for(dietary_restrictions=["vegetarian"]))
    meals = [i for i in result.items if i.kind == "meal"]
    assert [m.title for m in meals] == ["Veggie place", "Dinner: your choice nearby"]  # never the same one twice
    lunch, dinner = meals
    assert dinner.lat is None and "no other restaurant we know nearby serves vegetarian" in dinner.reasoning
    assert at(MON, 11, 30) <= lunch.start and lunch.end <= at(MON, 14)
    assert at(MON, 18) <= dinner.start and dinner.end <= at(MON, 21)
    assert "lunch window" in lunch.reasoning and "dinner window" in dinner.reasoning
    assert left_reason(result, "Steak house") == "does not serve vegetarian"


def test_a_repeated_restaurant_is_replaced_by_another_fitting_the_diet():
    for name in ("Green one", "Green two"):
        make_place(name=name, category="restaurant", dietary=["vegan"], opening_hours="Mo-Su 11:00-22:00")
    make_place(name="Grill", category="restaurant", dietary=["meat_focused"], opening_hours="Mo-Su 11:00-22:00",
               interests=["food"])
    result = plan(request_for(days=2, dietary_restrictions=["vegetarian"]))
    meals = [i.title for i in result.items if i.kind == "meal"]
    assert len(meals) == 4 and sorted(meals[:2]) == ["Green one", "Green two"]  # day 1: both, once each
    assert all("your choice" in title for title in meals[2:])  # day 2: no repeat, no grill


def test_budget_keeps_the_best_value_within_the_maximum():
    make_place(name="Pricey", price=Decimal("30000"), interests=["culture"])  # 2 people × 30,000 JPY
    make_place(name="Cheap", price=Decimal("2000"), interests=["culture"], lat=35.681)
    make_place(name="Free", lat=35.682)
    request = request_for(budget_min=Decimal("10"), budget_max=Decimal("200"))
    result = plan(request)
    titles = {i.title for i in activities(result)}
    assert titles == {"Cheap", "Free"}
    assert result.total <= request.budget_max and result.currency == "USD"
    assert left_reason(result, "Pricey") == "over budget"
    cheap = next(i for i in result.items if i.title == "Cheap")
    assert Decimal("20") < cheap.price < Decimal("40")  # 4,000 JPY in USD


def test_a_day_takes_its_stops_in_the_order_of_least_travel():
    """No zig-zag: four sights around the centre, open all day, are visited in the order
    whose travel no other order beats."""
    spots = [(35.6955, 139.69171), (35.6895, 139.6987), (35.6835, 139.69171), (35.6895, 139.6847)]
    for k, ((lat, lon), kind) in enumerate(zip(spots, ["museum", "garden", "temple", "gallery"])):
        make_place(name=f"S{k}", lat=lat, lon=lon, category=kind, typical_visit_min=45,
                   opening_hours="Mo-Su 08:00-20:00")
    result = plan(request_for())
    sights = activities(result)
    assert len(sights) == 4
    travel = travel_matrix([CENTRE] + spots)

    def around(order):
        legs = zip((0, *order), (*order, 0))
        return sum(travel[a][b] for a, b in legs)

    planned = around([int(i.title[1]) + 1 for i in sights])
    assert planned == min(around([k + 1 for k in order]) for order in itertools.permutations(range(4)))


def test_a_meal_over_budget_becomes_a_meal_of_your_choice():
    """The budget drops the priciest paid meal, never the day's dinner itself."""
    make_place(name="Noodle bar", category="restaurant", price=Decimal("1000"), opening_hours="Mo-Su 11:00-22:00")
    make_place(name="Kaiseki", category="restaurant", price=Decimal("30000"), opening_hours="Mo-Su 11:00-22:00")
    request = request_for(budget_min=Decimal("10"), budget_max=Decimal("100"))
    result = plan(request)
    meals = [i for i in result.items if i.kind == "meal"]
    assert len(meals) == 2 and "Noodle bar" in {m.title for m in meals}
    free = next(m for m in meals if m.title != "Noodle bar")
    assert "your choice" in free.title and free.price is None and "budget" in free.reasoning
    assert result.total <= request.budget_max and left_reason(result, "Kaiseki") == "over budget"


def test_minimum_notice_rules_out_early_slots():
    vendor = make_vendor(min_notice_hours=24 * 365 * 3)
    offering = make_offering(vendor, title="Last-minute cruise")
    make_slot(offering, start=at(MON, 10))
    result = plan(request_for())
    assert activities(result) == []
    assert left_reason(result, "Last-minute cruise") == f"needs {24 * 365 * 3} h notice"


def test_full_slots_are_not_candidates():
    offering = make_offering(title="Tiny class")
    make_slot(offering, start=at(MON, 10), capacity=1)
    result = plan(request_for())
    assert left_reason(result, "Tiny class") == "no free slot for 2 people"


def test_hotel_is_start_and_end_of_every_day():
    hotel_vendor = make_vendor(vendor_type="hotel", lat=35.70, lon=139.70, rating=Decimal("4.5"))
    hotel = make_offering(hotel_vendor, title="Mid Hotel", kind="stay", price_unit="night",
                          base_price=Decimal("150"), currency="USD")
    make_offering(make_vendor(vendor_type="hotel"), title="Palace", kind="stay", price_unit="night",
                  base_price=Decimal("900"), currency="USD")
    make_place(name="Museum", lat=35.71, lon=139.71)
    result = plan(request_for(days=3, accommodation="mid-range"))
    (stay,) = [i for i in result.items if i.kind == "stay"]  # one item for both nights
    assert (stay.title, stay.offering_id, stay.price) == ("Mid Hotel", hotel.pk, Decimal("300.00"))
    assert (stay.start, stay.end) == (at(MON, 15), at(MON + dt.timedelta(days=2), 11))
    (museum,) = activities(result)
    assert museum.travel_from_previous_min == travel_matrix([(35.70, 139.70), (35.71, 139.71)])[0][1]
    assert result.total == Decimal("300.00")


def test_wheelchair_users_get_accessible_places_only():
    make_place(name="Steps only", wheelchair="no")
    make_place(name="Ramp", wheelchair="yes", lat=35.681)
    make_place(name="Not sure", wheelchair="unknown", lat=35.682)
    result = plan(request_for(accessibility=["wheelchair"]))
    assert {i.title for i in activities(result)} == {"Ramp", "Not sure"}
    assert left_reason(result, "Steps only") == "not wheelchair accessible"
    assert "wheelchair access not confirmed" in next(i for i in result.items if i.title == "Not sure").reasoning


def test_rain_moves_outdoor_sights_to_dry_hours_and_prefers_indoor():
    make_place(name="Garden", category="garden", indoor=False, opening_hours="Mo-Su 09:00-17:00",
               interests=["culture"])
    make_place(name="Gallery", indoor=True, lat=35.681)
    weather = {MON: {"summary": "rain", "rain_hours": list(range(9, 15))}}
    result = plan(request_for(), weather=weather)
    garden = next(i for i in result.items if i.title == "Garden")
    assert garden.start >= at(MON, 15)
    assert "outdoors in the dry hours (rain 09:00–15:00)" in garden.reasoning
    gallery = next(i for i in result.items if i.title == "Gallery")
    assert "indoors, out of the rain (09:00–15:00)" in gallery.reasoning
    assert result.days[0].weather["rain_hours"] == list(range(9, 15))


def test_rain_all_day_leaves_outdoor_sights_out():
    make_place(name="Garden", category="garden", indoor=False)
    result = plan(request_for(), weather={MON: {"rain_hours": list(range(0, 24))}})
    assert activities(result) == []
    assert left_reason(result, "Garden") == "closed (or raining) during the hours planned for each day"


def test_holidays_are_noted_and_crowded_sights_moved_away():
    sunday = dt.date(2027, 3, 20)  # Saturday; Sunday 21 is Vernal Equinox Day
    make_place(name="Shrine", category="religious_site", indoor=False, opening_hours="Mo-Su 09:00-17:00")
    result = plan(request_for(days=2, start=sunday))
    holiday = result.days[1]
    assert holiday.notes == "Public holiday: Vernal Equinox Day"
    (shrine,) = activities(result)
    assert shrine.start.date() == sunday


def test_holiday_only_trip_warns_of_crowds():
    make_place(name="Shrine", category="religious_site", indoor=False, opening_hours="Mo-Su 09:00-17:00")
    (shrine,) = activities(plan(request_for(start=dt.date(2027, 3, 21))))
    assert "public holiday (Vernal Equinox Day): expect crowds" in shrine.reasoning
    assert "crowds likely" in shrine.reasoning


def test_pinned_outdoor_tour_moves_out_of_the_rain():
    """The seed example: 09:00 outdoor tour pinned by the expert, rain until 11:00, vendor
    slots at 09:00 and 15:00 → 15:00, "better weather"."""
    offering = make_offering(title="Yanaka walking tour", indoor=False, duration_min=120)
    make_slot(offering, start=at(MON, 9))
    make_slot(offering, start=at(MON, 15))
    pin = Wish(offering_id=offering.pk, title=offering.title, day=MON, start_time=dt.time(9), pinned=True)
    result = plan(request_for(), wishes=[pin], weather={MON: {"rain_hours": [6, 7, 8, 9, 10]}})
    assert result.conflicts == [{"item": "Yanaka walking tour", "resolution": "moved to 15:00",
                                 "reason": "better weather: rain until 11:00"}]
    (tour,) = activities(result)
    assert tour.start == at(MON, 15) and tour.pinned
    assert "pinned by your expert at 09:00 (moved to 15:00: better weather: rain until 11:00)" in tour.reasoning


def test_pinned_item_kept_at_its_time_and_preferred_gets_a_bonus():
    offering = make_offering(title="Tea ceremony", indoor=True, duration_min=60, interests=[])
    make_slot(offering, start=at(MON, 10))
    make_slot(offering, start=at(MON, 16))
    make_place(name="Favourite museum", interests=[])
    recs = [Wish(offering_id=offering.pk, title="Tea ceremony", day=MON, start_time=dt.time(16), pinned=True),
            Wish(title="Favourite museum")]
    result = plan(request_for(), wishes=recs)
    assert result.conflicts == []
    tea = next(i for i in result.items if i.title == "Tea ceremony")
    assert tea.start == at(MON, 16) and "pinned by your expert at 16:00" in tea.reasoning
    museum = next(i for i in result.items if i.title == "Favourite museum")
    assert "recommended by your expert" in museum.reasoning


def test_pin_without_any_usable_time_is_reported():
    offering = make_offering(title="Boat ride", indoor=False)
    make_slot(offering, start=at(MON, 10))
    pin = Wish(offering_id=offering.pk, title="Boat ride", day=MON, start_time=dt.time(10), pinned=True)
    result = plan(request_for(), wishes=[pin], weather={MON: {"rain_hours": list(range(24))}})
    assert result.conflicts == [{"item": "Boat ride", "resolution": "dropped",
                                 "reason": "better weather: rain until 24:00"}]
    assert activities(result) == []


def test_vendor_reliability_signal_changes_the_choice():
    """Two identical tours at the same time: the more reliable vendor wins."""
    picks = []
    for reliability in ({"A": 0.2, "B": 0.95}, {"A": 0.95, "B": 0.2}):
        offerings = {}
        for name in "AB":
            offering = make_offering(title=f"Tour {name} {len(picks)}", interests=["culture"])
            make_slot(offering, start=at(MON, 10))
            offerings[name] = offering
        signals = {"reliability": {offerings[n].vendor_id: r for n, r in reliability.items()}}
        result = plan(request_for(), signals=signals)
        chosen = {i.offering_id for i in activities(result) if i.start == at(MON, 10)}
        picks.append("A" if offerings["A"].pk in chosen else "B")
        for o in offerings.values():
            o.delete()
    assert picks == ["B", "A"]


def test_plan_is_json_able_and_deterministic_for_a_seed():
    import json

    for k in range(6):
        make_place(name=f"S{k}", lat=35.68 + k * 0.01, lon=139.7 + k * 0.01, interests=["culture"] if k % 2 else [])
    request = request_for(days=2)
    first, second = plan(request, seed=3), plan(request, seed=3)
    assert json.loads(json.dumps(first.as_dict())) == second.as_dict()


def test_a_sight_sold_by_a_vendor_is_planned_once_through_its_offering():
    from apps.itineraries.planner.candidates import Candidate, not_sold_by_vendors

    def cand(key, title, lat, kind="activity", vendor_name=""):
        return Candidate(key=key, title=title, kind=kind, lat=lat, lon=139.79, duration=60, windows={}, price=None,
                         indoor=False, vendor_name=vendor_name)

    offer = cand("offering:1", "Sensō-ji (timed entry)", 35.7148, vendor_name="Sensō-ji")
    places = [cand("place:1", "Sensō-ji", 35.7148), cand("place:2", "Sensō-ji", 35.7160),
              cand("place:3", "Sensō-ji", 35.7148, "meal"), cand("place:4", "Nakamise", 35.7148)]
    assert [p.key for p in not_sold_by_vendors(places, [offer])] == ["place:2", "place:3", "place:4"]
