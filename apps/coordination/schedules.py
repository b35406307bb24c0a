"""Periodic django-q2 tasks of the coordination engine (created idempotently)."""
from django_q.models import Schedule

PERIODIC = {
    # name: (function path, minutes)
    "outbox-relay": ("apps.coordination.relay.relay_undelivered", 1),
}


def ensure_schedules() -> None:
    for name, (func, minutes) in PERIODIC.items():
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
        )
