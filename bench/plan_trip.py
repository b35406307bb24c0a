"""Plan a 7-day trip from 500 generated candidates end to end and print the time.

Runs ``plan_for_request`` (candidates from the database, scoring, build, solve, map back)
on a throw-away SQLite database in memory, then the API's whole ``generate`` action
(``itinerary_generate``: snapshot, planner inputs, the plan with the product's own search
budget, the new version stored under the lock) as ``api_s``. Prints numbers; not a
pass/fail test.
Usage: python bench/plan_trip.py [--candidates 500] [--days 7] [--time-limit 0.3] [--seed 0]
"""
import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Role, User  # noqa: E402
from apps.coordination.services.intake import request_submit  # noqa: E402
from apps.coordination.services.itinerary import itinerary_generate  # noqa: E402
from apps.itineraries.models import Place  # noqa: E402
from apps.itineraries.planner.service import plan_for_request  # noqa: E402
from apps.requests.services import IntakeData  # noqa: E402

INTERESTS = ["food", "culture", "history", "art", "nature", "shopping"]
HOURS = ["Mo-Su 09:00-17:00", "Tu-Su 10:00-18:00", "Mo-Sa 08:00-20:00", "Mo-Fr 11:30-14:00,17:30-21:30", "",
         "Mo-Su 10:00-22:00; Jan 01 off"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    Place.objects.bulk_create([
        Place(city="Tokyo", name=f"Candidate {k}", category="restaurant" if k % 5 == 0 else "museum",
              lat=35.6895 + rng.uniform(-0.08, 0.08), lon=139.6917 + rng.uniform(-0.1, 0.1), indoor=rng.random() < 0.5,
              typical_visit_min=rng.choice([45, 60, 90, 120]), opening_hours=rng.choice(HOURS),
              price=Decimal(rng.choice([0, 0, 500, 1500, 3000])), currency="JPY",
              interests=rng.sample(INTERESTS, 2), dietary=["vegetarian"] if k % 10 == 0 else [])
        for k in range(args.candidates)])
    traveler = User.objects.create(username="bench", role=Role.TRAVELER)
    start = timezone.localdate() + dt.timedelta(days=60)
    state = request_submit(traveler=traveler, data=IntakeData(
        destination="Tokyo", start_date=start, end_date=start + dt.timedelta(days=args.days - 1), adults=2,
        budget_min=Decimal(1000), budget_max=Decimal(5000), currency="USD", interests=["food", "culture"],
        accommodation="none", dietary_restrictions=["vegetarian"], path="browse"))
    request = state.request
    weather = {start + dt.timedelta(days=2): {"summary": "rain", "rain_hours": list(range(9, 14))}}
    plan_for_request(request, weather=weather, time_limit=0.05)  # warm caches (rates, hours parser)
    clock = time.perf_counter()
    plan = plan_for_request(request, weather=weather, time_limit=args.time_limit, seed=args.seed)
    total = time.perf_counter() - clock
    items = plan.items
    print(f"candidates={args.candidates} days={args.days} vertices={plan.solver['vertices']} "
          f"items={len(items)} score={plan.solver['score']} iterations={plan.solver['iterations']}")
    print(f"solve_s={plan.solver['seconds']:.3f} total_s={total:.3f} (time limit {args.time_limit}s) "
          f"left_out={len(plan.left_out)} total={plan.total} {plan.currency}")
    print(f"breakdown: prepare_s={plan.solver['prepare_s']:.3f} (candidates, scores, days' areas, meals, "
          f"travel matrix) solve_s={plan.solver['seconds']:.3f} ({plan.solver['searched']} of the vertices "
          f"searchable) finish_s={plan.solver['finish_s']:.3f} (budget, order, even days, explain)")
    itinerary_generate(state_id=state.pk, actor=traveler)  # warm the API path (its first version)
    clock = time.perf_counter()
    itinerary_generate(state_id=state.pk, actor=traveler, seed=args.seed)
    print(f"api_s={time.perf_counter() - clock:.3f} (generate: plan with the product's search budget, stored)")


if __name__ == "__main__":
    main()
