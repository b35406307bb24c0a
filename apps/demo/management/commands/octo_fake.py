"""``manage.py octo_fake``: the demo's fake OCTO supplier (a Tokyo food walk, every evening
for 60 days) on a loopback port; once it answers, the slots of the vendors on it are
synced, so the planner and the browse pages offer its departures at once. ``run_all``
starts it as a third child when ``settings.TRAVELOURE["OCTO_FAKE_PORT"]`` is set."""
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.demo.catalog import OCTO_VENDOR
from apps.demo.loader import SLOT_DAYS, octo_demo_key
from apps.demo.octo_supplier import make_server, tokyo_tour
from apps.vendors.models import Vendor
from apps.vendors.supplier import vendor_sync


class Command(BaseCommand):
    help = "Serve the demo's fake OCTO supplier and sync its vendor's slots from it (Ctrl-C stops it)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.TRAVELOURE["OCTO_FAKE_PORT"] or 8765)

    def handle(self, *args, host, port, **options):
        supplier = tokyo_tour(api_key=octo_demo_key(), first_day=timezone.localdate(), days=SLOT_DAYS,
                              product_id=OCTO_VENDOR[3])
        server = make_server(supplier, host, port)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        self.stderr.write(f"octo_fake: serving on http://{host}:{port}")
        for vendor_id in Vendor.objects.filter(code=OCTO_VENDOR[0]).values_list("pk", flat=True):
            self.stderr.write(f"octo_fake: synced {vendor_sync(vendor_id)} offering(s) of vendor {vendor_id}")
        try:
            serving.join()
        except KeyboardInterrupt:
            server.shutdown()
