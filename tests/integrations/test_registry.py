"""The registry follows settings; with every adapter failing, offline data comes back degraded."""
import datetime as dt

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.integrations import currency
from apps.integrations.base import collect_missing
from apps.integrations.ecb import ShippedEcbCurrency, shipped_history
from apps.integrations.events import HolidayCalendar
from apps.integrations.hotels import NoHotelInventory
from apps.integrations.registry import get_provider
from apps.integrations.travel import OfflineTravel, OsrmTravel
from apps.integrations.weather import NoWeather

TOKYO = (35.6812, 139.7671)
ASAKUSA = (35.7148, 139.7967)


def all_http() -> dict:
    return {
        kind: {"backend": backend, "url": f"https://{backend}.test", "options": {"retries": 0}}
        for kind, backend in [("travel", "osrm"), ("weather", "open-meteo"), ("currency", "ecb"),
                              ("events", "ticketmaster"), ("hotels", "amadeus")]
    }


def test_defaults_are_offline():
    assert [type(get_provider(kind)) for kind in ("travel", "weather", "currency", "events", "hotels")] == [
        OfflineTravel, NoWeather, ShippedEcbCurrency, HolidayCalendar, NoHotelInventory]


def test_settings_switch_the_provider(settings):
    settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS,
                                     "travel": {"backend": "osrm", "url": "https://osrm.test", "max_table": 40}}
    provider = get_provider("travel")
    assert isinstance(provider, OsrmTravel) and provider.max_table == 40
    assert str(provider.client.http.base_url) == "https://osrm.test"


def test_unknown_backend_is_a_configuration_error(settings):
    settings.TRAVELOURE_PROVIDERS = {"weather": {"backend": "crystal-ball"}}
    with pytest.raises(ImproperlyConfigured):
        get_provider("weather")


def test_every_adapter_failing_still_answers_with_offline_data_and_says_what_is_missing(settings, respx_mock):
    settings.TRAVELOURE_PROVIDERS = all_http()
    respx_mock.route().mock(side_effect=httpx.ConnectError("unreachable"))
    today = dt.datetime.now(dt.timezone.utc).date()
    with collect_missing() as missing:
        leg = get_provider("travel").matrix([TOKYO, ASAKUSA]).leg(0, 1)
        days = get_provider("weather").forecast(*TOKYO, today, today + dt.timedelta(days=1), "Asia/Tokyo")
        info = currency.rate_info("USD", "JPY")
        calendar = get_provider("events").calendar(country="JP", lat=TOKYO[0], lon=TOKYO[1],
                                                    start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 1))
        hotels = get_provider("hotels").search(city_code="TYO", check_in=dt.date(2027, 1, 1),
                                               check_out=dt.date(2027, 1, 3), adults=2)
    assert (leg.source, leg.mode, leg.degraded) == ("offline", "transit", True)
    assert [(d.source, d.degraded) for d in days] == [("none", True), ("none", True)]
    assert (info.source, info.degraded, info.date) == ("ecb-history", True, shipped_history().last_date)
    assert calendar.degraded and calendar.on(dt.date(2027, 1, 1))[0].name == "New Year's Day"
    assert (hotels.offers, hotels.degraded) == ([], True)
    assert missing.notes() == [
        "Street travel times: estimated from straight-line distances (osrm: connection error (ConnectError))",
        "Weather forecast: planned without a forecast (open-meteo: connection error (ConnectError))",
        "Today's exchange rates: used the shipped ECB rates (ecb: connection error (ConnectError))",
        "Local events: planned with public holidays only (ticketmaster: connection error (ConnectError))",
        "External hotel offers: showed the platform's own hotels only (amadeus: connection error (ConnectError))",
    ]
