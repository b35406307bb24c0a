"""Expert performance, vendor reliability and traveler profiles, computed from the event
log, bookings and reviews (the single source of truth).

Each ``*_refresh(ids)`` recomputes the rows of exactly those people with the same code
the full rebuild uses, so an incremental update (one event → the people it touches) and
a rebuild from scratch give identical rows. A row exists while there is history (for a
traveler: or their own overrides); a refresh deletes the other rows it touches.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum

from apps.coordination.models import Booking, Event, Review
from apps.coordination.phases import BookingStatus, Phase
from apps.experts.models import ItemStatus, RecommendationItem
from apps.experts.services import expert_metrics_save
from apps.itineraries.models import Item
from apps.requests.models import TravelerProfile
from apps.requests.services import traveler_profiles_save
from apps.vendors.models import Offering
from apps.vendors.services import vendor_metrics_save

ANSWER_EVENTS = ("expert.accepted", "expert.declined")
CONFIRM_EVENTS = ("booking.confirmed", "booking.proposal_accepted")
SUCCESS = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
DECIDED = (*SUCCESS, BookingStatus.DECLINED, BookingStatus.EXPIRED)
GOOD_RATING = 4
LONG_TRANSFER_MIN = 30
MORNING_BEFORE_HOUR = 12
# Weights of the vendor reliability score (missing parts are left out, the rest renormalised).
RELIABILITY_WEIGHTS = {"acceptance": Decimal("0.4"), "keeping": Decimal("0.2"), "quality": Decimal("0.3"),
                       "speed": Decimal("0.1")}

RATE = Decimal("0.0001")
CENTI = Decimal("0.01")


def ratio(numerator, denominator, step: Decimal = RATE) -> Decimal | None:
    """``numerator / denominator`` as a Decimal rounded to ``step``; None when nothing to divide."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(step)


def hours(seconds: Iterable[float]) -> list[Decimal]:
    """Durations in whole seconds as exact Decimal hours (so sums do not depend on order)."""
    return [Decimal(round(s)) / Decimal(3600) for s in seconds]


def p95(values: list[Decimal]) -> Decimal | None:
    """95th percentile by nearest rank (the smallest value with 95 % of values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _mean(values: list[Decimal]) -> Decimal | None:
    return ratio(sum(values), len(values), CENTI) if values else None


def _review_stats(field: str, ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    rows = (Review.objects.filter(**{"target": field, f"{field}_id__in": ids}).values(f"{field}_id")
            .annotate(n=Count("id"), total=Sum("rating")).values_list(f"{field}_id", "n", "total"))
    return {pk: (n, ratio(total, n, CENTI)) for pk, n, total in rows}


# --- experts -------------------------------------------------------------------------

def _expert_responses(ids: list[int]) -> dict[int, list[Decimal]]:
    """Hours from being chosen to answering, and from a traveler's chat message to the
    expert's next message in the request thread, per expert."""
    samples: dict[int, list[float]] = defaultdict(list)
    chosen: dict[tuple[int, int], object] = {}
    for state_id, kind, payload, at in (Event.objects.filter(type__in=("expert.chosen", *ANSWER_EVENTS),
                                                             payload__expert__in=ids)
                                        .order_by("state_id", "version")
                                        .values_list("state_id", "type", "payload", "created_at")):
        key = (state_id, payload["expert"])
        if kind == "expert.chosen":
            chosen[key] = at
        elif key in chosen:
            samples[payload["expert"]].append((at - chosen.pop(key)).total_seconds())
    waiting: dict[int, object] = {}
    for state_id, expert_id, expert_user, traveler, actor, payload, at in (
            Event.objects.filter(type="message.posted", state__expert_id__in=ids).order_by("state_id", "version")
            .values_list("state_id", "state__expert_id", "state__expert__user_id", "state__request__traveler_id",
                         "actor_id", "payload", "created_at")):
        if payload.get("thread", {}).get("booking") is not None:
            continue
        if actor == traveler:
            waiting.setdefault(state_id, at)
        elif actor == expert_user and state_id in waiting:
            samples[expert_id].append((at - waiting.pop(state_id)).total_seconds())
    return {pk: hours(values) for pk, values in samples.items()}


