"""Even days (balance.even_out) on hand-made days: a thin day next to full ones gets its
pace's fewest sights, without leaving its neighbourhoods, its transfer cap or its hours."""
from decimal import Decimal

from apps.itineraries.planner import order
from apps.itineraries.planner.balance import NEIGHBOURHOOD_KM, even_out, spread_km
from apps.itineraries.planner.build import DAY, MEALS, PACES, Node, is_sight, problem_for
from apps.itineraries.planner.candidates import FREE_MEAL, Candidate
from apps.itineraries.planner.travel import haversine_km

HOTEL = (35.68, 139.70)
KM_LAT, KM_LON = 1 / 111.2, 1 / 90.3  # degrees of one km north, east (at 35.68° N)
KINDS = ["museum", "garden", "temple", "market", "viewpoint", "gallery"]


def at(north_km: float, east_km: float) -> tuple[float, float]:
    return HOTEL[0] + north_km * KM_LAT, HOTEL[1] + east_km * KM_LON


def minutes(a, b) -> int:
    return round(haversine_km(a, b) * 12)  # a walk of 5 km/h: 12 min a km


def sight(name: str, where, days: int, k: int) -> Node:
    cand = Candidate(key=f"place:{name}", title=name, kind="activity", lat=where[0], lon=where[1], duration=60,
                     windows={}, price=None, indoor=True, category=KINDS[k % len(KINDS)], score=10.0)
    return Node(cand, tuple((d * DAY + 9 * 60, d * DAY + 17 * 60) for d in range(days)))


def lunch(day: int, where=None) -> Node:
    """The day's restaurant at ``where``, else the spare lunch of the traveler's choosing."""
    lo, hi = MEALS["lunch"]
    duration = 90
    cand = Candidate(key=f"place:lunch{day}" if where else "", title="Lunch", kind="meal",
                     lat=(where or HOTEL)[0], lon=(where or HOTEL)[1], duration=duration, windows={}, price=None,
                     indoor=True, category="restaurant" if where else FREE_MEAL)
    return Node(cand, ((day * DAY + lo, day * DAY + hi - duration),), meal="lunch", spare=where is None)


def balanced(nodes, routes, pace):
    problem = problem_for(nodes, HOTEL, len(routes), pace, minutes)
    anywhere = {v for v, node in enumerate(nodes, 1) if node.cand.category == FREE_MEAL}
    for r, route in enumerate(routes):
        assert order.timetable(problem, r, route, anywhere) is not None
    even_out(problem, routes, nodes, pace, anywhere, max_transfer=120, money_left=Decimal(0))
    for r, route in enumerate(routes):
        assert order.timetable(problem, r, route, anywhere) is not None
        assert order.travel_of(problem, route, anywhere) <= 120
        assert spread_km([nodes[v - 1].cand.location for v in route if v not in anywhere]) <= NEIGHBOURHOOD_KM
    return [sum(is_sight(nodes[v - 1]) for v in route) for route in routes]


def test_a_thin_day_gives_up_the_restaurant_that_holds_it_away_from_the_sights():
    """Day 2 has one sight north and its lunch 3 km south: no sight of the full day (3 km
    east) joins those two corners, but one does when lunch is of the traveler's choosing."""
    east = [sight(f"East {k}", at(0.1 * k, 3), 2, k) for k in range(4)]
    north = sight("North", at(1, 0), 2, 4)
    nodes = east + [north, lunch(1, at(-3, 0)), lunch(1)]
    routes = [[1, 2, 3, 4], [5, 6]]
    assert balanced(nodes, routes, PACES["relaxed"]) == [3, 2]
    assert 6 not in routes[1] and 7 in routes[1]  # the restaurant gave way


def test_a_thin_day_takes_a_sight_of_a_day_at_the_pace_that_takes_one_from_a_full_day():
    """Day 3 (north and west) cannot take any sight of day 1 (east); day 2 lends it its
    northern sight and takes one of day 1's instead."""
    east = [sight(f"East {k}", at(0.1 * k, 3), 3, k) for k in range(5)]
    middle = [sight("Middle north", at(1.5, 0), 3, 0)] + [sight(f"South {k}", at(-1, 0.1 * k), 3, k + 1)
                                                          for k in range(3)]
    thin = [sight("North 1", at(1, 0), 3, 2), sight("North 2", at(1, 0.1), 3, 3), sight("West", at(0, -3), 3, 4)]
    nodes = east + middle + thin
    routes = [[1, 2, 3, 4, 5], [6, 7, 8, 9], [10, 11, 12]]
    assert balanced(nodes, routes, PACES["moderate"]) == [4, 4, 4]
    assert 6 in routes[2] and any(v in routes[1] for v in range(1, 6))


def test_when_the_pace_cannot_be_held_every_day_no_day_is_left_empty():
    """A packed trip (six sights a day) that holds only eleven sights, all on day 1 and
    day 2: no day is above the pace, yet the empty third day takes sights of the others
    until no day has two more than another (a thin market is spread, not piled up)."""
    sights = [sight(f"Centre {k}", at(0.1 * k, 0.1 * (k % 3)), 3, k) for k in range(11)]
    routes = [list(range(1, 7)), list(range(7, 12)), []]
    counts = balanced(sights, routes, PACES["packed"])
    assert sorted(counts) == [3, 4, 4] and max(counts) - min(counts) <= 1


def test_evening_out_keeps_a_day_in_its_corner_of_the_city_unless_another_day_is_above_the_pace():
    """Two clusters 9 km apart, by taxi (3 min a km, inside the transfer cap). A day merely
    fuller than a thin one keeps its sights: a sight across the city would make a detour
    out of the thin day just to even the numbers (a local expert strikes it out). A day
    above the pace does give one, as the pace rule then outweighs the detour."""
    def by_taxi(a, b) -> int:
        return round(haversine_km(a, b) * 3)

    def counts(east_sights: int) -> list[int]:
        east = [sight(f"East {k}", at(0.1 * k, 4.5), 2, k) for k in range(east_sights)]
        west = [sight(f"West {k}", at(0.1 * k, -4.5), 2, k + 1) for k in range(3)]
        nodes = east + west
        routes = [list(range(1, east_sights + 1)), list(range(east_sights + 1, east_sights + 4))]
        problem = problem_for(nodes, HOTEL, 2, PACES["packed"], by_taxi)
        even_out(problem, routes, nodes, PACES["packed"], set(), max_transfer=120, money_left=Decimal(0))
        return [sum(v <= east_sights for v in route) for route in routes]

    assert counts(5) == [5, 0]  # 5 and 3 sights, both below the pace's 6: no detour
    assert counts(7) == [5, 2]  # 7 is above the pace: the thin day takes one, then a second from there
