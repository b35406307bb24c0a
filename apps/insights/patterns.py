"""Historical patterns per destination: popular itineraries (by length, with ratings) and
seasonal trends per month (crowds, price multiplier, typical weather). Recomputed per
destination, like the metrics (same code for an incremental update and a rebuild).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

import holidays as holidays_lib
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from apps.coordination.models import CoordinationState, Review
from apps.coordination.phases import Phase
from apps.itineraries.models import Day, Item
from apps.requests.models import ExperienceRequest
from apps.vendors.models import Slot

from .metrics import CENTI, ratio
from .models import ItineraryPattern, SeasonalTrend

MONTHS = range(1, 13)
VOLUME_WEIGHT, HOLIDAY_WEIGHT = Decimal("0.7"), Decimal("0.3")
HOLIDAYS_FOR_FULL_CROWD = 3
MILLI = Decimal("0.001")


def _itinerary_rows(destination: str) -> list[ItineraryPattern]:
    states = list(CoordinationState.objects.filter(phase=Phase.COMPLETED, current_itinerary__isnull=False,
                                                   request__destination__iexact=destination)
                  .values_list("pk", "current_itinerary_id", "request__start_date", "request__end_date")
                  .order_by("pk"))
    items = defaultdict(list)
    for itinerary, offering, title in (Item.objects.filter(day__itinerary_id__in=[s[1] for s in states])
                                       .order_by("start", "position", "pk")
                                       .values_list("day__itinerary_id", "offering_id", "title")):
        items[itinerary].append((offering, title))
    ratings = {row["state_id"]: row for row in Review.objects.filter(
        target=Review.Target.ITINERARY, state_id__in=[s[0] for s in states]).values("state_id")
        .annotate(n=Count("id"), avg=Avg("rating"))}
    groups: dict[tuple[int, tuple[int, ...]], list] = defaultdict(list)
    for state_id, itinerary, start, end in states:
        offerings = tuple(sorted({o for o, _t in items[itinerary] if o}))
        if offerings:
            groups[((end - start).days + 1, offerings)].append((state_id, itinerary))
    rows = []
    for (length, offerings), trips in sorted(groups.items()):
        rated = [ratings[s] for s, _i in trips if s in ratings]
        n = sum(r["n"] for r in rated)
        total = sum(Decimal(r["avg"]) * r["n"] for r in rated)
        example = trips[-1][1]
        rows.append(ItineraryPattern(
            destination=destination, length_days=length, signature=",".join(map(str, offerings))[:255],
            offering_ids=list(offerings), titles=[t for _o, t in items[example]], example_id=example,
            trips=len(trips), ratings=n, rating_avg=ratio(total, n, CENTI)))
    return rows


def _price_multipliers(destination: str) -> dict[int, Decimal]:
    """Per month: mean over offerings of (their mean slot price that month / over all months)."""
    prices = defaultdict(lambda: defaultdict(list))
    for offering, start, price in (Slot.objects.filter(offering__vendor__city__iexact=destination)
                                   .values_list("offering_id", "start", "price")):
        prices[offering][start.month].append(price)
    ratios = defaultdict(list)
    for by_month in prices.values():
        every = [p for values in by_month.values() for p in values]
        overall = sum(every) / len(every)
        for month, values in by_month.items():
            if overall:
                ratios[month].append(sum(values) / len(values) / overall)
    return {m: (sum(r) / len(r)).quantize(MILLI) for m, r in ratios.items()}


def _weather(destination: str) -> dict[int, dict]:
    """Typical weather per month from the days of planned itineraries: summaries seen and
    mean temperatures (only where data exists)."""
    seen = defaultdict(Counter)
    temps = defaultdict(lambda: defaultdict(list))
    for date, weather in (Day.objects.filter(itinerary__request__destination__iexact=destination)
                          .values_list("date", "weather")):
        summary = (weather or {}).get("summary")
        if summary and summary != "unknown":
            seen[date.month][summary] += 1
        for key in ("temp_min", "temp_max"):
            if (weather or {}).get(key) is not None:
                temps[date.month][key].append(weather[key])
    out = {}
    for month in set(seen) | set(temps):
        out[month] = {"summaries": dict(sorted(seen[month].items())),
                      **{k: round(sum(v) / len(v), 1) for k, v in sorted(temps[month].items())}}
    return out


def _holiday_counts(country: str) -> Counter:
    year = timezone.now().year
    try:
        calendar = holidays_lib.country_holidays(country, years=year)
    except NotImplementedError:
        return Counter()
    return Counter(day.month for day in calendar)


def _trend_rows(destination: str) -> list[SeasonalTrend]:
    requests = ExperienceRequest.objects.filter(destination__iexact=destination)
    volume = Counter(d.month for d in requests.values_list("start_date", flat=True))
    country = Counter(requests.values_list("country", flat=True)).most_common(1)
    holidays = _holiday_counts(country[0][0]) if country else Counter()
    busiest = max(volume.values(), default=0)
    prices, weather = _price_multipliers(destination), _weather(destination)
    rows = []
    for month in MONTHS:
        crowd = (VOLUME_WEIGHT * (ratio(volume[month], busiest) or 0)
                 + HOLIDAY_WEIGHT * min(Decimal(1), Decimal(holidays[month]) / HOLIDAYS_FOR_FULL_CROWD))
        rows.append(SeasonalTrend(destination=destination, month=month, requests=volume[month],
                                  holidays=holidays[month], crowd_level=crowd.quantize(CENTI),
                                  price_multiplier=prices.get(month), weather=weather.get(month, {})))
    return rows


def _replace(model, destination: str, rows: list, unique: list[str]) -> None:
    keys = [tuple(getattr(r, f) for f in unique) for r in rows]
    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in unique]
    with transaction.atomic():
        if rows:
            model.objects.bulk_create(rows, update_conflicts=True, unique_fields=unique, update_fields=fields)
        stale = [r.pk for r in model.objects.filter(destination=destination)
                 if tuple(getattr(r, f) for f in unique) not in keys]
        model.objects.filter(pk__in=stale).delete()


def destination_key(name: str) -> str:
    """Destinations are grouped case-insensitively and stored in title case."""
    return " ".join(name.split()).title()


def patterns_refresh(destinations: Iterable[str]) -> int:
    """Recompute itinerary patterns and seasonal trends of these destinations (every month
    of each one). Returns the number of destinations refreshed."""
    names = sorted({destination_key(d) for d in destinations if d})
    for name in names:
        if not ExperienceRequest.objects.filter(destination__iexact=name).exists():
            ItineraryPattern.objects.filter(destination=name).delete()
            SeasonalTrend.objects.filter(destination=name).delete()
            continue
        _replace(ItineraryPattern, name, _itinerary_rows(name), ["destination", "length_days", "signature"])
        _replace(SeasonalTrend, name, _trend_rows(name), ["destination", "month"])
    return len(names)