def _expert_specialties(ids: list[int]) -> dict[int, dict]:
    """What completed trips the traveler rated 4+ were about: destinations, experience
    types, interests, each ``[[name, trips], …]`` most frequent first."""
    counters: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    reviews = (Review.objects.filter(target=Review.Target.EXPERT, expert_id__in=ids, rating__gte=GOOD_RATING,
                                     state__phase=Phase.COMPLETED)
               .values_list("expert_id", "state_id", "state__request__destination",
                            "state__request__experience_type", "state__request__interests").distinct())
    for expert_id, _state, destination, kind, interests in reviews:
        counters[expert_id]["destinations"][destination] += 1
        counters[expert_id]["experience_types"][kind] += 1
        counters[expert_id]["interests"].update(set(interests))
    return {pk: {name: sorted(([k, n] for k, n in counter.items()), key=lambda kn: (-kn[1], kn[0]))
                 for name, counter in sorted(groups.items())} for pk, groups in counters.items()}


def experts_refresh(expert_ids: Iterable[int]) -> int:
    """Recompute :class:`~apps.experts.models.ExpertMetrics` of these experts (stored by
    the experts app). Returns the rows written."""
    ids = sorted(set(expert_ids))
    reviews = _review_stats("expert", ids)
    bookings = {row["state__expert_id"]: row for row in
                Booking.objects.filter(state__expert_id__in=ids, status__in=DECIDED).values("state__expert_id")
                .annotate(total=Count("id"), ok=Count("id", filter=Q(status__in=SUCCESS)))}
    responses = _expert_responses(ids)
    specialties = _expert_specialties(ids)
    rows = {}
    for pk in ids:
        if not (pk in reviews or pk in bookings or pk in responses or pk in specialties):
            continue
        n_reviews, satisfaction = reviews.get(pk, (0, None))
        decided = bookings.get(pk, {}).get("total", 0)
        succeeded = bookings.get(pk, {}).get("ok", 0)
        answered = responses.get(pk, [])
        p = p95(answered)
        rows[pk] = dict(
            reviews=n_reviews, satisfaction=satisfaction, bookings_decided=decided,
            bookings_succeeded=succeeded, booking_success=ratio(succeeded, decided), responses=len(answered),
            response_avg_hours=_mean(answered), response_p95_hours=p.quantize(CENTI) if p is not None else None,
            specialties=specialties.get(pk, {}))
    return expert_metrics_save(expert_ids=ids, metrics=rows)


# --- vendors -------------------------------------------------------------------------

def _confirmation_hours(ids: list[int]) -> dict[int, list[Decimal]]:
    """Hours from ``booking.requested`` to the booking's first confirmation, per vendor."""
    requested: dict[int, object] = {}
    samples: dict[int, list[float]] = defaultdict(list)
    for kind, payload, at in (Event.objects.filter(type__in=("booking.requested", *CONFIRM_EVENTS),
                                                   payload__booking__vendor__in=ids)
                              .order_by("created_at", "id").values_list("type", "payload", "created_at")):
        booking = payload["booking"]["id"]
        if kind == "booking.requested":
            requested.setdefault(booking, at)
        elif booking in requested:
            samples[payload["booking"]["vendor"]].append((at - requested.pop(booking)).total_seconds())
    return {pk: hours(values) for pk, values in samples.items()}


def _price_ratios(ids: list[int]) -> dict[int, Decimal]:
    """Median over a vendor's active offerings of base price / median base price of other
    vendors' active offerings of the same city, kind and currency."""
    offerings = list(Offering.objects.filter(is_active=True, vendor__is_active=True)
                     .filter(vendor__city__in=Offering.objects.filter(vendor_id__in=ids).values("vendor__city"))
                     .values_list("vendor_id", "vendor__city", "kind", "currency", "base_price"))
    by_group: dict[tuple, list[tuple[int, Decimal]]] = defaultdict(list)
    for vendor_id, city, kind, currency, price in offerings:
        by_group[(city.casefold(), kind, currency)].append((vendor_id, price))
    ratios: dict[int, list[Decimal]] = defaultdict(list)
    for members in by_group.values():
        for vendor_id, price in members:
            peers = [p for v, p in members if v != vendor_id]
            if vendor_id in ids and peers and median(peers) > 0:
                ratios[vendor_id].append(price / median(peers))
    return {pk: Decimal(median(values)).quantize(RATE) for pk, values in ratios.items()}


