"""Load the demo: users, experts, real places, vendors with offerings, price rules and
slots, past trips and one open request. Idempotent: rows are found by natural keys
(username, place (city, name), vendor code, offering (vendor, title), slot (offering,
start), consultation slot (expert, start), request (traveler, title)) and only missing
ones are created; nothing existing is edited or deleted.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.coordination.models import Notification
from apps.coordination.services.notifications import preference_set
from apps.experts.models import ConsultationSlot, Expert
from apps.itineraries.models import Place
from apps.itineraries.planner.hours import open_windows
from apps.vendors.models import (
    Confirmation,
    Offering,
    OfferingKind,
    PriceRule,
    PriceRuleKind,
    PriceUnit,
    Vendor,
)
from apps.vendors.services import slots_bulk_create

from . import history
from .catalog import (
    DEMO_PASSWORD,
    DEMO_VENDOR_PLACE,
    ESTIMATED_PRICE,
    EXPERTS,
    LOGINS,
    OCTO_VENDOR,
    REGIONS,
    ROOM_NIGHT,
    SUPPLIERS,
    TRAVELERS,
    VENDOR_LOGINS,
    Region,
)

DATA = Path(__file__).resolve().parent / "data"
SLOT_DAYS = 60
CONSULTATION_DAYS = 30
CONSULTATION_TIMES = (dt.time(10, 0), dt.time(17, 0))
CONSULTATION_MINUTES = 45
# CSV dietary tags → the vocabulary travelers choose from (apps.requests.models.DIETARY).
DIETARY_TAGS = {
    "vegan": ("vegan", "vegetarian"), "vegan_options": ("vegan", "vegetarian"), "vegetarian": ("vegetarian",),
    "vegetarian_options": ("vegetarian",), "gluten_free": ("gluten-free",), "gluten_free_options": ("gluten-free",),
    "seafood_focused": ("pescatarian",),
}
WEDDING_TYPES = {"venue", "caterer", "photographer", "florist", "music"}
CATERER_MAX_GUESTS = 150  # one banquet per slot serves up to this many guests
# Words that make poor vendor codes ("Museu Nacional do Azulejo" → AZU).
CODE_SKIP = {"the", "and", "hotel", "hostel", "museu", "museo", "museum", "nacional", "national", "galleria",
             "palazzo", "villa", "castello", "castelo", "tenuta", "borgo", "grand", "tokyo", "lisboa", "lisbon",
             "dos", "das", "del", "della", "dell", "degli", "san", "santa", "sao"}
TIERS = {
    "hotel": [{"hours": 48, "refund_pct": 100}, {"hours": 0, "refund_pct": 0}],
    "restaurant": [{"hours": 24, "refund_pct": 100}, {"hours": 0, "refund_pct": 0}],
    "transport": [{"hours": 24, "refund_pct": 100}, {"hours": 0, "refund_pct": 0}],
    "wedding": [{"hours": 2160, "refund_pct": 100}, {"hours": 720, "refund_pct": 50}, {"hours": 0, "refund_pct": 0}],
    "default": [{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}, {"hours": 0, "refund_pct": 0}],
}
MIN_NOTICE = {"hotel": 24, "restaurant": 3, "attraction": 2, "tour": 24, "transport": 12, "venue": 336,
              "caterer": 336, "photographer": 168, "florist": 168, "music": 168}
DEMO_NOTE = "Invented demo supplier, not a real business."


@dataclass
class Plan:
    """One vendor with its single offering and when its slots are."""

    vendor: dict
    offering: dict
    times: tuple[str, ...]
    capacity: int
    rules: tuple[tuple[str, int, tuple[int, ...], str, str], ...] = ()
    owner: User | None = None


def _stable(text: str, modulo: int) -> int:
    """A number in ``range(modulo)`` that depends only on ``text`` (same on every run)."""
    return zlib.crc32(text.encode()) % modulo


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def vendor_code(prefix: str, name: str, taken: set[str]) -> str:
    """``TKO-TSU``: region prefix + three letters of the first telling word (else the
    initials); a digit is appended on a clash. Deterministic for a given order of names."""
    words = re.findall(r"[A-Za-z]+", _ascii(name))
    telling = [w for w in words if len(w) >= 3 and w.lower() not in CODE_SKIP]
    letters = telling[0][:3] if telling else "".join(w[0] for w in words)[:3]  # initials: "AC Hotel Lisboa" → AHL
    base = f"{prefix}-{letters.upper()}"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}{n}"
    taken.add(code)
    return code


def webhook_secret(code: str) -> str:
    """Per-vendor HMAC key, stable across runs: derived from SECRET_KEY and the code."""
    return hmac.new(settings.SECRET_KEY.encode(), f"vendor-webhook:{code}".encode(), hashlib.sha256).hexdigest()


def _read(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _tags(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _dietary(value: str) -> list[str]:
    return sorted({diet for tag in _tags(value) for diet in DIETARY_TAGS.get(tag, ())})


def _price(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


# --- users and experts ---------------------------------------------------------------------

def ensure_users() -> dict[str, User]:
    """The four demo logins, the other demo travelers and the wedding venue's login; staff
    also get superuser rights."""
    users = {}
    for username, (role, first, last, email, tz, currency) in {**LOGINS, **TRAVELERS, **VENDOR_LOGINS}.items():
        users[username] = User.objects.filter(username=username).first() or _user_new(
            username, role, first, last, email, tz, currency)
    return users


def _user_new(username, role, first, last, email, tz, currency) -> User:
    user = user_create(username=username, email=email, password=DEMO_PASSWORD, role=role, first_name=first,
                       last_name=last, time_zone=tz, currency=currency)
    # Demo mailboxes do not exist: keep the console quiet; in-app notifications stay on.
    preference_set(user=user, channel=Notification.Channel.EMAIL, enabled=False)
    if role == Role.STAFF:
        # Demo staff administer everything in /admin/; accounts has no service for this flag.
        User.objects.filter(pk=user.pk).update(is_superuser=True)
    return user


def ensure_experts(users: dict[str, User], today: dt.date) -> dict[str, Expert]:
    """Expert profiles (``expert`` is a login) and their consultation slots for 30 days."""
    experts = {}
    for profile in EXPERTS:
        user = users.get(profile.username) or User.objects.filter(username=profile.username).first() or _user_new(
            profile.username, Role.EXPERT, profile.first_name, profile.last_name,
            f"{profile.username}@demo.traveloure.local", REGIONS[profile.region].time_zone,
            REGIONS[profile.region].currency)
        experts[profile.username], _ = Expert.objects.get_or_create(user=user, defaults=dict(
            headline=profile.headline, bio=profile.bio, specializations=list(profile.specializations),
            destinations=list(profile.destinations), languages=list(profile.languages),
            capacity_max=profile.capacity_max, rating=Decimal(profile.rating),
            response_time_hours=profile.response_time_hours, booking_preference=profile.booking_preference,
            channel=profile.channel, time_zone=REGIONS[profile.region].time_zone))
    _ensure_consultations(experts.values(), today)
    return experts


def _ensure_consultations(experts, today: dt.date) -> None:
    now = timezone.now()
    existing = set(ConsultationSlot.objects.filter(expert__in=experts).values_list("expert_id", "start"))
    rows = []
    for expert in experts:
        tz = ZoneInfo(expert.time_zone)
        for n in range(1, CONSULTATION_DAYS + 1):
            day = today + dt.timedelta(days=n)
            if day.weekday() >= 5:
                continue
            for at in CONSULTATION_TIMES:
                start = dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.timezone.utc)
                if start > now and (expert.pk, start) not in existing:
                    rows.append(ConsultationSlot(expert=expert, start=start,
                                                 end=start + dt.timedelta(minutes=CONSULTATION_MINUTES)))
    ConsultationSlot.objects.bulk_create(rows)


# --- places ----------------------------------------------------------------------------------

def ensure_places() -> None:
    """Every row of ``pois.csv`` as a Place."""
    existing = set(Place.objects.values_list("city", "name"))
    rows = [Place(city=r["city"], name=r["name"], category=r["category"], lat=float(r["lat"]), lon=float(r["lon"]),
                  indoor=r["indoor"] == "yes", typical_visit_min=int(r["typical_visit_min"] or 60),
                  opening_hours=r["opening_hours"], price=_price(r["price_eur_or_local"]) or Decimal("0"),
                  currency=r["currency"], interests=_tags(r["interests"]), dietary=_dietary(r["dietary"]),
                  cuisine=r["cuisine"],
                  wheelchair=r["wheelchair"] or "unknown", description=r["description_own_words"],
                  source=r["source"])
            for r in _read("pois.csv") if (r["city"], r["name"]) not in existing]
    Place.objects.bulk_create(rows)


# --- vendors -------------------------------------------------------------------------------

def _vendor(region: Region, vendor_type: str, name: str, lat: float, lon: float, code: str, *,
            manual: bool = False) -> dict:
    confirmation = Confirmation.MANUAL if manual or vendor_type in WEDDING_TYPES or _stable(code, 3) == 0 \
        else Confirmation.INSTANT
    tiers = TIERS["wedding" if vendor_type in WEDDING_TYPES else vendor_type if vendor_type in TIERS else "default"]
    return dict(name=name, code=code, vendor_type=vendor_type, city=region.name, country=region.country, lat=lat,
                lon=lon, time_zone=region.time_zone, email=f"{code.lower()}@vendors.demo.traveloure.local",
                confirmation=confirmation, min_notice_hours=MIN_NOTICE[vendor_type],
                response_deadline_hours=72 if vendor_type in WEDDING_TYPES else 24, cancellation_tiers=tiers,
                webhook_secret=webhook_secret(code), rating=Decimal("3.8") + Decimal(_stable(name, 12)) / 10)


ADVANCE = (PriceRuleKind.ADVANCE, 30, (), "-10", "Book 30 days ahead: 10% off")
GROUP = (PriceRuleKind.GROUP, 6, (), "-15", "Groups of 6 or more: 15% off")
HIGH_SEASON = (PriceRuleKind.SEASON, 0, (5, 6, 9), "20", "Wedding high season (May, June, September): +20%")


def _hotel_plans(taken: set[str]) -> list[Plan]:
    plans = []
    for row in _read("hotels.csv"):
        region = REGIONS[row["city"]]
        code = vendor_code(region.prefix, row["name"], taken)
        stars = f"{row['stars']}-star " if row["stars"] else ""
        plans.append(Plan(
            _vendor(region, "hotel", row["name"], float(row["lat"]), float(row["lon"]), code),
            dict(title=f"Double room at {row['name']}", kind=OfferingKind.STAY, duration_min=20 * 60, indoor=True,
                 description=f"{stars}{row['price_band']} hotel. {row['notes']}".strip(),
                 base_price=ROOM_NIGHT[region.currency][row["price_band"]], currency=region.currency,
                 price_unit=PriceUnit.PER_NIGHT),
            times=("15:00",), capacity=4 + _stable(code, 8), rules=(ADVANCE,)))
    return plans


def _poi_plan(row: dict, taken: set[str], owner: User) -> Plan | None:
    """A vendor for a restaurant, a paid sight, a winery or a tour departure point."""
    region, category = REGIONS[row["city"]], row["category"]
    price = _price(row["price_eur_or_local"])
    estimated = ESTIMATED_PRICE[region.currency]
    if category == "restaurant":
        vendor_type, kind, title, times, capacity = "restaurant", OfferingKind.MEAL, "Table at {name}", \
            ("12:30", "19:30"), 24
        price = price or estimated["meal"]
    elif category == "tour_meeting_point":
        vendor_type, kind, title, times, capacity = "tour", OfferingKind.ACTIVITY, "{name}", \
            ("09:00", "14:00"), 8 + _stable(row["name"], 13)
        price = price or estimated["tour"]
    elif category == "winery":
        vendor_type, kind, title, times, capacity = "tour", OfferingKind.ACTIVITY, "Cellar tour and tasting at {name}", \
            ("11:00", "15:00"), 12
        price = price or estimated["visit"] * 3
    elif price:
        vendor_type, kind, title, times, capacity = "attraction", OfferingKind.ACTIVITY, "{name} (timed entry)", \
            ("10:00", "14:00"), 40
    else:
        return None  # free sights are places only
    code = vendor_code(region.prefix, row["name"], taken)
    note = "" if row["price_eur_or_local"].strip() else " Price is a demo estimate."
    return Plan(
        _vendor(region, vendor_type, row["name"], float(row["lat"]), float(row["lon"]), code,
                manual=row["name"] == DEMO_VENDOR_PLACE),
        dict(title=title.format(name=row["name"]), kind=kind, duration_min=int(row["typical_visit_min"] or 60),
             indoor=row["indoor"] == "yes",
             interests=_tags(row["interests"]), dietary=_dietary(row["dietary"]), cuisine=row["cuisine"],
             wheelchair=row["wheelchair"] == "yes",
             opening_hours=row["opening_hours"], description=f"{row['description_own_words']}{note}",
             base_price=price, currency=region.currency, price_unit=PriceUnit.PER_PERSON),
        times=times, capacity=capacity, rules=(GROUP,) if vendor_type == "restaurant" else (ADVANCE, GROUP),
        owner=owner if row["name"] == DEMO_VENDOR_PLACE else None)


def _venue_plans(taken: set[str]) -> list[Plan]:
    region = REGIONS["Tuscany"]
    plans = []
    for row in _read("venues.csv"):
        code = vendor_code(region.prefix, row["name"], taken)
        guests = f" Up to {row['capacity_guests_if_known']} guests." if row["capacity_guests_if_known"] else ""
        plans.append(Plan(
            _vendor(region, "venue", row["name"], float(row["lat"]), float(row["lon"]), code),
            dict(title="Exclusive use for a wedding day", kind=OfferingKind.SERVICE, duration_min=12 * 60,
                 interests=["architecture", "culture"], description=f"{row['notes']}.{guests}",
                 base_price=Decimal(6000 + 500 * _stable(code, 13)), currency=region.currency,
                 price_unit=PriceUnit.PER_BOOKING),
            times=("11:00",), capacity=1, rules=(HIGH_SEASON,)))
    return plans


def _supplier_plans(taken: set[str], users: dict[str, User]) -> list[Plan]:
    plans = []
    for s in SUPPLIERS:
        region = REGIONS[s.region]
        code = vendor_code(region.prefix, s.name, taken)
        per_guest = s.vendor_type == "caterer"
        plans.append(Plan(
            _vendor(region, s.vendor_type, s.name, s.lat, s.lon, code),
            dict(title=s.offering, kind=OfferingKind.TRANSFER if s.vendor_type == "transport" else OfferingKind.SERVICE,
                 duration_min=s.duration_min, interests=list(s.interests), description=DEMO_NOTE,
                 base_price=Decimal(s.price), currency=region.currency,
                 price_unit=PriceUnit.PER_GUEST if per_guest else PriceUnit.PER_BOOKING,
                 max_guests=CATERER_MAX_GUESTS if per_guest else None),
            times=s.times, capacity=s.capacity, rules=(HIGH_SEASON,) if s.vendor_type in WEDDING_TYPES else (),
            owner=users.get(s.owner)))
    return plans


def vendor_plans(users: dict[str, User]) -> list[Plan]:
    """All demo vendors, in a fixed order so that codes are the same on every run; the
    ``vendor`` login manages the rickshaw tour, ``vendor_lisbon`` a Lisbon venue."""
    taken: set[str] = set()
    plans = _hotel_plans(taken)
    plans += [plan for row in _read("pois.csv") if (plan := _poi_plan(row, taken, users["vendor"]))]
    return plans + _venue_plans(taken) + _supplier_plans(taken, users)


def ensure_vendors(users: dict[str, User], today: dt.date) -> None:
    """Vendors, their offering, price rules and slots for the next 60 days."""
    plans = vendor_plans(users)
    vendors = {v.code: v for v in Vendor.objects.filter(code__in=[p.vendor["code"] for p in plans])}
    for plan in plans:
        vendor = vendors.get(plan.vendor["code"]) or Vendor.objects.create(user=plan.owner, **plan.vendor)
        offering, _ = Offering.objects.get_or_create(vendor=vendor, title=plan.offering["title"], defaults=dict(
            plan.offering, lat=vendor.lat, lon=vendor.lon, rating=vendor.rating))
        for kind, threshold, months, percent, label in plan.rules:
            PriceRule.objects.get_or_create(offering=offering, kind=kind, threshold=threshold, defaults=dict(
                months=list(months), percent=Decimal(percent), label=label))
        _ensure_slots(vendor, offering, plan, today)


def octo_fake_url() -> str:
    return f"http://127.0.0.1:{settings.TRAVELOURE['OCTO_FAKE_PORT']}"


def octo_demo_key() -> str:
    """The fake supplier's API key, stable across runs (from SECRET_KEY)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"octo-demo", hashlib.sha256).hexdigest()[:32]


