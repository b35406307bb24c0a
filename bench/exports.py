"""Time the outputs of a 7-day itinerary (31 stops, 4 confirmed bookings).

    python bench/exports.py [--runs N]

Builds the itinerary in a throw-away test database (SQLite by default, or whatever
DATABASE_URL names, with its TEST_DB_NAME), then prints the median time to build the
read model, render the PDF and render the ICS. Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")


def _median_seconds(func, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from apps.exports.document import build_document
    from apps.exports.ics import render_ics
    from apps.exports.pdf import render_itinerary_pdf
    from tests.itineraries.factories import make_itinerary

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        itinerary = make_itinerary()
        doc_s, doc = _median_seconds(lambda: build_document(itinerary), args.runs)
        pdf_s, pdf = _median_seconds(lambda: render_itinerary_pdf(doc), args.runs)
        ics_s, ics = _median_seconds(lambda: render_ics(doc), args.runs)
        print(f"7-day itinerary: {len(doc.days)} days, {len(doc.items)} items, {len(doc.bookings)} bookings "
              f"(median of {args.runs} runs, {connection.vendor})")
        print(f"  read model  {doc_s * 1000:8.1f} ms")
        print(f"  PDF         {pdf_s * 1000:8.1f} ms  ({len(pdf) / 1024:.0f} KiB)")
        print(f"  ICS         {ics_s * 1000:8.1f} ms  ({len(ics) / 1024:.0f} KiB)")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
