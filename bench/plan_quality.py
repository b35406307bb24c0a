"""Plan varied requests over the demo destinations and check every plan against the rules
a local expert would apply; print the violations per kind and the mean fit score.

    python bench/plan_quality.py [--requests 48] [--seed 0] [--max-iterations 300] [--verbose]

Runs ``plan_for_request`` (the service the API's generate action calls) on a throw-away
SQLite database in memory, migrated and loaded with ``seed_demo``. The validator reads
the plan and the database facts only (opening hours, slots, dietary tags, coordinates);
it knows nothing of how the planner works. Prints numbers; exits 1 when a rule is broken.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import re
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Role, User  # noqa: E402
from apps.integrations.sun import sun_times  # noqa: E402
from apps.integrations.travel import DETOUR_FACTOR, WALK_UP_TO_KM, OfflineTravel  # noqa: E402
from apps.itineraries.models import Place  # noqa: E402
from apps.itineraries.planner.conflicts import Wish  # noqa: E402
from apps.itineraries.planner.hours import open_windows  # noqa: E402
from apps.itineraries.planner.service import plan_for_request  # noqa: E402
from apps.itineraries.planner.travel import haversine_km  # noqa: E402
from apps.requests.models import ExperienceRequest  # noqa: E402
from apps.vendors.models import Offering, Slot  # noqa: E402

CITIES = [("Tokyo", "JP", "Asia/Tokyo", 35.6895, 139.6917), ("Lisbon", "PT", "Europe/Lisbon", 38.7223, -9.1393),
          ("Florence", "IT", "Europe/Rome", 43.7696, 11.2558)]
INTERESTS = ["food", "culture", "history", "art", "nature", "architecture", "photography", "shopping"]
DIETS = [[], [], ["vegetarian"], ["vegan"], ["gluten-free"], ["vegetarian", "gluten-free"]]
SIGHTS_MIN, SIGHTS_MAX = {"relaxed": 2, "moderate": 4, "packed": 6}, {"relaxed": 4, "moderate": 6, "packed": 8}
LUNCH, DINNER = (11 * 60 + 30, 14 * 60), (18 * 60, 21 * 60)
MAX_TRANSFER_MIN = 120
ZIGZAG_FACTOR, ZIGZAG_SLACK_MIN = 1.25, 10  # a day's travel may exceed its best order's by this much
ZIGZAG_STEPS = 200_000  # search budget of the best order of one day (exhaustive for ordinary days)
FASTEST_KMH = {"walk": 6.0, "ride": 35.0}  # door to door, in a city: nothing beats these
RIDE_OVERHEAD_MIN = 5  # a ride starts with a walk to the stop or a wait for the taxi
SLOWEST_WALK_KMH = 3.0  # any leg slower than a slow walk is not a realistic transfer
RELAXED_START = 10 * 60  # a relaxed day starts late…
BREAK_MIN, BREAK_MEAL_MIN = 45, 90  # …and has a break: free time, or a long lunch
UNKNOWN_HOURS = ((9 * 60, 18 * 60),)  # a sight of unknown hours: daytime, not any time
GOLDEN_MIN = 30  # a golden-hour visit ends at most this long before sunset
NEIGHBOURHOOD_KM = 2.5  # straight line from a neighbourhood's heart
WEATHER_WORDS = re.compile(r"\b(rain|dry|sunny|forecast|weather|storm|snow)\b")


def make_requests(n: int, rng: random.Random, traveler) -> list[tuple[ExperienceRequest, dict, dict]]:
    """(request, weather, inputs) × n. ``inputs``: the wishes of the expert (on the expert
    path, every other request: one sight the expert recommends) and the traveler's history
    (every third request: interests they enjoyed on past trips)."""
    start = timezone.localdate() + dt.timedelta(days=rng.randrange(30, 60))
    out = []
    for k in range(n):
        city, country, tz, lat, lon = CITIES[k % len(CITIES)]
        days = 2 + k % 7
        party = rng.choice([1, 2, 2, 3, 4])
        per_day = rng.choice([60, 120, 250, 500, 900])  # USD per person and day: tight to loose
        first = start + dt.timedelta(days=rng.randrange(0, 200))
        request = ExperienceRequest.objects.create(
            traveler=traveler, destination=city, country=country, lat=lat, lon=lon, time_zone=tz, start_date=first,
            end_date=first + dt.timedelta(days=days - 1), adults=party, budget_min=Decimal(10),
            budget_max=Decimal(per_day * party * days), currency=rng.choice(["USD", "EUR"]),
            interests=rng.sample(INTERESTS, rng.randint(1, 3)), pace=("relaxed", "moderate", "packed")[k % 3],
            accommodation=rng.choice(["budget", "mid-range", "luxury", "mid-range", "none"]),
            dietary_restrictions=rng.choice(DIETS), path="expert" if k % 2 else "browse")
        rainy = first + dt.timedelta(days=rng.randrange(days))
        weather = {rainy: {"summary": "rain", "rain_hours": list(range(10, 15))}} if k % 4 == 0 else {}
        inputs: dict = {}
        if request.path == "expert" and rng.random() < 0.5:
            sight = rng.choice([p for p in Place.objects.exclude(category__in=["restaurant", "cafe"]).order_by("pk")
                                if haversine_km((lat, lon), (p.lat, p.lon)) <= 6])
            inputs["wishes"] = [Wish(title=sight.name, by="expert")]
        if k % 3 == 1:
            inputs["signals"] = {"history": {rng.choice(INTERESTS): 0.8}, "lived": True}
        out.append((request, weather, inputs))
    return out


def serves(dietary: list[str], need: str) -> bool:
    offered = {d.replace("-", "_") for d in dietary}
    need = need.replace("-", "_")
    return need in offered or f"{need}_options" in offered or (need == "vegetarian" and bool(
        offered & {"vegan", "vegan_options"}))


def minute(value: dt.datetime) -> int:
    return value.hour * 60 + value.minute


def validate(request: ExperienceRequest, weather: dict, inputs: dict, plan) -> list[tuple[str, str]]:
    """(kind, detail) for every broken rule of one plan."""
    bad: list[tuple[str, str]] = []
    places = {p.pk: p for p in Place.objects.filter(pk__in=[i.place_id for i in plan.items if i.place_id])}
    offerings = {o.pk: o for o in Offering.objects.filter(pk__in=[i.offering_id for i in plan.items
                                                               if i.offering_id]).select_related("vendor")}
    slots = {s.pk: s for s in Slot.objects.filter(pk__in=[i.slot_id for i in plan.items if i.slot_id])}
    stays = [i for i in plan.items if i.kind == "stay"]
    hotel = (stays[0].lat, stays[0].lon) if stays else (request.lat, request.lon)
    bad += trip_rules(request, plan, stays, places, offerings)
    travel = OfflineTravel()
    wished = {w.title.casefold() for w in inputs.get("wishes", ()) if w.by == "expert"}
    signals = inputs.get("signals") or {}
    enjoyed = {k for k, v in signals.get("history", {}).items() if v > 0} if signals.get("lived") else set()
    busiest = [sum(i.kind == "activity" for i in d.items) for d in plan.days]
    for day in plan.days:
        items = [i for i in day.items if i.kind != "stay"]
        rain = [(h * 60, h * 60 + 60) for h in weather.get(day.date, {}).get("rain_hours", ())]
        forecast = bool(weather.get(day.date))
        sights = [i for i in items if i.kind == "activity"]
        bad += pace(request, day.date, items, sights, busiest)
        for meal, (lo, hi) in (("lunch", LUNCH), ("dinner", DINNER)):
            found = [i for i in items if i.kind == "meal" and lo <= minute(i.start) < hi]
            if len(found) != 1:
                bad.append(("meals", f"{day.date}: {len(found)} {meal}"))
            bad += [("meals", f"{day.date}: {i.title} ends {i.end:%H:%M} after the {meal} window")
                    for i in found if minute(i.end) > hi]
        bad += [("meals", f"{day.date}: {i.title} at {i.start:%H:%M} outside the meal windows") for i in items
                if i.kind == "meal" and not any(lo <= minute(i.start) < hi for lo, hi in (LUNCH, DINNER))]
        previous, point, spent = None, hotel, 0
        for item in items:
            if item.start.date() != day.date or item.end < item.start or item.start.utcoffset() != dt.datetime.combine(
                    day.date, dt.time(12), tzinfo=ZoneInfo(request.time_zone)).utcoffset():
                bad.append(("overlap", f"{item.title}: {item.start} is not on {day.date} in {request.time_zone}"))
            if previous is not None and item.start < previous.end + dt.timedelta(minutes=item.travel_from_previous_min):
                bad.append(("overlap", f"{previous.title} / {item.title}"))
            spent += item.travel_from_previous_min
            if item.lat is None:  # a meal of the traveler's choosing: from there, no known distance
                point = None
            elif point is None:
                point = (item.lat, item.lon)
            else:
                bad += realism(item, point)
                point = (item.lat, item.lon)
            previous = item
            source = places.get(item.place_id) or offerings.get(item.offering_id)
            bad += reasons(request, item, source, day.date, rain, forecast, wished, enjoyed)
            if source is None:
                continue
            if not source.indoor and any(item.start < at(item, b) and at(item, a) < item.end for a, b in rain):
                bad.append(("rain", f"{item.title} outdoors {item.start:%H:%M}–{item.end:%H:%M} in the rain"))
            if item.kind == "meal":
                missing = [d for d in request.dietary_restrictions if not serves(list(source.dietary), d)]
                if missing:
                    bad.append(("diet", f"{item.title} does not serve {missing}"))
            if item.slot_id:
                if item.slot_id not in slots or slots[item.slot_id].start != item.start:
                    bad.append(("hours", f"{item.title}: not at its slot"))
                continue
            hours = open_windows(source.opening_hours, day.date, country=request.country)
            if hours is not None and not any(a <= minute(item.start) and minute(item.start) + (
                    item.end - item.start).seconds // 60 <= b for a, b in hours):
                bad.append(("hours", f"{item.title} {item.start:%a %H:%M}–{item.end:%H:%M} outside {source.opening_hours}"))
        if point not in (hotel, None):
            spent += travel.leg(point, hotel).minutes
        if spent > MAX_TRANSFER_MIN:
            bad.append(("transfer_minutes", f"{day.date}: {spent} min"))
        if items and items[0].lat is not None and abs(items[0].travel_from_previous_min - travel.leg(
                hotel, (items[0].lat, items[0].lon)).minutes) > 1:
            bad.append(("stay", f"{day.date}: the day does not start from the hotel"))
        bad += neighbourhoods(day.date, items)
        bad += zigzag(request, day.date, items, hotel, places, offerings, rain)
        bad += variety(request, day.date, items, places, offerings)
    bad += trip_variety(plan, places, offerings)
    bad += cuisines(plan, places, offerings)
    return bad


def at(item, minute_of_day: int) -> dt.datetime:
    return item.start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(minutes=minute_of_day)


def trip_rules(request, plan, stays, places, offerings) -> list[tuple[str, str]]:
    """Repeats, budget, an honest total and the stay over the nights."""
    bad = []
    seen: collections.Counter = collections.Counter(i.key for i in plan.items if i.key and i.kind != "stay")
    bad += [("repeat", key) for key, count in seen.items() if count > 1]
    venues: collections.Counter = collections.Counter(
        (i.place_name or i.title).casefold() for i in plan.items if i.kind != "stay" and i.lat is not None)
    bad += [("repeat", f"{name} ×{count}") for name, count in venues.items() if count > 1 and name not in seen]
    if plan.total > request.budget_max:
        bad.append(("budget", f"{plan.total} > {request.budget_max}"))
    priced = sum((i.price or Decimal(0)) for i in plan.items)
    if priced != plan.total or plan.currency != request.currency:
        bad.append(("budget", f"total {plan.total} {plan.currency} ≠ its items {priced} {request.currency}"))
    nights = (request.end_date - request.start_date).days
    for stay in stays:
        spans = (stay.end.date() - stay.start.date()).days
        if (stay.start.date() != request.start_date or spans != nights or not 12 <= stay.start.hour <= 20
                or not 6 <= stay.end.hour <= 12):
            bad.append(("stay", f"{stay.start:%m-%d %H:%M} → {stay.end:%m-%d %H:%M} for {nights} nights"))
    if len(stays) > 1:
        bad.append(("stay", f"{len(stays)} stay items"))
    if not stays and nights and request.accommodation != "none" and not any(
            "hotel" in x["title"].casefold() for x in plan.left_out):
        bad.append(("stay", "no hotel and no word why"))
    return bad


def pace(request, day: dt.date, items, sights, busiest: list[int]) -> list[tuple[str, str]]:
    """The pace's number of sights (a day below the pace only when no other day is above
    it: a thin market is spread over the days), and the rhythm of a relaxed day: a late
    start and a break."""
    bad = []
    if len(sights) > SIGHTS_MAX[request.pace]:
        bad.append(("pace_count", f"{day}: {len(sights)} sights"))
    if len(sights) < SIGHTS_MIN[request.pace] and max(busiest, default=0) > SIGHTS_MIN[request.pace]:
        bad.append(("pace_count", f"{day}: {len(sights)} sights while another day has {max(busiest)}"))
    if request.pace == "relaxed" and items:
        if minute(items[0].start) < RELAXED_START:
            bad.append(("pace_rhythm", f"{day}: a relaxed day starting at {items[0].start:%H:%M}"))
        gaps = [(b.start - a.end).seconds // 60 - b.travel_from_previous_min for a, b in zip(items, items[1:])]
        long_meal = any(i.kind == "meal" and (i.end - i.start).seconds // 60 >= BREAK_MEAL_MIN for i in items)
        if len(items) > 2 and not long_meal and max(gaps, default=0) < BREAK_MIN:
            bad.append(("pace_rhythm", f"{day}: a relaxed day without a break"))
    return bad


def realism(item, point) -> list[tuple[str, str]]:
    """Minutes of a leg against the mode its street distance calls for: not faster than that
    mode can go door to door, and not so slow that a walk would have been quicker."""
    street = haversine_km(point, (item.lat, item.lon)) * DETOUR_FACTOR
    minutes = item.travel_from_previous_min
    if street <= WALK_UP_TO_KM:
        fastest, slowest = street / FASTEST_KMH["walk"] * 60, street / SLOWEST_WALK_KMH * 60 + 2
    else:
        fastest = RIDE_OVERHEAD_MIN + street / FASTEST_KMH["ride"] * 60
        slowest = street / SLOWEST_WALK_KMH * 60
    if minutes + 1 < fastest:
        return [("transfer_realism", f"{item.title}: {street:.1f} km in {minutes} min")]
    if minutes > slowest + 1:
        return [("transfer_realism", f"{item.title}: {street:.1f} km in {minutes} min, slower than walking")]
    return []


def reasons(request, item, source, day: dt.date, rain, forecast: bool, wished: set[str],
            enjoyed: set[str]) -> list[tuple[str, str]]:
    """Every claim of a reason matches the facts."""
    text, bad = item.reasoning.lower(), []
    if not rain and WEATHER_WORDS.search(text) and not (forecast and "rain" not in text and "dry" not in text):
        bad.append(("reasons", f"{item.title}: weather words without a forecast of it"))
    if "indoors" in text and source is not None and not source.indoor:
        bad.append(("reasons", f"{item.title}: 'indoors' for an outdoor place"))
    if "expert" in text and (request.path != "expert" or item.title.casefold() not in wished) and not item.pinned:
        bad.append(("reasons", f"{item.title}: expert words without the expert asking for it"))
    if "enjoyed before" in text and not (enjoyed & set(getattr(source, "interests", ()) or ())):
        bad.append(("reasons", f"{item.title}: history claimed without history"))
    for said in re.findall(r"matches ([a-z, ]+)", text):
        claimed = {w.strip() for w in said.split(",") if w.strip()}
        if not claimed <= set(request.interests) or (source is not None and not claimed <= set(source.interests)):
            bad.append(("reasons", f"{item.title}: 'matches {said}' is not so"))
    if "golden hour" in text:
        sunset = sun_times(item.lat, item.lon, day, request.time_zone).sunset
        if sunset is None or not 0 <= minute(sunset) - minute(item.end) <= GOLDEN_MIN:
            bad.append(("reasons", f"{item.title}: 'golden hour' but it ends {item.end:%H:%M}, sunset {sunset:%H:%M}"))
    if source is None or item.slot_id:
        return bad
    hours = open_windows(source.opening_hours, day, country=request.country)
    if hours is None and ("open then" in text or "not known" not in text):
        bad.append(("reasons", f"{item.title}: unknown hours not said"))
    if hours is not None and "not known" in text:
        bad.append(("reasons", f"{item.title}: hours said unknown but they are {source.opening_hours}"))
    return bad


def neighbourhoods(day: dt.date, items) -> list[tuple[str, str]]:
    """The day's stops lie in one or two neighbourhoods: within NEIGHBOURHOOD_KM of one of
    two of them."""
    points = [(i.lat, i.lon) for i in items if i.lat is not None]
    if len(points) <= 2 or any(all(min(haversine_km(p, a), haversine_km(p, b)) <= NEIGHBOURHOOD_KM for p in points)
           for a in points for b in points):
        return []
    return [("neighbourhoods", f"{day}: stops spread over more than two neighbourhoods")]


def windows_of(item, source, day: dt.date, request, rain) -> list[tuple[int, int]] | None:
    """Start minutes the item may have on ``day`` by the facts (None: any time): opening
    hours or its slot, the meal's window, and the dry hours when it is outdoors."""
    duration = (item.end - item.start).seconds // 60
    if item.slot_id:
        return [(minute(item.start), minute(item.start))]
    if "golden hour" in item.reasoning:  # timed for the light before sunset, as it says (checked in reasons)
        sunset = minute(sun_times(item.lat, item.lon, day, request.time_zone).sunset)
        return [(sunset - duration - GOLDEN_MIN, sunset - duration)]
    hours = open_windows(source.opening_hours, day, country=request.country) if source is not None else None
    if hours is None and source is not None and item.kind == "activity":
        hours = UNKNOWN_HOURS  # what the plan assumes and says to check: no sight at midnight
    ranges = None if hours is None else [(a, b - duration) for a, b in hours if b - duration >= a]
    if item.kind == "meal":
        lo, hi = LUNCH if minute(item.start) < DINNER[0] else DINNER
        meal = [(lo, hi - duration)]
        ranges = meal if ranges is None else [(max(a, lo), min(b, hi - duration)) for a, b in ranges
                                              if max(a, lo) <= min(b, hi - duration)]
    if source is not None and not source.indoor and rain:
        ranges = [(0, 1440 - duration)] if ranges is None else ranges
        for r0, r1 in rain:  # starts whose visit [s, s + duration] stays out of the rain
            ranges = [w for a, b in ranges for w in ((a, min(b, r0 - duration)), (max(a, r1), b)) if w[0] <= w[1]]
    return ranges


