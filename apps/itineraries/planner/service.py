"""Entry point of the product planner: a request in, a :class:`~.plan.Plan` out.

Reads vendors, places and the request and asks the providers; writes nothing and has no
side effects, so the coordination engine calls it before locking the state (then stores
the plan with :func:`apps.itineraries.services.itinerary_create_from_plan` in the command).
"""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import math
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.integrations.base import collect_missing
from apps.integrations.events import HOLIDAY
from apps.integrations.registry import get_provider

from . import order, toptw
from .areas import DAY_TRIP_KM, ZONE_KM, day_areas
from .balance import NEIGHBOURHOOD_MAX_KM, even_out, spread_km
from .build import (DAY, MEALS, PACES, Node, PaceRule, absolute, activity_node, is_sight, meal_ranges, problem_for,
                    rain_of, searchable)
from .candidates import FREE_MEAL, Candidate, LeftOut, Trip, collect
from .conflicts import Pin, Wish, hhmm, resolve
from .explain import reasoning
from .legs import bound_days
from .plan import Plan, PlanDay, PlanItem
from .scoring import Signals, score
from .stay import Stay, choose_stay
from .travel import haversine_km

RAIN_INDOOR_BONUS = 10.0
HOLIDAY_CROWD_FACTOR = 0.7
NOTABLE_LEFT_OUT = 15
UNKNOWN_WEATHER = {"summary": "unknown"}
MAX_TRANSFER_MIN = 120  # a city day spends at most this long getting from place to place
MEAL_KM_PENALTY = 8.0  # score points a restaurant loses per km from the day's neighbourhoods
MEAL_MAX_KM = 2.5  # further from the day's neighbourhoods a meal is a trip of its own
CUISINE_EATEN_PENALTY = 5.0  # score points a restaurant loses per meal of its cuisine already planned
FREE_MEAL_MIN = 60
LONG_LUNCH = 90  # a lunch with a break (a relaxed day's) lasts at least this long
# A trip's search finds its best plan within a few dozen steps (days hold a handful of
# visits): this many steps without a better one end it, well before the time limit. On the
# 48 requests of bench/plan_quality (seeds 0-2) 70 finds the very scores 100 does, 50 not.
PATIENCE = 70


def trip_for(request, now: dt.datetime | None = None) -> Trip:
    """The request as the planner sees it, with the events provider's holidays and events
    of its dates (offline: the ``holidays`` package's public holidays; down: those too,
    and a data note)."""
    n = (request.end_date - request.start_date).days + 1
    calendar = get_provider("events").calendar(country=request.country, lat=request.lat, lon=request.lon,
                                               start=request.start_date, end=request.end_date)
    return Trip(days=tuple(request.start_date + dt.timedelta(days=i) for i in range(n)),
                time_zone=request.time_zone, country=request.country, center=(request.lat, request.lon),
                party=request.party_size, currency=request.currency, now=now or timezone.now(),
                wheelchair=any("wheelchair" in str(a).lower() for a in request.accessibility),
                holidays={h.date: h.name for h in calendar.happenings if h.kind == HOLIDAY},
                events=tuple(h for h in calendar.happenings if h.is_event))


def _weather_by_day(trip: Trip, weather: Mapping | None) -> dict[dt.date, dict]:
    """Weather per day as JSON dicts; without ``weather`` ask the configured provider
    (offline: unknown)."""
    if weather is None:
        days = get_provider("weather").forecast(trip.center[0], trip.center[1], trip.days[0], trip.days[-1],
                                                trip.time_zone)
        weather = {d.date: d.as_dict() for d in days}
    given = {(dt.date.fromisoformat(k) if isinstance(k, str) else k): v for k, v in weather.items()}
    return {day: dict(given.get(day, UNKNOWN_WEATHER)) for day in trip.days}


def _wish_pins(wishes: Iterable[Wish], by_key: dict[str, Candidate]) -> tuple[list[Pin], dict[str, str]]:
    """Pinned wishes as pins; the other ones as preferred candidate keys (key → who asked)."""
    by_title = {c.title.casefold(): c.key for c in by_key.values()}
    pins, preferred = [], {}
    for wish in wishes:
        key = f"offering:{wish.offering_id}" if wish.offering_id else by_title.get(wish.title.casefold(), "")
        if wish.pinned and wish.day and wish.start_time:
            minute = wish.start_time.hour * 60 + wish.start_time.minute
            why = (_("pinned by your expert at %(time)s") if wish.by == "expert"
                   else _("at %(time)s, as you asked")) % {"time": hhmm(minute)}
            pins.append(Pin(key, wish.title, wish.day, minute, why))
        elif key:
            preferred[key] = wish.by
    return pins, preferred


