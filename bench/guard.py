"""Time the trip guard on a 14-day Tokyo trip: 60 plan items (20 of them booked, with
opening hours, holds and installments to judge) plus arrival and departure legs.

    python bench/guard.py [--runs N]

Builds the trip in a throw-away test database (SQLite by default, or whatever DATABASE_URL
names), then prints the median time of a whole evaluation as the engine runs it on the
state it already holds (gathering the things, 2 queries, and running every check) and of
the checks alone. Target: under 20 ms.
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")

DAYS, ITEMS, BOOKINGS = 14, 60, 20


def _median_ms(func, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def _build():
    """The sound 14-day trip of ``make_trip`` grown to 60 items: four visits a day (one in
    three booked, with a pending hold and an installment on some) plus the hotel."""
    from django.utils import timezone

    from apps.coordination.models import PaymentInstallment, SupplierReservation
    from tests.factories import make_place, make_vendor
    from tests.factories.trips import make_trip

    trip = make_trip(days=DAYS)
    vendor = make_vendor(lat=35.68, lon=139.72)
    garden = make_place(name="Bench garden", opening_hours="Mo-Su 08:00-20:00")
    hours = [(9, 0), (11, 0), (13, 0), (15, 0), (17, 0)]
    more = ITEMS - 3  # make_trip has the stay, the museum and the dinner
    booked = 0
    for g in range(more):
        day, n = divmod(g, len(hours))
        hh, mm = hours[n]
        lat, lon = 35.66 + 0.01 * n, 139.70 + 0.01 * (day % 5)
        if g * BOOKINGS // more == (g + 1) * BOOKINGS // more:  # 20 of them booked, spread over the trip
            trip.item(day, hh, mm, lat=lat, lon=lon, title=f"Visit {day}-{n}", place=None if n % 2 else garden)
            continue
        booking = trip.booking(day, hh, mm, vendor=vendor, lat=lat, lon=lon, opening_hours="Mo-Su 08:00-20:00",
                               status="pending" if booked % 4 == 0 else "confirmed",
                               deadline=timezone.now() + dt.timedelta(hours=48))
        if booked % 4 == 0:
            SupplierReservation.objects.create(booking=booking, uuid=f"bench-{booking.pk}", status="on_hold",
                                               expires_at=timezone.now() + dt.timedelta(hours=72))
        if booked % 5 == 0:
            PaymentInstallment.objects.create(booking=booking, kind="balance", amount=Decimal("50"),
                                              currency="JPY", due_date=trip.start)
        booked += 1
    trip.set_legs(arrival={"at": trip.at(0, 9, 30).isoformat(), "mode": "flight", "place": "NRT"},
                  departure={"at": trip.at(DAYS - 1, 18).isoformat(), "mode": "flight", "place": "HND"})
    return trip, booked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from apps.coordination.checks import evaluate, fixed_things, judge

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        trip, booked = _build()
        state = trip.fresh()
        facts = fixed_things(state)
        evaluate(state)  # warm the opening-hours and zone caches, as a running process has them
        whole_ms, findings = _median_ms(lambda: evaluate(state), args.runs)
        judge_ms, _ = _median_ms(lambda: judge(facts), args.runs)
        print(f"{DAYS}-day trip: {len(facts.things)} items ({booked} booked), arrival and departure "
              f"(median of {args.runs} runs, {connection.vendor})")
        print(f"  guard (read + checks)  {whole_ms:7.2f} ms   target < 20 ms   findings: {len(findings)}")
        print(f"  checks alone           {judge_ms:7.2f} ms")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
