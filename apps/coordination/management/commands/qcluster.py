"""django-q2's ``qcluster`` with the task code loaded once, before the cluster forks.

The leader forks the sentinel, which forks the workers, the monitor and the pusher: code
and data loaded here are shared copy-on-write by all of them instead of being loaded again
by each worker on its first task. ``gc.freeze()`` keeps the collector from writing to the
headers of these objects (which would copy their pages into every child).

Nothing else is loaded: the system checks, which import the URLconf and with it every
view, form, serializer and admin class (~30 MB that no task uses), do not run here
(``manage.py check`` runs them: ``make check``, the CI).
"""
import gc
import importlib

from django.db import connections
from django.template import engines
from django_q.management.commands.qcluster import Command as QclusterCommand

from apps.coordination.schedules import PERIODIC

# The modules of the queued tasks (besides the periodic ones) and of their heavy imports
# (WeasyPrint for the PDF export, the planner for re-planning; holidays' country calendars,
# whose first lookup by the insights imports all ~280 of them, ~15 MB).
QUEUED_TASK_MODULES = ("apps.coordination.booking_tasks", "apps.coordination.notifications", "apps.exports.tasks",
                       "apps.insights.tasks", "apps.itineraries.planner.service", "apps.vendors.supplier",
                       "holidays.countries")


def task_modules() -> list[str]:
    return sorted({func.rsplit(".", 1)[0] for func, _minutes in PERIODIC.values()} | set(QUEUED_TASK_MODULES))


def preload() -> None:
    """Import the task modules, set up what they would each set up on first use (the
    template engine, whose setup imports every app's template tags, for the PDF and the
    e-mails; the ECB rate history of the exports' budgets), then freeze what is loaded so
    far for the forked children."""
    from apps.integrations.ecb import shipped_history

    for name in task_modules():
        importlib.import_module(name)
    engines.all()
    shipped_history()
    connections.close_all()  # no connection may be shared across the fork
    gc.collect()
    gc.freeze()


class Command(QclusterCommand):
    help = QclusterCommand.help + " Task code is loaded before the workers fork (shared memory)."
    requires_system_checks = []  # see the module docstring

    def handle(self, *args, **options):
        preload()
        super().handle(*args, **options)
