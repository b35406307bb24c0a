"""Plain factory functions for tests: real rows in the real database, sensible defaults."""
import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.accounts.models import Role, User
from apps.coordination.services.intake import request_submit
from apps.experts.models import Expert
from apps.requests.services import IntakeData
from apps.vendors.models import Offering, Slot, Vendor

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def make_user(role: str = Role.TRAVELER, **kwargs) -> User:
    n = next(_seq)
    user = User(username=kwargs.pop("username", f"{role}{n}"), email=f"{role}{n}@example.com", role=role,
                is_staff=role == Role.STAFF, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_expert(**kwargs) -> Expert:
    user = kwargs.pop("user", None) or make_user(Role.EXPERT)
    defaults = dict(specializations=["travel", "food", "culture"], destinations=["Tokyo"], languages=["en"],
                    capacity_max=5, rating=Decimal("4.6"), time_zone="Asia/Tokyo")
    defaults.update(kwargs)
    return Expert.objects.create(user=user, **defaults)


def make_vendor(**kwargs) -> Vendor:
    n = next(_seq)
    user = kwargs.pop("user", None) or make_user(Role.VENDOR)
    defaults = dict(name=f"Vendor {n}", code=f"V{n:03d}"[:8], vendor_type="tour", city="Tokyo", country="JP",
                    lat=35.68, lon=139.76, time_zone="Asia/Tokyo", min_notice_hours=0, webhook_secret=f"secret-{n}")
    defaults.update(kwargs)
    return Vendor.objects.create(user=user, **defaults)


def make_offering(vendor: Vendor | None = None, **kwargs) -> Offering:
    vendor = vendor or make_vendor()
    defaults = dict(title=f"Offering {next(_seq)}", duration_min=120, base_price=Decimal("50.00"), currency="JPY",
                    interests=["food"], lat=vendor.lat, lon=vendor.lon)
    defaults.update(kwargs)
    return Offering.objects.create(vendor=vendor, **defaults)


def make_slot(offering: Offering | None = None, *, start=None, capacity: int = 10, **kwargs) -> Slot:
    offering = offering or make_offering()
    start = start or timezone.now() + dt.timedelta(days=10)
    defaults = dict(end=start + dt.timedelta(minutes=offering.duration_min), capacity_total=capacity,
                    capacity_available=capacity, price=offering.base_price, currency=offering.currency)
    defaults.update(kwargs)
    return Slot.objects.create(offering=offering, start=start, **defaults)


def intake(**overrides) -> IntakeData:
    start = timezone.localdate() + dt.timedelta(days=30)
    values = dict(destination="Tokyo", start_date=start, end_date=start + dt.timedelta(days=6), adults=2, children=0,
                  budget_min=Decimal("3000"), budget_max=Decimal("5000"), currency="USD",
                  interests=["food", "culture"], dietary_restrictions=["vegetarian"])
    values.update(overrides)
    return IntakeData(**values)


def make_request(traveler: User | None = None, **overrides):
    """A submitted request; returns its coordination state (version 1; phase matching, or
    planning with ``path="browse"``)."""
    return request_submit(traveler=traveler or make_user(Role.TRAVELER), data=intake(**overrides))


def make_consultation_slot(expert: Expert, *, start=None, minutes: int = 60):
    from apps.experts.models import ConsultationSlot

    start = start or timezone.now() + dt.timedelta(days=3)
    return ConsultationSlot.objects.create(expert=expert, start=start, end=start + dt.timedelta(minutes=minutes))


def make_past_client(expert: Expert, traveler: User, *, rating: int):
    """A completed request of ``traveler`` with ``expert`` and the traveler's review (test setup)."""
    from apps.coordination.models import CoordinationState, Review

    state = make_request(traveler)
    CoordinationState.objects.filter(pk=state.pk).update(phase="completed", expert=expert)
    return Review.objects.create(state=state, author=traveler, target=Review.Target.EXPERT, expert=expert,
                                 rating=rating)


def make_booking_state(traveler: User | None = None, *, expert: Expert | None = None, phase: str = "booking"):
    """A request ready for bookings (test setup: phase and expert set directly)."""
    from apps.coordination.models import CoordinationState

    state = make_request(traveler)
    CoordinationState.objects.filter(pk=state.pk).update(phase=phase, expert=expert)
    state.refresh_from_db()
    return state


def phase_repair(*, state_id: int, actor, phase: str, reason: str = "test"):
    """Test setup: move a request to ``phase`` through the engine (the phase table applies)
    with one ``state.repaired`` event, as staff repairs were recorded before admin went
    through the commands; live feeds and notifications still meet such events in old
    timelines."""
    from apps.coordination import engine

    with engine.command(state_id, actor=actor) as cmd:
        previous = cmd.state.phase
        cmd.transition(phase)
        cmd.record("state.repaired", {"from": previous, "to": phase, "reason": reason})
    return cmd.state


def make_place(**kwargs):
    """A platform point of interest (defaults: a free indoor museum in central Tokyo, open 09:00–17:00)."""
    from apps.itineraries.models import Place

    n = next(_seq)
    defaults = dict(city="Tokyo", name=f"Place {n}", category="museum", lat=35.68, lon=139.76, indoor=True,
                    typical_visit_min=60, opening_hours="Mo-Su 09:00-17:00", price=Decimal("0"), currency="JPY",
                    interests=["culture"], wheelchair="yes")
    defaults.update(kwargs)
    return Place.objects.create(**defaults)


def make_hotel(start: dt.date, *, nights: int = 5, rooms: int = 3, full_night: dt.date | None = None):
    """A Tokyo hotel (instant confirmation, 20 000 JPY a room-night) with ``rooms`` rooms on a
    15:00 → 11:00 slot for the night before ``start`` and each of the ``nights`` nights from
    ``start``; ``full_night`` has no room left."""
    hotel = make_vendor(name="Hotel Gracery Shinjuku", code="GRA", vendor_type="hotel", lat=35.6945, lon=139.7017,
                        cancellation_tiers=[{"hours": 48, "refund_pct": 100}, {"hours": 0, "refund_pct": 0}])
    room = make_offering(hotel, title="Double room at Hotel Gracery", kind="stay", price_unit="night",
                         base_price=Decimal("20000"), currency="JPY", duration_min=20 * 60, indoor=True,
                         check_in=dt.time(14), check_out=dt.time(11))
    for n in range(-1, nights):
        night = start + dt.timedelta(days=n)
        check_in = dt.datetime.combine(night, dt.time(15), ZoneInfo("Asia/Tokyo"))
        make_slot(room, start=check_in, end=check_in + dt.timedelta(hours=20), capacity=rooms,
                  capacity_available=0 if night == full_night else rooms)
    return room
