"""django-q2's ``qcluster`` with the task code loaded once, before the cluster forks.

The leader forks the sentinel, which forks the workers, the monitor and the pusher: code
imported here is shared copy-on-write by all of them instead of being imported again by
each worker on its first task. ``gc.freeze()`` keeps the collector from writing to the
headers of these objects (which would copy their pages into every child).
"""
import gc
import importlib

from django.db import connections
from django_q.management.commands.qcluster import Command as QclusterCommand

from apps.coordination.schedules import PERIODIC

# The modules of the queued tasks (besides the periodic ones) and of their heavy imports
# (WeasyPrint for the PDF export, the planner for re-planning).
QUEUED_TASK_MODULES = ("apps.coordination.booking_tasks", "apps.coordination.notifications", "apps.exports.tasks",
                       "apps.insights.tasks", "apps.itineraries.planner.service", "apps.vendors.supplier")


def task_modules() -> list[str]:
    return sorted({func.rsplit(".", 1)[0] for func, _minutes in PERIODIC.values()} | set(QUEUED_TASK_MODULES))


def preload() -> None:
    """Import the task modules and freeze what is loaded so far for the forked children."""
    for name in task_modules():
        importlib.import_module(name)
    connections.close_all()  # no connection may be shared across the fork
    gc.collect()
    gc.freeze()


class Command(QclusterCommand):
    help = QclusterCommand.help + " Task code is loaded before the workers fork (shared memory)."

    def handle(self, *args, **options):
        preload()
        super().handle(*args, **options)
