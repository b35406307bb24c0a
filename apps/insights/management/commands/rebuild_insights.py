"""Staff command: recompute all platform intelligence from the event log."""
import time

from django.core.management.base import BaseCommand

from apps.insights.tasks import rebuild_all


class Command(BaseCommand):
    help = "Rebuild expert metrics, vendor reliability, traveler profiles and patterns from the event log."

    def handle(self, *args, **options):
        clock = time.perf_counter()
        counts = rebuild_all()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items())
                          + f" ({time.perf_counter() - clock:.2f} s)")
