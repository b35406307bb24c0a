"""``python manage.py seed_demo``: load the demo data (idempotent) and print the logins."""
from django.core.management.base import BaseCommand

from apps.demo.catalog import DEMO_PASSWORD, LOGINS, VENDOR_LOGINS
from apps.demo.loader import seed_demo


class Command(BaseCommand):
    help = "Create the demo users, experts, places, vendors, slots and trips (safe to run again)."

    def handle(self, *args, **options):
        counts = seed_demo()
        self.stdout.write("Demo data:")
        for name, count in counts.items():
            self.stdout.write(f"  {name:<20} {count}")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password {DEMO_PASSWORD}):"))
        for username, (role, *_rest) in {**LOGINS, **VENDOR_LOGINS}.items():
            self.stdout.write(f"  {username:<13} {role}")
