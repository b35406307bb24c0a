"""``seed_demo`` on the real test database: seeded once per module (twice, to prove the
second run adds nothing) inside a transaction that is rolled back afterwards."""
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from apps.coordination.models import Booking, CoordinationState, Event, Review
from apps.coordination.phases import BookingStatus, Phase
from apps.demo import history
from apps.demo.catalog import DEMO_PASSWORD
from apps.demo.history import counts
from apps.demo.loader import SLOT_DAYS, webhook_secret, weekday_runs
from apps.experts.models import ConsultationSlot, Expert
from apps.itineraries.models import Item, Place
from apps.requests.models import ExperienceRequest
from apps.vendors.models import Confirmation, Offering, PriceRuleKind, Slot, Vendor


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Run the command twice; yields the counts after each run and the first run's output."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            first = counts()
            call_command("seed_demo", stdout=io.StringIO())
            yield {"first": first, "second": counts(), "output": out.getvalue(), "at": timezone.now()}
            transaction.set_rollback(True)


@pytest.mark.slow
@pytest.mark.django_db
def test_second_run_changes_nothing(demo):
    assert demo["first"] == demo["second"]
    assert demo["first"]["slots"] > 0 and demo["first"]["events"] > 0


@pytest.mark.slow
@pytest.mark.django_db
def test_command_prints_counts_and_logins(demo):
    out = demo["output"]
    assert f"vendors              {demo['first']['vendors']}" in out
    assert DEMO_PASSWORD in out
    for username in ("traveler", "expert", "vendor", "staff"):
        assert f"  {username} " in out


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_experts_per_region_with_consultations():
    experts = list(Expert.objects.select_related("user"))
    assert len(experts) >= 6
    for region, kind in (("Tokyo", "travel"), ("Lisbon", "travel"), ("Tuscany", "wedding")):
        assert sum(region in e.destinations and kind in e.specializations for e in experts) >= 2, region
    assert {e.booking_preference for e in experts} == {"handle_all", "advise_only"}
    assert Expert.objects.get(user__username="expert").time_zone == "Asia/Tokyo"
    now = timezone.now()
    for expert in experts:
        starts = list(ConsultationSlot.objects.filter(expert=expert).values_list("start", flat=True))
        assert starts and all(now - dt.timedelta(hours=1) < s < now + dt.timedelta(days=31) for s in starts)
        local = {s.astimezone(ZoneInfo(expert.time_zone)).time() for s in starts}
        assert local == {dt.time(10), dt.time(17)}


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_places_from_the_csv_with_real_coordinates():
    assert Place.objects.count() == 125
    assert set(Place.objects.values_list("city", flat=True)) == {"Tokyo", "Lisbon", "Tuscany"}
    sensoji = Place.objects.get(city="Tokyo", name__startswith="Sensō-ji")
    assert sensoji.lat == pytest.approx(35.7148, abs=1e-3) and sensoji.lon == pytest.approx(139.7966, abs=1e-3)
    assert sensoji.interests == ["culture", "history", "architecture", "photography"]
    assert sensoji.opening_hours == "Apr-Sep 06:00-17:00; Oct-Mar 06:30-17:00"
    uffizi = Place.objects.get(city="Tuscany", name="Galleria degli Uffizi")
    assert (uffizi.indoor, uffizi.price, uffizi.currency) == (True, 20, "EUR")
    assert Place.objects.get(city="Lisbon", name="Jardim dos Sentidos").dietary == ["gluten-free", "vegetarian"]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_vendors_across_types_with_policies():
    vendors = list(Vendor.objects.all())
    assert len(vendors) >= 40
    assert len({v.vendor_type for v in vendors}) >= 6
    assert {"hotel", "tour", "restaurant", "transport", "venue", "photographer", "caterer", "florist",
            "music"} <= {v.vendor_type for v in vendors}
    assert {v.city for v in vendors} == {"Tokyo", "Lisbon", "Tuscany"}
    assert len({v.code for v in vendors}) == len(vendors)
    assert all(len(v.code) <= 8 and v.webhook_secret == webhook_secret(v.code) for v in vendors)
    assert {v.confirmation for v in vendors} == {Confirmation.INSTANT, Confirmation.MANUAL}
    assert all(v.cancellation_tiers[-1] == {"hours": 0, "refund_pct": 0} for v in vendors)
    hotel = Offering.objects.get(vendor__name="Hotel Gracery Shinjuku")
    assert (hotel.currency, hotel.price_unit, hotel.base_price) == ("JPY", "night", 19000)
    assert Offering.objects.get(vendor__name="Pestana Palace Lisboa").currency == "EUR"
    kinds = set(Offering.objects.values_list("price_rules__kind", flat=True))
    assert {PriceRuleKind.ADVANCE, PriceRuleKind.GROUP, PriceRuleKind.SEASON} <= kinds
    own = Vendor.objects.get(user__username="vendor")
    assert (own.city, own.vendor_type, own.confirmation) == ("Tokyo", "tour", Confirmation.MANUAL)


