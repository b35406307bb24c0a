"""``python manage.py screenshots --out screenshots``: PNGs of each main page of the three
portals and the admin, as each demo user (and the landing page as a visitor), at desktop
and phone width, for review.

Serves the project in-process against the configured (seeded) database, signs in through
the login form and saves ``<out>/<user>-<page>-<width>.png`` (full page). Read-only: it
only opens pages. Needs ``seed_demo`` first (``make screenshots`` does it)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from apps.accounts.models import User
from apps.coordination.access import bookings_served_by, requests_visible_to
from apps.coordination.phases import OPEN_PHASES
from apps.demo.catalog import DEMO_PASSWORD
from apps.demo.history import WEDDING_TITLE
from apps.portals.management.live_server import CHROMIUM, CHROMIUM_ARGS, asgi_server, sign_in

WIDTHS = (1280, 375)
VISITOR = "visitor"  # not signed in
SETTLE_MS = 600  # live fragments load right after the page


def _request_pages(prefix: str, names: list[str], request_id: int | None) -> list[tuple[str, str]]:
    if request_id is None:
        return []
    return [(f"{name}-{request_id}", reverse(f"{prefix}:{name}", args=[request_id])) for name in names]


def demo_pages() -> dict[str, list[tuple[str, str]]]:
    """(file slug, path) of each page to capture, per demo login, from what the demo holds."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["traveler", "expert", "vendor", "vendor_lisbon", "staff"])}
    if len(users) < 5:
        raise CommandError("The demo users are missing: run `python manage.py seed_demo` first.")
    traveler_requests = requests_visible_to(users["traveler"])
    open_request = (traveler_requests.filter(coordination__phase__in=OPEN_PHASES).exclude(title=WEDDING_TITLE)
                    .values_list("pk", flat=True).first())
    with_plan = traveler_requests.filter(coordination__current_itinerary__isnull=False)
    planned = (with_plan.filter(coordination__phase__in=OPEN_PHASES).values_list("pk", flat=True).first()
               or with_plan.values_list("pk", flat=True).first())
    wedding = traveler_requests.filter(title=WEDDING_TITLE).values_list("pk", flat=True).first()
    client = (requests_visible_to(users["expert"]).order_by("-coordination__updated_at")
              .values_list("pk", flat=True).first())
    served = bookings_served_by(users["vendor"]).order_by("-pk").values_list("pk", flat=True).first()
    pages = {
        VISITOR: [("landing", "/")],
        "traveler": [("home", "/traveler/"), ("request-new", reverse("traveler:request_create")),
                     ("history", reverse("traveler:history")), ("notifications", reverse("traveler:notifications")),
                     *_request_pages("traveler", ["request_detail", "browse"], open_request),
                     *_request_pages("traveler", ["itinerary", "budget", "chat"], planned),
                     *([(f"downloads-{planned}", reverse("exports:itinerary", args=[planned]))] if planned else []),
                     *_request_pages("traveler", ["request_detail", "browse", "shortlist"], wedding)],
        "expert": [("inbox", "/expert/"), ("bookings", reverse("expert:bookings")),
                   ("calendar", reverse("expert:calendar")), ("metrics", reverse("expert:metrics")),
                   *_request_pages("expert", ["request", "recommendation"], client)],
        "vendor": [("home", "/vendor/"), ("slots", reverse("vendor:slots")),
                   *([("booking", reverse("vendor:booking", args=[served]))] if served else [])],
        "vendor_lisbon": [("home", "/vendor/"), ("negotiations", reverse("vendor:negotiations"))],
        "staff": [("admin", "/admin/")],
    }
    return pages


class Command(BaseCommand):
    help = "Save PNGs of each main portal page at 1280 px and 375 px wide (demo users, seeded database)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="screenshots", help="Folder for the PNGs (created; git-ignored).")

    def handle(self, *args, out: str, **options):
        from playwright.sync_api import sync_playwright

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        pages = demo_pages()  # database reads before Playwright's event loop starts
        saved = 0
        with asgi_server() as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for username, targets in pages.items():
                for width in WIDTHS:
                    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900},
                                                  device_scale_factor=1)
                    page = context.new_page()
                    if username != VISITOR:
                        sign_in(page, username, DEMO_PASSWORD)
                    for slug, path in targets:
                        response = page.goto(path)
                        page.wait_for_timeout(SETTLE_MS)
                        target = folder / f"{username}-{slug}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        saved += 1
                        status = response.status if response else "?"
                        self.stdout.write(f"{status} {path} → {target}")
                    context.close()
            browser.close()
        self.stdout.write(self.style.SUCCESS(f"{saved} screenshots in {folder}/"))
