"""Event log growth: rows and megabytes per 1,000 trips (prints numbers; not a test).

    python bench/event_log_growth.py [--trips 20]

Runs ``--trips`` complete trips through the engine on a scratch database (a temporary
SQLite file, or ``<name>_bench_events`` next to a PostgreSQL ``DATABASE_URL``): intake,
expert chosen and accepted, a recommendation reviewed, an itinerary generated and
approved, two bookings confirmed, four chat messages, a review, trip started and
completed. Tasks run inline (``Q_SYNC``) so notifications and outbox rows are real. Prints
rows and on-disk size (table + indexes) of the event log, the outbox and notifications,
scaled to 1,000 trips; retention prunes the last two, the event log is kept.
"""
import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TABLES = {"events": "coordination_event", "outbox": "coordination_outboxmessage",
          "notifications": "coordination_notification"}


def _scratch_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tempfile.mkdtemp(prefix='events-')}/bench.sqlite3"
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_events"
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def _trip(staff, n: int) -> None:
    from zoneinfo import ZoneInfo

    from apps.coordination.booking_tasks import confirm_instant_booking
    from apps.coordination.models import Booking
    from apps.coordination.services import chat, experts, itinerary, recommendations, reviews
    from apps.coordination.services.lifecycle import trip_complete, trip_start
    from tests.factories import make_expert, make_offering, make_request, make_slot, make_user

    traveler = make_user()
    make_expert(capacity_max=1)
    state = make_request(traveler)
    expert = experts.request_matches(state)[0].expert
    day = state.request.start_date + dt.timedelta(days=1)
    offerings = [make_offering(title=f"Tour {n}.{i}", interests=["food"], dietary=["vegetarian"]) for i in range(2)]
    for i, offering in enumerate(offerings):
        make_slot(offering, start=dt.datetime.combine(day + dt.timedelta(days=i), dt.time(10), ZoneInfo("Asia/Tokyo")))
    experts.expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    experts.expert_accept(state_id=state.pk, actor=expert.user)
    draft = recommendations.recommendation_edit(state_id=state.pk, actor=expert.user, summary="Food first", items=[
        {"title": o.title, "offering_id": o.pk, "day": day + dt.timedelta(days=i), "start_time": dt.time(10),
         "pinned": True, "reasoning": "Best before the crowds", "tips": ["Come hungry"]}
        for i, o in enumerate(offerings)])
    recommendations.recommendation_send(state_id=state.pk, actor=expert.user)
    for item in draft.items.all():
        recommendations.recommendation_item_review(state_id=state.pk, actor=traveler, item_id=item.pk,
                                                   action="approve")
    for who, body in ((traveler, "Vegetarian options?"), (expert.user, "All set."), (traveler, "Thanks!"),
                      (expert.user, "Enjoy Tokyo.")):
        chat.message_post(state_id=state.pk, actor=who, body=body)
    itinerary.itinerary_generate(state_id=state.pk, actor=expert.user)
    itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    for booking_id in Booking.objects.filter(state=state).values_list("pk", flat=True):
        confirm_instant_booking(booking_id)
    trip_start(state_id=state.pk, actor=staff)
    trip_complete(state_id=state.pk, actor=staff)
    reviews.review_submit(state_id=state.pk, actor=traveler, target="expert", rating=5, comment="Great")


def _sizes() -> dict[str, tuple[int, float]]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for name, table in TABLES.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            rows = cursor.fetchone()[0]
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            else:  # dbstat: the pages of the table and of its indexes
                cursor.execute("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = %s OR name IN "
                               "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s)",
                               [table, table])
            out[name] = (rows, cursor.fetchone()[0] / 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trips", type=int, default=20)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = _scratch_database()
    os.environ.update(DJANGO_SETTINGS_MODULE="traveloure.settings", Q_SYNC="1", LOG_REQUESTS="0",
                      EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()
    from django.core.management import call_command

    from apps.accounts.models import Role
    from tests.factories import make_user

    call_command("migrate", verbosity=0)
    staff = make_user(Role.STAFF)
    started = time.monotonic()
    for n in range(args.trips):
        _trip(staff, n)
        print(f"trip {n + 1}/{args.trips} done at {time.monotonic() - started:.1f}s", file=sys.stderr)
    elapsed = time.monotonic() - started
    scale = 1000 / args.trips
    print(f"{args.trips} trips in {elapsed:.1f}s on {django.db.connection.vendor}; per 1,000 trips:")
    for name, (rows, mb) in _sizes().items():
        print(f"  {name:<14} {rows * scale:>10,.0f} rows  {mb * scale:>8.1f} MB   ({rows / args.trips:.1f} rows/trip)")


if __name__ == "__main__":
    main()