def _score_all(cands: Sequence[Candidate], *, wanted: Collection[str], preferred: Mapping[str, str], signals: Signals,
               rainy: bool, holidays: Mapping[dt.date, str]) -> None:
    for cand in cands:
        cand.preferred = cand.key in preferred
        cand.score, cand.reasons = score(interests=cand.interests, wanted=wanted, rating=cand.rating,
                                         vendor_id=cand.vendor_id, vendor_rating=cand.vendor_rating,
                                         preferred_by=preferred.get(cand.key, ""), signals=signals)
        if rainy and cand.indoor and cand.kind == "activity":
            cand.score += RAIN_INDOOR_BONUS  # the reason is told on the rainy day itself (explain)
        if cand.crowd_sensitive and cand.windows and all(d in holidays for d in cand.windows):
            cand.score *= HOLIDAY_CROWD_FACTOR
            cand.reasons.append(_("only possible on a public holiday: crowds likely"))


def _meal_nodes(restaurants: Sequence[Candidate], days: Sequence[dt.date], taken: set[tuple[int, str]],
                rain: Mapping[dt.date, list], areas: Sequence[Sequence[tuple[float, float]]], stay: Stay,
                pace: PaceRule, used: set[str], diet: Sequence[str], market_has_meals: bool) -> list[Node]:
    """Lunch and dinner every day: the best restaurant near the day's neighbourhoods that is
    open then, not already in the trip (``used``: keys planned elsewhere) and not of the
    cuisine of the meal before (a cuisine already eaten ranks lower), with a spare meal of
    the traveler's choosing should it be dropped (see :func:`_fill_meals`); when no
    restaurant is left, that meal of their choosing rather than a repeat."""
    nodes, previous, eaten = [], "", collections.Counter()
    for i, day in enumerate(days):
        here = areas[i] or [stay.location]
        reach = MEAL_MAX_KM if areas[i] else DAY_TRIP_KM  # a day without sights eats within a day trip
        for meal in MEALS:
            if (i, meal) in taken:
                previous = ""
                continue
            rest = pace.lunch_break if meal == "lunch" else 0
            near = [(-(c.score - MEAL_KM_PENALTY * max(0.0, km - ZONE_KM) - CUISINE_EATEN_PENALTY * eaten[c.cuisine]),
                     c.key, c, r)
                    for c in (dataclasses.replace(c, duration=max(c.duration + rest, LONG_LUNCH)) if rest else c
                              for c in restaurants)
                    if c.key not in used and (km := min(haversine_km(p, c.location) for p in here)) <= reach
                    and (r := meal_ranges(c, day, meal, rain.get(day, ())))]
            options = [o for o in near if not (o[2].cuisine and o[2].cuisine == previous)]
            if not options and not market_has_meals:  # a market without restaurants plans no meals at all
                continue
            if options:
                *_ignored, cand, ranges = min(options, key=lambda o: o[:2])
                used.add(cand.key)
                previous = cand.cuisine
                eaten[cand.cuisine] += bool(cand.cuisine)
                nodes.append(Node(cand, absolute(i, ranges), meal=meal))
                why = _("the restaurant we had in mind did not fit your budget or the day's timing")
            else:
                if near:
                    why = _("the restaurants left nearby serve %(cuisine)s again, like the meal before: pick "
                            "another kitchen near your stops") % {"cuisine": previous}
                else:
                    why = (_("no other restaurant we know nearby serves %(diet)s") % {"diet": ", ".join(diet)}
                           if diet else _("every restaurant we know nearby is already in your plan"))
                    why += _(": pick a place near your stops rather than the same one twice")
                previous = ""
            free = _free_meal(meal, here[0], why, max(FREE_MEAL_MIN + rest, LONG_LUNCH) if rest else FREE_MEAL_MIN)
            nodes.append(Node(free, absolute(i, [(MEALS[meal][0], MEALS[meal][1] - free.duration)]), meal=meal,
                              spare=bool(options)))
    return nodes


def _free_meal(meal: str, near: tuple[float, float], why: str, duration: int) -> Candidate:
    title = _("Lunch: your choice nearby") if meal == "lunch" else _("Dinner: your choice nearby")
    return Candidate(key="", title=title, kind="meal", lat=near[0], lon=near[1], duration=duration, windows={},
                     price=None, indoor=True, category=FREE_MEAL, reasons=[why])


