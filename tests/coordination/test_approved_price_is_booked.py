"""The quote a traveler approves is the price booked: the planner prices every vendor
item and the stay with the booking's own quote (price rules, the quantity booked), so that
approval books each at the price the plan showed, and the totals agree."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.coordination.models import Booking
from apps.coordination.services import itinerary
from apps.exports.document import build_document
from apps.itineraries.models import Item
from apps.vendors.models import PriceRule
from tests.factories import make_hotel, make_offering, make_request, make_slot, make_user, make_vendor

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NIGHTS = 3


def _rule(offering, kind, percent, *, threshold=0, months=()):
    return PriceRule.objects.create(offering=offering, kind=kind, percent=Decimal(percent), threshold=threshold,
                                    months=list(months), label=f"{kind} {percent}%")


def test_a_surcharged_slot_and_a_discounted_stay_are_booked_at_the_prices_the_plan_showed():
    traveler = make_user(currency="JPY")
    start = dt.date.today() + dt.timedelta(days=40)
    state = make_request(traveler, path="browse", start_date=start, end_date=start + dt.timedelta(days=NIGHTS),
                         interests=["culture"], dietary_restrictions=[], currency="JPY",
                         budget_min=Decimal("10000"), budget_max=Decimal("900000"))
    tour = make_offering(make_vendor(name="Asakusa Rickshaw"), title="Rickshaw ride", interests=["culture"],
                         base_price=Decimal("5000"), currency="JPY", duration_min=60)
    slot = make_slot(tour, start=dt.datetime.combine(start + dt.timedelta(days=1), dt.time(10), TOKYO))
    surcharge = _rule(tour, "season", "20", months=[slot.start.astimezone(TOKYO).month])
    _rule(tour, "group", "-5", threshold=2)
    room = make_hotel(start)
    _rule(room, "advance", "-10", threshold=30)  # booked 40 days ahead: an early-booking discount

    itinerary.itinerary_generate(state_id=state.pk, actor=traveler)
    plan = Item.objects.filter(day__itinerary__request=state.request)
    ride, stay = plan.get(offering=tour), plan.get(offering=room)
    # 2 × 5 000 + 20 % season − 5 % group; 3 nights × 20 000 − 10 % early booking.
    assert (ride.price, ride.currency) == (Decimal("11500.00"), "JPY")
    assert stay.price == Decimal("54000.00")

    approved = itinerary.itinerary_approve(state_id=state.pk, actor=traveler)
    assert approved.unbooked == []
    ride_booking, stay_booking = Booking.objects.get(item=ride), Booking.objects.get(item=stay)
    assert (ride_booking.price, ride_booking.quantity) == (ride.price, 2)
    assert (stay_booking.price, stay_booking.discount, stay_booking.quantity) == (stay.price, Decimal("6000.00"), 1)
    requested = ride_booking.state.events.get(type="booking.requested", payload__booking__id=ride_booking.pk)
    assert surcharge.pk in [rule["rule"] for rule in requested.payload["pricing"]["rules"]]

    current = approved.current_itinerary
    doc = build_document(current, currency="JPY")
    lines = {i.title: i for i in doc.items}
    assert lines["Rickshaw ride"].price.amount == ride_booking.price
    assert lines["Double room at Hotel Gracery"].booking.discount.amount == Decimal("6000.00")  # shown as such
    assert current.total == sum(p for p in Item.objects.filter(day__itinerary=current)
                                .values_list("price", flat=True) if p is not None)
    assert doc.budget.total.amount == current.total