def ensure_octo_vendor() -> None:
    """With the fake OCTO supplier configured: a Tokyo tour operator on it (instant
    confirmation by its system). Its slots come from the supplier (``manage.py octo_fake``
    syncs them when it starts, then the periodic sync)."""
    if not settings.TRAVELOURE["OCTO_FAKE_PORT"]:
        return
    code, name, title, product = OCTO_VENDOR
    vendor = Vendor.objects.filter(code=code).first() or Vendor.objects.create(
        **{**_vendor(REGIONS["Tokyo"], "tour", name, 35.6938, 139.7034, code), "confirmation": Confirmation.INSTANT},
        inventory_adapter="octo", octo_url=octo_fake_url(), octo_api_key=octo_demo_key(), octo_supplier_id="demo")
    Offering.objects.get_or_create(vendor=vendor, title=title, defaults=dict(
        kind=OfferingKind.ACTIVITY, duration_min=180, interests=["food", "nightlife", "culture"],
        dietary=["vegetarian"], base_price=Decimal(9500), currency="JPY", lat=vendor.lat, lon=vendor.lon,
        rating=Decimal("4.7"), octo_product_id=product, description="Yakitori alleys and izakaya of Shinjuku "
        "with a local guide; departures and seats come live from the operator's own booking system."))