def _fill_meals(problem: toptw.Problem, routes: list[list[int]], nodes: list[Node], anywhere: Collection[int]) -> None:
    """A day whose lunch or dinner was dropped (over budget, or no room for it) gets the
    spare meal of the traveler's choosing instead, where it adds the least travel."""
    for v, node in enumerate(nodes, 1):
        r = node.windows[0][0] // DAY
        if not node.spare or any(nodes[u - 1].meal == node.meal for u in routes[r]):
            continue
        options = [(_travel_of(problem, option, anywhere), option) for k in range(len(routes[r]) + 1)
                   if _feasible(problem, r, option := routes[r][:k] + [v] + routes[r][k:], anywhere)]
        if options:
            routes[r][:] = min(options)[1]


def _meal_of(node: Node, start: int) -> str:
    minute = start % DAY
    return next((m for m, (lo, hi) in MEALS.items() if node.cand.kind == "meal" and lo <= minute < hi), "")


def _drop_until(routes: list[list[int]], nodes: list[Node], over: Callable[[], bool], *, rank, reason: str,
                eligible: Callable[[Node], bool], left: list[LeftOut], tours: Iterable[int] | None = None) -> None:
    """Remove eligible visits of ``tours`` (all by default), lowest ``rank`` first, while ``over()``."""
    tours = list(range(len(routes)) if tours is None else tours)
    while over():
        pool = [(rank(nodes[v - 1]), r, v) for r in tours for v in routes[r] if eligible(nodes[v - 1])]
        if not pool:
            return
        _rank, r, v = min(pool)
        routes[r].remove(v)
        left.append(LeftOut(nodes[v - 1].cand.title, reason, nodes[v - 1].cand.score))


def _spread(pace: PaceRule, nodes: Sequence[Node], n_days: int) -> PaceRule:
    """The pace with its most sights a day lowered (not under its fewest) so that a thin
    market is spread over the days rather than packed into the first ones."""
    free = sum(is_sight(n) and not n.forced for n in nodes)
    most = min(pace.sights[1], max(pace.sights[0], math.ceil(free / n_days)))
    return dataclasses.replace(pace, sights=(pace.sights[0], most))


def _anywhere(nodes: Sequence[Node]) -> set[int]:
    """Vertices of the meals of the traveler's choosing: eaten where the route already is."""
    return {v for v, node in enumerate(nodes, 1) if node.cand.category == FREE_MEAL}


def _travel_of(problem: toptw.Problem, route: Sequence[int], anywhere: Collection[int]) -> int:
    return order.travel_of(problem, route, anywhere)


def _feasible(problem: toptw.Problem, r: int, route: list[int], anywhere: Collection[int]) -> bool:
    return order.timetable(problem, r, route, anywhere) is not None


def _straighten(problem: toptw.Problem, routes: list[list[int]], anywhere: Collection[int]) -> None:
    """Each day in the order of least travel its windows allow (exact: :func:`.order.best_order`),
    so a day never zig-zags across its area."""
    for r, route in enumerate(routes):
        route[:] = order.best_order(problem, r, route, anywhere)


def _drop_sights_while(problem: toptw.Problem, routes: list[list[int]], nodes: list[Node], left: list[LeftOut],
                       anywhere: Collection[int], measure: Callable[[Sequence[int]], float], most: float,
                       reason: str) -> None:
    """Safety net: while a day measures more than ``most``, the sight whose removal brings
    the measure down the most (and keeps the day feasible) goes, left out for ``reason``."""
    for r, route in enumerate(routes):
        while measure(route) > most:
            options = [(measure(rest), v, rest) for v in route if is_sight(nodes[v - 1]) and not nodes[v - 1].forced
                       and _feasible(problem, r, rest := [u for u in route if u != v], anywhere)]
            if not options:
                break
            _measure, v, rest = min(options, key=lambda o: o[:2])
            route[:] = rest
            left.append(LeftOut(nodes[v - 1].cand.title, reason, nodes[v - 1].cand.score))


def _limit_transfers(problem: toptw.Problem, routes: list[list[int]], nodes: list[Node], left: list[LeftOut],
                     anywhere: Collection[int]) -> None:
    """For the rare day that still travels more than MAX_TRANSFER_MIN."""
    _drop_sights_while(problem, routes, nodes, left, anywhere, lambda route: _travel_of(problem, route, anywhere),
                       MAX_TRANSFER_MIN, _("too much travel from the rest of the day"))