def reliability(*, decline_expiry_rate, cancellation_rate, quality, confirm_hours) -> Decimal | None:
    """Weighted mean (see ``RELIABILITY_WEIGHTS``) of acceptance (1 − decline/expiry rate),
    keeping (1 − cancellation rate), quality (rating / 5) and speed (1 / (1 + hours / 24))."""
    parts = {"acceptance": None if decline_expiry_rate is None else 1 - decline_expiry_rate,
             "keeping": None if cancellation_rate is None else 1 - cancellation_rate,
             "quality": None if quality is None else quality / 5,
             "speed": None if confirm_hours is None else 1 / (1 + confirm_hours / 24)}
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None
    weight = sum(RELIABILITY_WEIGHTS[k] for k in present)
    return (sum(RELIABILITY_WEIGHTS[k] * v for k, v in present.items()) / weight).quantize(RATE)


def vendors_refresh(vendor_ids: Iterable[int]) -> int:
    """Recompute :class:`~apps.vendors.models.VendorMetrics` of these vendors (stored by the
    vendors app). Returns the rows written."""
    ids = sorted(set(vendor_ids))
    counts = {row["vendor_id"]: row for row in Booking.objects.filter(vendor_id__in=ids).values("vendor_id").annotate(
        total=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
        declined=Count("id", filter=Q(status=BookingStatus.DECLINED)),
        expired=Count("id", filter=Q(status=BookingStatus.EXPIRED)),
        cancelled=Count("id", filter=Q(status=BookingStatus.CANCELLED, confirmed_at__isnull=False)))}
    reviews = _review_stats("vendor", ids)
    speed = _confirmation_hours(ids)
    prices = _price_ratios(ids)
    rows = {}
    for pk in ids:
        if pk not in counts and pk not in reviews:
            continue
        c = counts.get(pk, {"total": 0, "confirmed": 0, "declined": 0, "expired": 0, "cancelled": 0})
        failed = c["declined"] + c["expired"]
        n_reviews, quality = reviews.get(pk, (0, None))
        confirm_hours = _mean(speed.get(pk, []))
        decline_rate, cancel_rate = ratio(failed, c["confirmed"] + failed), ratio(c["cancelled"], c["confirmed"])
        rows[pk] = dict(
            bookings=c["total"], confirmed=c["confirmed"], declined=c["declined"],
            expired=c["expired"], cancelled=c["cancelled"], confirm_avg_hours=confirm_hours,
            decline_expiry_rate=decline_rate, cancellation_rate=cancel_rate, reviews=n_reviews, quality=quality,
            price_ratio=prices.get(pk),
            reliability=reliability(decline_expiry_rate=decline_rate, cancellation_rate=cancel_rate,
                                    quality=quality, confirm_hours=confirm_hours))
    return vendor_metrics_save(vendor_ids=ids, metrics=rows)


# --- travelers -----------------------------------------------------------------------

def _interest_affinity(positive: Iterable[tuple], negative: Iterable[tuple],
                       interests_of: dict[int, list[str]]) -> dict[str, float]:
    """Per interest (liked − disliked) / (liked + disliked) over distinct (request, offering)."""
    score: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for index, pairs in ((0, set(positive)), (1, set(negative))):
        for _request, offering in pairs:
            for interest in set(interests_of.get(offering, ())):
                score[interest][index] += 1
    return {i: round((liked - disliked) / (liked + disliked), 4) for i, (liked, disliked) in sorted(score.items())}