def _ensure_slots(vendor: Vendor, offering: Offering, plan: Plan, today: dt.date) -> None:
    """Slots at the plan's local times on the days the opening hours allow, through the
    vendors service (which skips past and existing starts)."""
    days = [today + dt.timedelta(days=n) for n in range(SLOT_DAYS)]
    for text in plan.times:
        at = dt.time.fromisoformat(text)
        open_days = [_fits(offering, vendor, day, at) for day in days]
        for first, last, weekdays in weekday_runs(days, open_days):
            slots_bulk_create(vendor=vendor, offering_id=offering.pk, first_date=first, last_date=last, times=[at],
                              capacity=plan.capacity, weekdays=weekdays)


def _fits(offering: Offering, vendor: Vendor, day: dt.date, at: dt.time) -> bool:
    windows = open_windows(offering.opening_hours, day, country=vendor.country, coords=(vendor.lat, vendor.lon),
                           time_zone=vendor.time_zone)
    if windows is None:  # unknown hours: the vendor sets its own times
        return True
    begin = at.hour * 60 + at.minute
    return any(lo <= begin and begin + offering.duration_min <= hi for lo, hi in windows)


def weekday_runs(days: list[dt.date], open_days: list[bool]) -> list[tuple[dt.date, dt.date, set[int]]]:
    """Cover the open days with as few ``(first, last, weekdays)`` runs as possible, each
    meaning "every day from first to last whose weekday is in weekdays" (greedy)."""
    runs: list[tuple[dt.date, dt.date, set[int]]] = []
    current: tuple[dt.date, set[int], set[int]] | None = None  # first, open weekdays, closed weekdays
    last_day = None
    for day, is_open in zip(days, open_days):
        weekday = day.weekday()
        if current and (weekday in current[2] if is_open else weekday in current[1]):
            runs.append((current[0], last_day, current[1]))
            current = None
        if current is None:
            if not is_open:
                continue
            current = (day, set(), set())
        (current[1] if is_open else current[2]).add(weekday)
        last_day = day
    if current:
        runs.append((current[0], last_day, current[1]))
    return runs


# --- the whole demo --------------------------------------------------------------------------

def seed_demo(*, today: dt.date | None = None) -> dict[str, int]:
    """Create whatever part of the demo is missing, in one transaction; returns row counts.

    Side effects: engine events for the past trips and the open request (published after
    commit). Raises DomainError only if the data breaks a business rule (a bug here).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        users = ensure_users()
        experts = ensure_experts(users, today)
        ensure_places()
        ensure_vendors(users, today)
        ensure_octo_vendor()
        history.ensure_past_trips(users=users, experts=experts, staff=users["staff"], today=today)
        history.ensure_current_trip(users=users, experts=experts, staff=users["staff"], today=today)
        history.ensure_open_request(traveler=users["traveler"], today=today)
        history.ensure_open_wedding(traveler=users["traveler"], today=today)
        history.ensure_upcoming_booking(traveler=users["traveler_emma"], expert=experts["expert"], today=today)
    return history.counts()
