"""Platform intelligence on a generated history (prints numbers; not a test).

Generates ``--requests`` past requests (default 10,000) with bulk_create: completed trips
with an expert chosen and accepted, kept/declined/expired bookings and their events, a
one-day itinerary, and reviews. Then prints the time of a full rebuild
(``apps.insights.tasks.rebuild_all``) and of one incremental update (``on_event`` of the
latest review). Runs on a scratch database, created and dropped like a test database: a
SQLite file in a temp dir by default, or ``<name>_bench_insights`` next to a PostgreSQL
``DATABASE_URL``.

    .venv/bin/python bench/intelligence.py [--requests 10000] [--seed 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/intelligence.py
"""
import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CITIES = [("Tokyo", "JP", "Asia/Tokyo"), ("Kyoto", "JP", "Asia/Tokyo"), ("Lisbon", "PT", "Europe/Lisbon"),
          ("Paris", "FR", "Europe/Paris"), ("Rome", "IT", "Europe/Rome"), ("Berlin", "DE", "Europe/Berlin")]
INTERESTS = ["food", "culture", "history", "art", "nature", "nightlife"]


def _setup_django(tmp: str):
    """Django on a scratch database (created and migrated like a test database); returns
    the connection and the original name for clean-up."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["TEST_DB_NAME"] = f"{urlparse(url).path.lstrip('/') or 'postgres'}_bench_insights"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/settings.sqlite3"
        os.environ["TEST_DB_NAME"] = f"{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")
    import django
    from django.db import connection

    django.setup()
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection, original


def _generate(n_requests: int, rng: random.Random) -> None:
    """Bulk-insert the history (phases, events and bookings set directly: generated data)."""
    from apps.accounts.models import Role, User
    from apps.coordination.models import Booking, CoordinationState, Event, Review
    from apps.experts.models import Expert
    from apps.itineraries.models import Day, Item, Itinerary
    from apps.requests.models import ExperienceRequest
    from apps.vendors.models import Confirmation, Offering, Slot, Vendor

    def users(role, n):
        return User.objects.bulk_create([User(username=f"{role}-{i}", role=role, password="!") for i in range(n)])

    travelers = users(Role.TRAVELER, max(10, n_requests // 5))
    experts = Expert.objects.bulk_create([Expert(user=u, destinations=[rng.choice(CITIES)[0]], rating=Decimal("4.5"))
                                          for u in users(Role.EXPERT, 60)])
    vendors = Vendor.objects.bulk_create([
        Vendor(user=u, name=f"Vendor {i}", code=f"V{i}", vendor_type="tour", city=c[0], country=c[1], lat=0, lon=0,
               time_zone=c[2], confirmation=rng.choice(list(Confirmation.values)))
        for i, (u, c) in enumerate(zip(users(Role.VENDOR, 120), [CITIES[i % len(CITIES)] for i in range(120)]))])
    offerings = Offering.objects.bulk_create([
        Offering(vendor=v, title=f"Offering {v.pk}-{k}", base_price=Decimal(rng.randrange(20, 300)), currency="EUR",
                 interests=rng.sample(INTERESTS, 2)) for v in vendors for k in range(5)])
    by_city = {}
    for o in offerings:
        by_city.setdefault(o.vendor.city, []).append(o)
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    slots = {o.pk: Slot.objects.bulk_create([
        Slot(offering=o, start=base + dt.timedelta(days=rng.randrange(0, 720), hours=rng.randrange(7, 20)),
             end=base + dt.timedelta(days=800), capacity_total=50, capacity_available=50,
             price=o.base_price * Decimal(rng.choice(["0.9", "1", "1.2"])), currency="EUR") for _ in range(2)])
        for o in offerings}

    requests, states = [], []
    for i in range(n_requests):
        city = rng.choice(CITIES)
        start = (base + dt.timedelta(days=rng.randrange(0, 700))).date()
        requests.append(ExperienceRequest(
            traveler=rng.choice(travelers), destination=city[0], country=city[1], lat=0, lon=0, time_zone=city[2],
            start_date=start, end_date=start + dt.timedelta(days=rng.randrange(1, 7)), budget_min=1000,
            budget_max=5000, currency="EUR", interests=rng.sample(INTERESTS, 2)))
    requests = ExperienceRequest.objects.bulk_create(requests, batch_size=2000)
    states = CoordinationState.objects.bulk_create(
        [CoordinationState(request=r, phase="completed", expert=rng.choice(experts)) for r in requests],
        batch_size=2000)
    itineraries = Itinerary.objects.bulk_create([Itinerary(request=r, version=1, time_zone=r.time_zone,
                                                           currency="EUR", state="approved") for r in requests],
                                                batch_size=2000)
    days = Day.objects.bulk_create([Day(itinerary=it, date=r.start_date) for it, r in zip(itineraries, requests)],
                                   batch_size=2000)
    events, bookings, items, reviews = [], [], [], []
    for state, request, itinerary, day in zip(states, requests, itineraries, days):
        clock = dt.datetime.combine(request.start_date, dt.time(8), tzinfo=dt.UTC) - dt.timedelta(days=30)
        log = [("request.submitted", {}), ("expert.chosen", {"expert": state.expert_id}),
               ("expert.accepted", {"expert": state.expert_id})]
        picks = rng.sample(by_city[request.destination], 3)
        for n, offering in enumerate(picks):
            slot = rng.choice(slots[offering.pk])
            status = rng.choices(["completed", "confirmed", "declined", "expired"], [6, 2, 1, 1])[0]
            kept = status in ("completed", "confirmed")
            bookings.append(Booking(state=state, vendor_id=offering.vendor_id, offering=offering, slot=slot,
                                    status=status, price=slot.price, currency="EUR",
                                    confirmed_at=clock if kept else None))
            items.append(Item(day=day, position=n, title=offering.title, start=slot.start, end=slot.start,
                              offering=offering, travel_from_previous_min=rng.randrange(0, 60)))
        log.append(("trip.completed", {}))
        events += [Event(state=state, version=v, type=t, payload=p) for v, (t, p) in enumerate(log, 1)]
        state.version = len(log)
        state.current_itinerary = itinerary
        reviews.append(Review(state=state, author_id=request.traveler_id, target="expert", expert_id=state.expert_id,
                              rating=rng.randint(2, 5)))
    Event.objects.bulk_create(events, batch_size=5000)
    CoordinationState.objects.bulk_update(states, ["version", "current_itinerary"], batch_size=2000)
    Item.objects.bulk_create(items, batch_size=5000)
    Review.objects.bulk_create(reviews, batch_size=5000)
    bookings = Booking.objects.bulk_create(bookings, batch_size=5000)
    booking_events, versions = [], {s.pk: s.version for s in states}
    for b in bookings:
        for kind in ("booking.requested", {"completed": "booking.confirmed", "confirmed": "booking.confirmed",
                                           "declined": "booking.declined", "expired": "booking.expired"}[b.status]):
            versions[b.state_id] += 1
            booking_events.append(Event(state_id=b.state_id, version=versions[b.state_id], type=kind,
                                        payload={"booking": {"id": b.pk, "vendor": b.vendor_id}}))
    Event.objects.bulk_create(booking_events, batch_size=5000)
    for state in states:
        state.version = versions[state.pk]
    CoordinationState.objects.bulk_update(states, ["version"], batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        connection, original = _setup_django(tmp)

        clock = time.perf_counter()
        _generate(max(1, min(args.requests, 100_000)), random.Random(args.seed))
        generated = time.perf_counter() - clock

        from apps.coordination.models import Event, Review
        from apps.coordination.services.reviews import review_submit
        from apps.insights.tasks import on_event, rebuild_all

        clock = time.perf_counter()
        counts = rebuild_all()
        rebuild = time.perf_counter() - clock

        review = Review.objects.select_related("state__request__traveler").first()
        Review.objects.filter(pk=review.pk).delete()
        review_submit(state_id=review.state_id, actor=review.state.request.traveler, target="expert", rating=5)
        event = Event.objects.filter(type="review.submitted").latest("pk")
        clock = time.perf_counter()
        on_event(event.pk)
        incremental = time.perf_counter() - clock

        print(f"database: {connection.vendor}; history: {args.requests} requests, {Event.objects.count()} events "
              f"(generated in {generated:.1f} s)")
        print(f"full rebuild: {rebuild:.2f} s ({counts})")
        print(f"one incremental update (review.submitted): {incremental * 1000:.0f} ms")
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