def _limit_spread(problem: toptw.Problem, routes: list[list[int]], nodes: list[Node], left: list[LeftOut],
                  anywhere: Collection[int]) -> None:
    """For the day whose stops lie in more than two neighbourhoods (the search keeps a day
    to its two areas, but two stops of one area may lie at its opposite ends);
    :func:`.balance.even_out` may then bring a closer sight."""
    _drop_sights_while(problem, routes, nodes, left, anywhere,
                       lambda route: spread_km([nodes[v - 1].cand.location for v in route if v not in anywhere]),
                       NEIGHBOURHOOD_MAX_KM, _("away from the neighbourhoods of the rest of the day"))


def _spend(routes: Sequence[Sequence[int]], nodes: Sequence[Node]) -> Decimal:
    return sum((nodes[v - 1].cand.price or Decimal(0) for route in routes for v in route), Decimal(0))


def _enforce_budget(routes, nodes, budget: Decimal, left: list[LeftOut]) -> None:
    """Total spend within ``budget``: activities go before meals, lowest score per money first."""
    _drop_until(routes, nodes, lambda: _spend(routes, nodes) > budget,
                rank=lambda n: (bool(n.meal), n.cand.score / float(n.cand.price)), reason=_("over budget"),
                eligible=lambda n: bool(n.cand.price) and not n.forced, left=left)


