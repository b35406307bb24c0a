import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.coordination.models import CoordinationState, Event
from apps.coordination.services.intake import request_submit
from apps.core.errors import DomainError
from apps.requests.models import ExperienceRequest
from tests.factories import intake

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _refused(traveler, **overrides) -> dict:
    with pytest.raises(DomainError) as exc:
        request_submit(traveler=traveler, data=intake(**overrides))
    assert ExperienceRequest.objects.count() == 0
    assert CoordinationState.objects.count() == 0 and Event.objects.count() == 0
    return exc.value.fields


def test_valid_intake_resolves_destination(traveler):
    state = request_submit(traveler=traveler, data=intake(destination="Lisbon, Portugal"))
    request = state.request
    assert (request.destination, request.country, request.time_zone) == ("Lisbon", "PT", "Europe/Lisbon")
    assert request.lat == pytest.approx(38.725, abs=0.01) and request.lon == pytest.approx(-9.15, abs=0.01)
    assert request.budget_max == Decimal("5000") and request.currency == "USD"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"start_date": TODAY + dt.timedelta(days=10), "end_date": TODAY + dt.timedelta(days=9)}, "end_date"),
    ({"start_date": TODAY - dt.timedelta(days=2), "end_date": TODAY + dt.timedelta(days=3)}, "start_date"),
    ({"adults": 0, "children": 0}, "adults"),
    ({"adults": -1}, "adults"),
    ({"budget_min": Decimal("6000"), "budget_max": Decimal("5000")}, "budget_max"),
    ({"currency": "XYZ"}, "currency"),
    ({"destination": "Atlantis Under The Sea"}, "destination"),
    ({"interests": ["food", "skydiving"]}, "interests"),
    ({"dietary_restrictions": ["carnivore"]}, "dietary_restrictions"),
    ({"pace": "warp"}, "pace"),
    ({"path": "teleport"}, "path"),
    ({"experience_type": "funeral"}, "experience_type"),
])
def test_each_invalid_field_is_refused_and_nothing_written(traveler, overrides, field):
    fields = _refused(traveler, **overrides)
    assert field in fields and fields[field]


def test_all_errors_reported_at_once(traveler):
    fields = _refused(traveler, currency="XYZ", interests=["nope"], adults=0)
    assert {"currency", "interests", "adults"} <= set(fields)


def test_past_is_judged_in_destination_time_zone(traveler):
    # Today in Tokyo is always ≥ today in UTC: a trip starting "today" there is never refused.
    tokyo_today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    state = request_submit(traveler=traveler, data=intake(start_date=tokyo_today, end_date=tokyo_today))
    assert state.request.start_date == tokyo_today