def travelers_refresh(traveler_ids: Iterable[int]) -> int:
    """Recompute the learned part of :class:`TravelerProfile` of these users (their
    ``overrides`` are kept; stored by the requests app). Returns the rows written."""
    ids = sorted(set(traveler_ids))
    completed = dict(Event.objects.filter(type="trip.completed", state__request__traveler_id__in=ids)
                     .values("state__request__traveler_id").annotate(n=Count("state_id", distinct=True))
                     .values_list("state__request__traveler_id", "n"))
    kept = list(Booking.objects.filter(state__request__traveler_id__in=ids, status__in=SUCCESS)
                .values_list("state__request__traveler_id", "state__request_id", "offering_id", "slot__start",
                             "vendor__time_zone"))
    approved = (RecommendationItem.objects.filter(recommendation__request__traveler_id__in=ids,
                                                  offering__isnull=False)
                .values_list("recommendation__request__traveler_id", "recommendation__request_id", "offering_id",
                             "status"))
    rejected_events = list(Event.objects.filter(type="itinerary.item_rejected", state__request__traveler_id__in=ids)
                           .values_list("state__request__traveler_id", "state__request_id", "payload"))
    transfer = dict(Item.objects.filter(pk__in=[p.get("item") for *_x, p in rejected_events])
                    .values_list("pk", "travel_from_previous_min"))
    reviews = {row[0]: row[1:] for row in Review.objects.filter(author_id__in=ids).values("author_id")
               .annotate(n=Count("id"), total=Sum("rating")).values_list("author_id", "n", "total")}
    affinity = defaultdict(list)
    for author, expert in (Review.objects.filter(target=Review.Target.EXPERT, author_id__in=ids,
                                                 rating__gte=GOOD_RATING, state__phase=Phase.COMPLETED,
                                                 state__expert_id=F("expert_id"))
                           .values_list("author_id", "expert_id").distinct().order_by("expert_id")):
        affinity[author].append(expert)

    positive, negative = defaultdict(set), defaultdict(set)
    mornings, timed = Counter(), Counter()
    for traveler, request, offering, start, tz in kept:
        positive[traveler].add((request, offering))
        if start is not None:
            timed[traveler] += 1
            mornings[traveler] += start.astimezone(ZoneInfo(tz)).hour < MORNING_BEFORE_HOUR
    for traveler, request, offering, status in approved:
        if status in (ItemStatus.APPROVED, ItemStatus.MODIFIED):
            positive[traveler].add((request, offering))
        elif status == ItemStatus.REJECTED:
            negative[traveler].add((request, offering))
    rejections, long_ones = Counter(), Counter()
    for traveler, request, payload in rejected_events:
        if payload.get("offering"):
            negative[traveler].add((request, payload["offering"]))
        rejections[traveler] += 1
        long_ones[traveler] += transfer.get(payload.get("item"), 0) >= LONG_TRANSFER_MIN
    offerings = {o for pairs in (*positive.values(), *negative.values()) for _r, o in pairs}
    interests_of = dict(Offering.objects.filter(pk__in=offerings).values_list("pk", "interests"))

    kept_count = Counter(traveler for traveler, *_rest in kept)
    edited = set(TravelerProfile.objects.filter(traveler_id__in=ids).exclude(overrides={})
                 .values_list("traveler_id", flat=True))
    rows = {}
    for pk in ids:
        n_reviews, total = reviews.get(pk, (0, None))
        if not (completed.get(pk) or positive.get(pk) or negative.get(pk) or rejections[pk] or n_reviews
                or pk in edited):
            continue
        rows[pk] = dict(
            trips_completed=completed.get(pk, 0), bookings_kept=kept_count[pk],
            reviews_given=n_reviews, rating_given_avg=ratio(total, n_reviews, CENTI),
            morning_share=ratio(mornings[pk], timed[pk]),
            interests=_interest_affinity(positive.get(pk, ()), negative.get(pk, ()), interests_of),
            rejections=rejections[pk], long_transfer_rejections=long_ones[pk], expert_affinity=affinity.get(pk, []))
    return traveler_profiles_save(traveler_ids=ids, profiles=rows)