def zigzag(request, day: dt.date, items, hotel, places, offerings, rain) -> list[tuple[str, str]]:
    """The day's travel against the best order of the same stops that keeps every stop in its
    own windows (opening hours, slot, meal window) and within the day's span (leaving the
    hotel when the plan does, done when its last stop ends); a meal of the traveler's
    choosing is where the route already is."""
    if len(items) < 3:
        return []
    points = [hotel] + [(i.lat, i.lon) if i.lat is not None else None for i in items]
    located = [p for p in points if p is not None]
    index = {k: located.index(p) if p is not None else None for k, p in enumerate(points)}
    minutes = OfflineTravel().matrix(located).minutes
    durations = [(i.end - i.start).seconds // 60 for i in items]
    windows = [windows_of(i, places.get(i.place_id) or offerings.get(i.offering_id), day, request, rain)
               for i in items]
    leave = minute(items[0].start) - items[0].travel_from_previous_min
    done_by = max(minute(i.end) for i in items)

    def leg(here: int, stop: int) -> int:
        there = index[stop + 1]
        return 0 if there is None else minutes[here][there]

    def where(here: int, stop: int) -> int:
        return here if index[stop + 1] is None else index[stop + 1]

    actual, here = 0, 0
    for k in range(len(items)):
        actual, here = actual + leg(here, k), where(here, k)
    actual += minutes[here][0]
    best, steps = [actual], [0]

    def search(done: int, here: int, clock: int, cost: int) -> None:
        steps[0] += 1
        if cost >= best[0] or steps[0] > ZIGZAG_STEPS:
            return
        if done == (1 << len(items)) - 1:
            best[0] = min(best[0], cost + minutes[here][0])
            return
        for k in range(len(items)):
            if done >> k & 1:
                continue
            arrive = clock + leg(here, k)
            start = arrive if windows[k] is None else next(
                (max(arrive, a) for a, b in windows[k] if max(arrive, a) <= b), None)
            if start is not None and start + durations[k] <= done_by:
                search(done | 1 << k, where(here, k), start + durations[k], cost + leg(here, k))

    search(0, 0, leave, 0)
    if actual > best[0] * ZIGZAG_FACTOR and actual - best[0] > ZIGZAG_SLACK_MIN:
        return [("zigzag", f"{day}: {actual} min of travel, {best[0]} min in the best order")]
    return []


def category(item, places, offerings) -> str:
    """The kind of a sight: its place's, also when a vendor sells it (a museum's timed entry)."""
    place, offering = places.get(item.place_id), offerings.get(item.offering_id)
    if place is None and offering is not None:
        place = Place.objects.filter(name=offering.vendor.name).first()
        return place.category if place else offering.vendor.vendor_type
    return place.category if place else ""


def variety(request, day: dt.date, items, places, offerings) -> list[tuple[str, str]]:
    """At most half a day's sights (and never more than the pace's half) of one kind."""
    kinds = collections.Counter(category(i, places, offerings) for i in items if i.kind == "activity")
    most = max(2, SIGHTS_MAX[request.pace] // 2)
    return [("variety", f"{day}: {n} × {kind}") for kind, n in kinds.items() if kind and n > most]


def trip_variety(plan, places, offerings) -> list[tuple[str, str]]:
    """Days do not all lead with the same kind of sight (from three days of sights on)."""
    leads = [collections.Counter(category(i, places, offerings) for i in d.items if i.kind == "activity")
             .most_common(1)[0] for d in plan.days if any(i.kind == "activity" for i in d.items)]
    if len(leads) >= 3 and len({kind for kind, _n in leads}) == 1 and all(n >= 2 for _k, n in leads):
        return [("variety", f"every day mostly {leads[0][0]}")]
    return []


def cuisines(plan, places, offerings) -> list[tuple[str, str]]:
    """No two meals in a row of the same cuisine (lunch then dinner, dinner then the next
    lunch), as the places' and vendors' data name it."""
    meals = [(i, getattr(places.get(i.place_id) or offerings.get(i.offering_id), "cuisine", "")) for i in plan.items
             if i.kind == "meal"]
    return [("cuisine", f"{a.title} then {b.title}: both {ca}") for (a, ca), (b, cb) in zip(meals, meals[1:])
            if ca and ca == cb]


def fit(request: ExperienceRequest, plan) -> float:
    """Share of the sights that match one of the traveler's interests (0–100)."""
    ids = [i.place_id for i in plan.items if i.kind == "activity" and i.place_id]
    interests = {p.pk: set(p.interests) for p in Place.objects.filter(pk__in=ids)}
    offers = {o.pk: set(o.interests) for o in Offering.objects.filter(
        pk__in=[i.offering_id for i in plan.items if i.kind == "activity" and i.offering_id])}
    sights = [interests.get(i.place_id) or offers.get(i.offering_id) or set()
              for i in plan.items if i.kind == "activity"]
    return 100.0 * sum(bool(s & set(request.interests)) for s in sights) / len(sights) if sights else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=48)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-iterations", type=int, default=300)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    traveler = User.objects.create(username="bench-quality", role=Role.TRAVELER)
    kinds: collections.Counter = collections.Counter()
    fits, seconds, sights = [], [], []
    for request, weather, inputs in make_requests(a.requests, random.Random(a.seed), traveler):
        clock = time.perf_counter()
        plan = plan_for_request(request, weather=weather, seed=a.seed, max_iterations=a.max_iterations, **inputs)
        seconds.append(time.perf_counter() - clock)
        problems = validate(request, weather, inputs, plan)
        kinds.update(kind for kind, _detail in problems)
        fits.append(fit(request, plan))
        sights.append(sum(i.kind == "activity" for i in plan.items) / len(plan.days))
        if a.verbose or problems:
            print(f"{request.destination:<8} {request.path:<6} {request.pace:<8} {len(plan.days)}d "
                  f"diet={','.join(request.dietary_restrictions) or '-'} budget={request.budget_max} "
                  f"{request.currency}: {len(problems)} violations")
            for kind, detail in problems[:8]:
                print(f"    {kind}: {detail}")
    print("violations: " + (", ".join(f"{k}={v}" for k, v in sorted(kinds.items())) or "none"))
    print(f"requests={a.requests} violations={sum(kinds.values())} mean_fit={sum(fits) / len(fits):.1f} "
          f"mean_sights_per_day={sum(sights) / len(sights):.1f} mean_plan_s={sum(seconds) / len(seconds):.2f}")
    return 1 if kinds else 0


if __name__ == "__main__":
    sys.exit(main())
