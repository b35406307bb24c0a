"""The rules a local expert applies to a day, each on a small hand-made trip."""
import datetime as dt
import itertools
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.integrations.travel import OfflineTravel
from apps.itineraries.planner import order, toptw
from apps.itineraries.planner.service import plan_for_request
from tests.factories import make_offering, make_place, make_request, make_vendor

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Tokyo")
MON = dt.date(2027, 3, 15)
CENTRE = (35.6895, 139.69171)  # where geonames puts Tokyo: the days' start without a hotel


def request_for(days=1, **overrides):
    values = dict(start_date=MON, end_date=MON + dt.timedelta(days=days - 1), interests=["culture"],
                  dietary_restrictions=[], accommodation="none")
    values.update(overrides)
    return make_request(**values).request


def plan(request, **kwargs):
    return plan_for_request(request, weather={}, max_iterations=300, **kwargs)


def sights_around(n, *, step=0.002, **kwargs):
    """``n`` open-all-day sights of varied kinds a few hundred metres apart around the centre."""
    kinds = ["museum", "garden", "religious_site", "landmark", "market", "viewpoint", "park", "gallery"]
    return [make_place(name=f"Sight {k}", lat=CENTRE[0] + step * (k % 3), lon=CENTRE[1] + step * (k // 3),
                       category=kinds[k % len(kinds)], opening_hours="Mo-Su 08:00-21:00", **kwargs) for k in range(n)]


def restaurant(name, *, cuisine="", dietary=(), lat=CENTRE[0], lon=CENTRE[1], **kwargs):
    return make_place(name=name, category="restaurant", lat=lat, lon=lon, typical_visit_min=60, cuisine=cuisine,
                      dietary=list(dietary), opening_hours=kwargs.pop("opening_hours", "Mo-Su 11:00-22:00"), **kwargs)


def meals(p):
    return [i for i in p.items if i.kind == "meal"]


def test_relaxed_day_keeps_to_its_sights_starts_late_and_has_a_long_lunch():
    sights_around(9, interests=["culture"])
    restaurant("Lunch place", cuisine="soba")
    restaurant("Dinner place", cuisine="tempura")
    (day,) = plan(request_for(pace="relaxed")).days
    sights = [i for i in day.items if i.kind == "activity"]
    assert 2 <= len(sights) <= 4  # nine fit the hours: the pace, not the clock, decides
    assert day.items[0].start >= dt.datetime(2027, 3, 15, 10, tzinfo=TZ)
    lunch = next(i for i in day.items if i.kind == "meal" and i.start.hour < 15)
    assert lunch.end - lunch.start >= dt.timedelta(minutes=90) and "the day's break" in lunch.reasoning


def test_a_thin_market_is_spread_over_the_days():
    sights_around(8)
    p = plan(request_for(days=2, pace="moderate"))
    counts = [sum(i.kind == "activity" for i in d.items) for d in p.days]
    assert counts == [4, 4]  # not 6 and 2


def test_a_restaurant_is_not_repeated_and_its_replacement_fits_the_diet():
    sights_around(4)
    best = restaurant("Green Bowl", dietary=["vegetarian"], cuisine="salads", interests=["culture", "food"])
    restaurant("Steak House", dietary=[], cuisine="steak", interests=["culture", "food"])
    other = restaurant("Veggie Curry", dietary=["vegan", "vegetarian"], cuisine="curry", lat=CENTRE[0] + 0.003)
    p = plan(request_for(dietary_restrictions=["vegetarian"], interests=["culture", "food"]))
    assert sorted(i.title for i in meals(p)) == sorted([best.name, other.name])


def test_two_meals_in_a_row_are_not_of_one_cuisine():
    sights_around(4)
    restaurant("Ramen One", cuisine="ramen", interests=["culture", "food"])
    restaurant("Ramen Two", cuisine="ramen", interests=["culture", "food"])
    restaurant("Soba House", cuisine="soba", lat=CENTRE[0] + 0.004)  # further and without interests: scored lower
    p = plan(request_for(days=2, interests=["culture", "food"]))
    titles = [i.title for i in meals(p)]
    assert len(titles) == 4 and "Soba House" in titles
    cuisines = [{"Ramen One": "ramen", "Ramen Two": "ramen", "Soba House": "soba"}.get(t, "") for t in titles]
    assert all(not a or a != b for a, b in zip(cuisines, cuisines[1:]))
    assert any("your choice" in t for t in titles)  # a fourth meal: their pick rather than ramen again


def test_unknown_hours_never_claim_open_then():
    make_place(name="Hours unknown", lat=CENTRE[0], lon=CENTRE[1], opening_hours="")
    restaurant("Unknown kitchen", opening_hours="")
    p = plan(request_for())
    located = [i for i in p.items if i.title in ("Hours unknown", "Unknown kitchen")]
    assert len(located) == 2
    for item in located:
        assert "open then" not in item.reasoning
        assert "opening hours not known — check before you go" in item.reasoning


def test_a_stay_spans_its_nights_and_every_day_starts_there():
    hotel = make_offering(make_vendor(vendor_type="hotel", lat=CENTRE[0] - 0.004, lon=CENTRE[1]), title="Ueno Inn",
                          kind="stay", price_unit="night", base_price=Decimal("120"), currency="USD",
                          check_in=dt.time(15), check_out=dt.time(11))
    sights_around(9)
    p = plan(request_for(days=3, accommodation="mid-range", pace="relaxed"))
    (stay,) = [i for i in p.items if i.kind == "stay"]
    stay_point = (stay.lat, stay.lon)
    assert stay.offering_id == hotel.pk
    assert (stay.start, stay.end) == (dt.datetime(2027, 3, 15, 15, tzinfo=TZ), dt.datetime(2027, 3, 17, 11, tzinfo=TZ))
    for day in p.days:  # each day leaves the hotel, not yesterday's last stop
        first = next(i for i in day.items if i.kind != "stay")
        assert first.travel_from_previous_min == OfflineTravel().leg(stay_point, (first.lat, first.lon)).minutes > 0


def brute_force(problem, route, anywhere):
    feasible = [list(o) for o in itertools.permutations(route) if order.timetable(problem, 0, o, anywhere) is not None]
    return min(order.travel_of(problem, o, anywhere) for o in feasible)


@pytest.mark.parametrize("seed", range(6))
def test_day_order_is_the_best_order_under_the_same_windows(seed):
    """Random small days (points on a 10 km square, windows, a meal of the traveler's
    choosing): the exact order's travel equals the brute force's."""
    rng = random.Random(seed)
    n = 7
    points = [(rng.uniform(0, 10), rng.uniform(0, 10)) for _ in range(n + 1)]
    travel = [[round(2 + 4 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5) if a != b else 0 for b in points]
              for a in points]
    windows = [((0, 2000),)] + [((lo := rng.randrange(480, 900), lo + rng.randrange(60, 400)),) for _ in range(n)]
    vertices = [toptw.Vertex(v, 0 if v == 0 else 40, 0 if v == 0 else 1, windows[v]) for v in range(n + 1)]
    problem = toptw.Problem(vertices, travel, 1, [480], [1320])
    anywhere = {3}
    route = sorted(range(1, n + 1), key=lambda v: windows[v][0][0])
    while order.timetable(problem, 0, route, anywhere) is None:
        route.pop()
    best = order.best_order(problem, 0, route, anywhere)
    assert sorted(best) == sorted(route) and order.timetable(problem, 0, best, anywhere) is not None
    assert order.travel_of(problem, best, anywhere) == brute_force(problem, route, anywhere)


def test_a_planned_day_is_walked_in_its_best_order():
    """Sights on a line with wide hours: the plan visits them end to end, not back and forth."""
    for k, step in enumerate([0, 3, 1, 4, 2]):
        make_place(name=f"Stop {k}", lat=CENTRE[0], lon=CENTRE[1] + 0.006 * step, category=f"kind{k}",
                   opening_hours="Mo-Su 08:00-21:00")
    (day,) = plan(request_for(pace="packed")).days
    lons = [i.lon for i in day.items if i.kind == "activity"]
    assert len(lons) == 5 and lons in (sorted(lons), sorted(lons, reverse=True))


def test_golden_week_holidays_are_not_left_empty():
    """Three public holidays of four days: crowd-sensitive sights still fill the holidays
    (with a warning) rather than all waiting for the one ordinary day."""
    for k in range(8):
        make_place(name=f"Outdoor {k}", category=["park", "garden", "landmark", "market"][k % 4], indoor=False, lat=CENTRE[0] + 0.002 * k, lon=CENTRE[1],
                   opening_hours="Mo-Su 08:00-19:00")
    p = plan_for_request(make_request(start_date=dt.date(2027, 5, 3), end_date=dt.date(2027, 5, 6),
                                      interests=["culture"], dietary_restrictions=[], accommodation="none",
                                      pace="relaxed").request, weather={}, max_iterations=300)
    counts = [sum(i.kind == "activity" for i in d.items) for d in p.days]
    assert all(n >= 2 for n in counts), counts
    assert all("expect crowds" in i.reasoning for d in p.days[:3] for i in d.items if i.kind == "activity")