@pytest.mark.slow
@pytest.mark.django_db
def test_slots_over_the_next_60_days_in_local_time(demo):
    today = demo["at"].date()
    assert not Offering.objects.filter(slots__isnull=True).exists()
    assert 5000 < Slot.objects.count() < 40000
    assert not Slot.objects.filter(start__lt=demo["at"] - dt.timedelta(minutes=5)).exists()
    assert not Slot.objects.filter(start__gte=timezone.now() + dt.timedelta(days=SLOT_DAYS + 1)).exists()
    hotel = Offering.objects.get(vendor__name="Imperial Hotel Tokyo")
    local = [s.astimezone(ZoneInfo("Asia/Tokyo")) for s in hotel.slots.values_list("start", flat=True)]
    assert {t.time() for t in local} == {dt.time(15)} and len(local) >= SLOT_DAYS - 1
    # Tokyo National Museum opens Tu-Su: no Monday slots, every other day has them.
    museum = Offering.objects.get(vendor__name="Tokyo National Museum")
    days = {s.astimezone(ZoneInfo("Asia/Tokyo")).date() for s in museum.slots.values_list("start", flat=True)}
    assert days and all(d.weekday() != 0 for d in days)
    assert len(days) >= 6 * (SLOT_DAYS // 7) - 1
    assert max(days) <= today + dt.timedelta(days=SLOT_DAYS)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_past_trips_completed_through_the_engine_with_reviews():
    past = CoordinationState.objects.filter(phase=Phase.COMPLETED).select_related("request", "expert")
    assert past.count() == 3
    for state in past:
        assert state.request.end_date < timezone.localdate()
        assert state.expert is not None and state.current_itinerary.days.count() >= 3
        versions = list(Event.objects.filter(state=state).values_list("version", flat=True))
        assert versions == list(range(1, state.version + 1))
        assert Event.objects.filter(state=state, type="expert.accepted").exists()
        bookings = Booking.objects.filter(state=state)
        assert bookings.exists() and set(bookings.values_list("status", flat=True)) == {BookingStatus.COMPLETED}
        assert Review.objects.filter(state=state, target=Review.Target.EXPERT, expert=state.expert).exists()
    assert Review.objects.filter(target=Review.Target.VENDOR, vendor__user__username="vendor").exists()
    # Past trips gave their capacity back; Emma's upcoming weekend and the trip under way hold one place each.
    assert dict(Expert.objects.filter(capacity_current__gt=0).values_list("user__username", "capacity_current")) == {
        "expert": 2}
    wedding = past.get(request__experience_type="wedding")
    assert Booking.objects.filter(state=wedding, installments__paid_at__isnull=False).count() >= 5


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_one_trip_is_under_way_started_by_the_platform_with_its_stay_booked():
    state = CoordinationState.objects.get(phase=Phase.IN_PROGRESS)
    assert state.request.start_date < timezone.localdate() < state.request.end_date
    started = Event.objects.get(state=state, type="trip.started")
    assert started.actor_id is None and started.version == state.version
    bookings = Booking.objects.filter(state=state)
    assert set(bookings.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert bookings.filter(offering__kind="stay").count() == 1


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_past_trip_items_at_local_daytime_hours():
    items = list(Item.objects.filter(day__itinerary__request__coordination__phase=Phase.COMPLETED)
                 .select_related("day__itinerary"))
    assert len(items) >= 15
    for item in items:
        local = item.start.astimezone(ZoneInfo(item.day.itinerary.time_zone))
        assert dt.time(7) <= local.time() <= dt.time(23) and local.date() == item.day.date, (item.title, local)
    sensoji = next(item for item in items if item.title.startswith("Sensō-ji"))
    assert sensoji.start.astimezone(ZoneInfo("Asia/Tokyo")).time() == dt.time(9)
    assert sensoji.start.astimezone(dt.UTC).time() == dt.time(0)  # stored in UTC


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_past_trip_itinerary_page_shows_destination_times(client):
    request = ExperienceRequest.objects.get(title="Spring week in Tokyo")
    assert client.login(username="traveler", password=DEMO_PASSWORD)
    page = client.get(reverse("traveler:itinerary", args=[request.pk])).content.decode()
    assert "09:00–10:00" in page and "Check-in 15:00" in page  # Sensō-ji, the hotel (Asia/Tokyo)


@pytest.mark.slow
@pytest.mark.django_db
def test_past_trips_have_historic_timestamps(demo):
    for state in CoordinationState.objects.filter(phase=Phase.COMPLETED).select_related("request"):
        request = state.request
        tz = ZoneInfo(request.time_zone)
        first_morning = dt.datetime.combine(request.start_date, dt.time(9), tzinfo=tz)
        last_evening = dt.datetime.combine(request.end_date, dt.time(18), tzinfo=tz)
        times = list(Event.objects.filter(state=state).order_by("version").values_list("created_at", flat=True))
        assert times == sorted(times) and times[0] < first_morning - dt.timedelta(days=30)
        assert times[-2:] == [first_morning, last_evening]  # trip.started, trip.completed
        assert request.created_at == times[0] and state.created_at == times[0]
        for booking in Booking.objects.filter(state=state).select_related("item"):
            assert times[0] < booking.created_at < booking.confirmed_at < booking.item.start
        reviews = Review.objects.filter(state=state).values_list("created_at", flat=True)
        assert reviews and all(last_evening < at < demo["at"] for at in reviews)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_open_request_for_the_traveler():
    state = CoordinationState.objects.select_related("request").get(request__traveler__username="traveler",
                                                                     phase=Phase.MATCHING)
    request = state.request
    assert (request.destination, request.path, request.currency) == ("Tokyo", "expert", "USD")
    assert 28 <= (request.start_date - timezone.localdate()).days <= 31
    assert list(Event.objects.filter(state=state).values_list("type", flat=True)) == ["request.submitted"]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("username", "home"), [
    ("traveler", "/traveler/"), ("expert", "/expert/"), ("vendor", "/vendor/"), ("staff", "/admin/"),
])
def test_demo_logins_land_on_their_portal(client, username, home):
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get("/accounts/home/")
    assert response.status_code == 302 and response["Location"] == home
    assert client.get(home).status_code == 200


@given(st.lists(st.booleans(), max_size=70), st.dates(dt.date(2025, 1, 1), dt.date(2030, 1, 1)))
def test_weekday_runs_cover_exactly_the_open_days(open_days, first):
    days = [first + dt.timedelta(days=n) for n in range(len(open_days))]
    covered = [day for start, last, weekdays in weekday_runs(days, open_days)
               for day in days if start <= day <= last and day.weekday() in weekdays]
    assert sorted(covered) == [day for day, is_open in zip(days, open_days) if is_open]
    assert len(covered) == len(set(covered))


def test_weekday_runs_use_one_run_for_a_weekly_closure():
    days = [dt.date(2026, 1, 5) + dt.timedelta(days=n) for n in range(60)]  # starts on a Monday
    runs = weekday_runs(days, [d.weekday() != 0 for d in days])
    assert runs == [(days[1], days[-1], {1, 2, 3, 4, 5, 6})]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_demo_vendor_has_a_request_waiting_in_its_portal(client):
    state = CoordinationState.objects.get(request__title=history.UPCOMING_TITLE)
    assert state.phase == "booking" and state.expert.user.username == "expert"
    pending = Booking.objects.get(state=state, vendor__user__username="vendor")
    assert pending.status == BookingStatus.PENDING and pending.deadline is not None
    client.login(username="vendor", password="demo-pass-123")
    assert pending.offering.title.encode() in client.get("/vendor/").content