def plan_for_request(request, *, wishes: Iterable[Wish] = (), exclude_offering_ids: Collection[int] = (),
                     keep: Sequence[Pin] | None = None, exclude_keys: Collection[str] = (), weather: Mapping | None = None,
                     signals: Mapping | None = None, seed: int = 0, time_limit: float = 1.0,
                     max_iterations: int | None = None, patience: int | None = PATIENCE,
                     now: dt.datetime | None = None, travel: Callable | None = None,
                     kept_stay: Stay | None = None) -> Plan:
    """Plan a request day by day.

    ``wishes``: what the expert or the traveler asked for (pinned ones are kept, others
    preferred; see :class:`.conflicts.Wish`); ``keep``: pins that must stay (re-planning); ``kept_stay``: the
    hotel that must stay (re-planning around a booked one); ``exclude_keys``: candidates
    never to plan ("place:3"); ``weather``: date → ``{"summary",
    "rain_hours": [9, 10], ...}`` (DayWeather.as_dict; default: the weather provider); ``signals``: ``{"reliability":
    {vendor_id: 0..1}, "history": {interest: -1..1}}``; ``travel``: a (lat, lon) pair →
    minutes function (default offline); ``time_limit``, ``max_iterations``, ``patience``: the
    search's budget (see :func:`.toptw.solve`). Read-only; raises nothing for an empty market (the
    plan is then empty and says why), nor when a provider is down: the plan's
    ``data_notes`` then list what it did without (see ``apps.integrations.base``).
    """
    began = time.perf_counter()
    with collect_missing() as missing_data:
        trip = trip_for(request, now)
        pace = PACES.get(request.pace, PACES["moderate"])
        days = list(trip.days)
        weather_by_day = _weather_by_day(trip, weather)
        rain = {d: rain_of(w) for d, w in weather_by_day.items()}
        holidays = trip.holidays

        cands, left = collect(trip, exclude_offering_ids=exclude_offering_ids, interests=request.interests)
        cands = [c for c in cands if c.key not in exclude_keys]
        by_key = {c.key: c for c in cands}
        pins, preferred = _wish_pins(wishes, by_key)
        _score_all(cands, wanted=request.interests, preferred=preferred, signals=Signals.from_mapping(signals),
                   rainy=any(rain.values()), holidays=holidays)
        stay = kept_stay or choose_stay(trip, level=request.accommodation, nights=request.nights,
                                        budget=request.budget_max, city=request.destination)
        if stay.offering_id is None and stay.offer is None and stay.reasoning:
            left.append(LeftOut(_("Hotel"), stay.reasoning, float("inf")))

        nodes: list[Node] = []
        conflicts: list[dict] = []
        for pin in list(keep or ()) + pins:
            node, conflict = resolve(pin, by_key.get(pin.key), days, rain)
            if conflict:
                conflicts.append(conflict)
            if node and not any(n.cand.key == node.cand.key for n in nodes):
                nodes.append(node)
        fixed_keys = {n.cand.key for n in nodes}
        taken = {(n.windows[0][0] // DAY, meal) for n in nodes if (meal := _meal_of(n, n.windows[0][0]))}

        activity_budget = request.budget_max - stay.total
        for cand in cands:
            if cand.kind != "activity" or cand.key in fixed_keys:
                continue
            if cand.price and cand.price > activity_budget:
                left.append(LeftOut(cand.title, _("over budget"), cand.score))
                continue
            node = activity_node(cand, days, pace, rain, holidays)
            if node is None:
                left.append(LeftOut(cand.title, _("closed (or raining) during the hours planned for each day"),
                                    cand.score))
            else:
                nodes.append(node)
        pace = _spread(pace, nodes, len(days))
        areas = day_areas(nodes, len(days), stay.location, pace.sights)

        restaurants = []
        for cand in cands:
            if cand.kind != "meal" or cand.key in fixed_keys:
                continue
            missing = [d for d in request.dietary_restrictions if not cand.serves(d)]
            if missing:
                left.append(LeftOut(cand.title, _("does not serve %(diet)s") % {"diet": ", ".join(missing)},
                                    cand.score))
            else:
                restaurants.append(cand)
        nodes += _meal_nodes(restaurants, days, taken, rain, areas, stay, pace, set(fixed_keys),
                             request.dietary_restrictions, any(c.kind == "meal" for c in cands))

        problem = problem_for(nodes, stay.location, len(days), pace, travel)
        bound_days(problem, request, days, stay.location)
        clock = time.perf_counter()
        search, index = searchable(problem)
        solution = toptw.solve(search, time_limit=time_limit, seed=seed, max_iterations=max_iterations,
                               patience=patience)
        seconds = time.perf_counter() - clock
        routes = [[index[v] for v in r] for r in solution.routes]
        _enforce_budget(routes, nodes, activity_budget, left)
        anywhere = _anywhere(nodes)
        _fill_meals(problem, routes, nodes, anywhere)
        _straighten(problem, routes, anywhere)
        _limit_transfers(problem, routes, nodes, left, anywhere)
        _limit_spread(problem, routes, nodes, left, anywhere)
        even_out(problem, routes, nodes, pace, anywhere, max_transfer=MAX_TRANSFER_MIN,
                 money_left=activity_budget - _spend(routes, nodes))
        _straighten(problem, routes, anywhere)

        visited = {v for route in routes for v in route}
        for i, node in enumerate(nodes, 1):
            if node.forced and i not in visited:
                conflicts.append({"item": node.cand.title, "resolution": _("dropped"),
                                  "reason": _("could not fit with the other fixed items of the day")})
        left += _unchosen(problem, nodes, visited)
        plan_days = _days(problem, routes, nodes, days, trip, stay, weather_by_day, rain, holidays, pace, anywhere)
        if travel is None:
            _street_routes(plan_days)
        total = stay.total + sum((i.price or Decimal(0)) for d in plan_days for i in d.items if i.kind != "stay")
        return Plan(trip.time_zone, trip.currency, plan_days, _notable(left, by_key, visited_keys={
            nodes[v - 1].cand.key for v in visited}), conflicts, total,
            {"score": solution.score, "iterations": solution.iterations, "seconds": round(seconds, 3),
             "vertices": len(nodes), "searched": len(index) - 1, "prepare_s": round(clock - began, 3),
             "finish_s": round(time.perf_counter() - clock - seconds, 3)}, missing_data.notes())


def _street_routes(plan_days: list[PlanDay]) -> None:
    """Each day's street path through its stops, for the map, from the travel provider
    (OSRM when configured; offline there is none and the map draws straight lines)."""
    provider = get_provider("travel")
    for day in plan_days:
        stops = [(item.lat, item.lon) for item in day.items if item.kind != "stay" and item.lat is not None]
        day.route = [list(point) for point in provider.route(stops)]


def _unchosen(problem: toptw.Problem, nodes: list[Node], visited: set[int]) -> list[LeftOut]:
    """Why good activities were not chosen: too far to fit any day, away from the
    neighbourhoods of the days, else the day's time or pace. Only for the best ones
    (expert picks first, then by score) until NOTABLE_LEFT_OUT titles: the plan tells no
    more (see :func:`_notable`), and the test of every day is the costly part."""
    chosen = {nodes[v - 1].cand.title for v in visited}
    unplanned = sorted((i for i, node in enumerate(nodes, 1) if i not in visited and not node.meal and not node.forced),
                       key=lambda i: (not nodes[i - 1].cand.preferred, -nodes[i - 1].cand.score))
    out, titles = [], set()
    for i in unplanned:
        node = nodes[i - 1]
        if len(titles) >= NOTABLE_LEFT_OUT:
            break
        alone = [r for r in range(problem.n_tours) if toptw.fits_alone(problem, r, i)]
        if not alone:
            reason = _("too far from the hotel for a day's plan")
        elif node.tours is not None and not node.tours.intersection(alone):
            reason = _("away from the neighbourhoods of your days")
        else:
            reason = _("didn't fit the day's time budget")
        out.append(LeftOut(node.cand.title, reason, node.cand.score))
        if node.cand.title not in chosen:
            titles.add(node.cand.title)
    return out


def _notable(left: list[LeftOut], by_key: dict[str, Candidate], visited_keys: set[str]) -> list[dict]:
    """The left-out candidates worth telling: expert picks first, then by score; one per title."""
    preferred = {c.title for c in by_key.values() if c.preferred}
    chosen = {by_key[k].title for k in visited_keys if k in by_key}
    seen, out = set(), []
    for item in sorted(left, key=lambda x: (x.title not in preferred, -x.score)):
        if item.title in seen or item.title in chosen:
            continue
        seen.add(item.title)
        out.append(item.as_dict())
    return out[:NOTABLE_LEFT_OUT]


def _days(problem, routes, nodes, days, trip, stay: Stay, weather_by_day, rain, holidays, pace,
          anywhere: Collection[int]) -> list[PlanDay]:
    tz = trip.tz
    out = []
    for r, day in enumerate(days):
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)

        def at(minute: int, base=midnight, index=r) -> dt.datetime:
            return base + dt.timedelta(minutes=minute - index * DAY)

        starts, into = order.timetable(problem, r, routes[r], anywhere), order.legs(problem, routes[r], anywhere)
        if starts is None:  # the solver's own times then (a meal of their choosing on the spot it was given)
            starts, into = toptw.schedule(problem, r, routes[r])[0], order.legs(problem, routes[r], ())
        plan_day = PlanDay(day, weather_by_day[day], notes=_("Public holiday: %(name)s") % {"name": holidays[day]}
                           if day in holidays else "")
        for v, start, leg in zip(routes[r], starts, into):
            node = nodes[v - 1]
            cand = node.cand
            local = start - r * DAY
            somewhere = cand.category == FREE_MEAL  # the traveler picks the place
            plan_day.items.append(PlanItem(
                kind="meal" if node.meal or cand.kind == "meal" else "activity", title=cand.title,
                start=at(start), end=at(start + cand.duration), key=cand.key, place_name="" if somewhere else cand.title,
                lat=None if somewhere else cand.lat, lon=None if somewhere else cand.lon, offering_id=cand.offering_id, slot_id=cand.slots.get((day, local)),
                place_id=cand.place_id, price=cand.slot_prices.get((day, local), cand.price), travel_from_previous_min=leg,
                reasoning=reasoning(node, local, rain=rain[day],
                                    holiday=holidays.get(day, "") if cand.crowd_sensitive else "",
                                    lunch_break=pace.lunch_break if node.meal == "lunch" else 0),
                tips=list(cand.tips), pinned=node.forced,
            ))
        out.append(plan_day)
    if stay.nights > 0 and (stay.offering_id or stay.offer):
        out[0].items.append(_stay_item(stay, days[0], tz))
    return out


def _stay_item(stay: Stay, arrival: dt.date, tz) -> PlanItem:
    """One item for the whole stay: from check-in on the arrival day to check-out after
    the last night; the hotel is also every day's start and end (the solver's depot)."""
    check_in = dt.datetime.combine(arrival, dt.time(), tzinfo=tz) + dt.timedelta(minutes=stay.check_in)
    check_out = (dt.datetime.combine(arrival + dt.timedelta(days=stay.nights), dt.time(), tzinfo=tz)
                 + dt.timedelta(minutes=stay.check_out))
    key = f"offering:{stay.offering_id}" if stay.offering_id else f"hotel-offer:{stay.offer['offer_id']}"
    return PlanItem(kind="stay", title=stay.title, start=check_in, end=check_out, key=key,
                    place_name=stay.title, lat=stay.lat, lon=stay.lon, offering_id=stay.offering_id,
                    price=stay.total, reasoning=stay.reasoning, offer=stay.offer)
