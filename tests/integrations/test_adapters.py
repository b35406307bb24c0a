"""Every HTTP adapter against recorded responses: success, faults, last good answer, breaker."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest

from apps.integrations.base import collect_missing
from apps.integrations.ecb import EcbDailyCurrency
from apps.integrations.events import TicketmasterEvents
from apps.integrations.hotels import AmadeusHotels
from apps.integrations.travel import OsrmTravel
from apps.integrations.weather import OpenMeteoWeather

from .conftest import recording

TOKYO_STATION, SENSO_JI, YAESU = (35.681236, 139.767125), (35.7148, 139.7967), (35.6804, 139.7741)
TRIP = {"start": dt.date(2027, 3, 15), "end": dt.date(2027, 3, 22)}


def check_matrix_live(matrix):
    assert matrix.source == "osrm"
    assert (matrix.distance_km[0][1], matrix.modes[0][1], matrix.minutes[0][1]) == (7.95, "transit", 32)  # 24 on the way, 8 to the station
    assert (matrix.modes[0][2], matrix.minutes[0][2]) == ("walking", 17)


def check_weather_live(days):
    assert [(day.date, day.source) for day in days] == [(dt.date(2027, 3, 16), "open-meteo"),
                                                        (dt.date(2027, 3, 17), "open-meteo")]
    assert (days[0].summary, days[0].temp_max, days[0].precipitation_mm, days[0].rain_windows()) == (
        "Rain", 13.4, 6.6, [(6, 11)])
    assert days[1].rain_hours == [] and days[1].summary == "Partly cloudy"


def check_rates_live(info):
    assert (info.rate, info.date, info.source) == (Decimal("1.1243"), dt.date(2027, 3, 12), "ecb")


def check_events_live(calendar):
    assert [(h.date, h.kind) for h in calendar.happenings] == [
        (dt.date(2027, 3, 16), "event"), (dt.date(2027, 3, 20), "event"), (dt.date(2027, 3, 21), "public_holiday"),
        (dt.date(2027, 3, 22), "public_holiday")]  # Vernal Equinox Day falls on a Sunday: substitute Monday
    assert calendar.happenings[0].venue == "Suntory Hall" and calendar.happenings[0].lat == 35.6672


def check_hotels_live(search):
    assert [(o.hotel_name, o.price, o.currency, o.rating) for o in search.offers] == [
        ("Hotel Gracery Shinjuku", Decimal("1116.50"), "USD", 3),
        ("Mitsui Garden Hotel Ginza", Decimal("1432.20"), "USD", 4)]
    assert search.offers[0].room == "Standard twin room, non-smoking" and search.source == "amadeus"


@dataclass
class Case:
    id: str
    url: str
    routes: list  # (method, url regex, recording file); the last one is the one the faults hit
    build: object
    ask: object
    check_live: object
    check_offline: object
    what: str
    fresh_ttl: int = 600

    def mount(self, respx_mock):
        routes = [respx_mock.route(method=method, url__regex=self.url + pattern).mock(
            return_value=httpx.Response(200, text=recording(name))) for method, pattern, name in self.routes]
        return routes[-1]


CASES = [
    Case("osrm-table", "https://osrm.test", [("GET", r"/table/v1/driving/.+", "osrm_table.json")],
         lambda client: OsrmTravel(client), lambda a: a.matrix([TOKYO_STATION, SENSO_JI, YAESU]),
         check_matrix_live, lambda m: m.source == "offline" and m.modes[0][1] == "transit", "Street travel times"),
    Case("open-meteo", "https://meteo.test", [("GET", r"/v1/forecast\?.*", "open_meteo_forecast.json")],
         lambda client: OpenMeteoWeather(client),
         lambda a: a.forecast(35.68, 139.77, dt.date(2027, 3, 16), dt.date(2027, 3, 17), "Asia/Tokyo"),
         check_weather_live, lambda days: [d.source for d in days] == ["none", "none"], "Weather forecast",
         fresh_ttl=3 * 3600),
    Case("ecb", "https://ecb.test", [("GET", r"/stats/eurofxref/eurofxref-daily\.xml", "ecb_daily.xml")],
         lambda client: EcbDailyCurrency(client), lambda a: a.rate_info("EUR", "USD"), check_rates_live,
         lambda info: (info.rate, info.date, info.source) == (Decimal("1.1172"), dt.date(2026, 10, 30), "ecb-history"),
         "Today's exchange rates", fresh_ttl=3600),
    Case("ticketmaster", "https://tm.test", [("GET", r"/discovery/v2/events\.json\?.*", "ticketmaster_events.json")],
         lambda client: TicketmasterEvents(client, api_key="k"),
         lambda a: a.calendar(country="JP", lat=35.68, lon=139.77, **TRIP), check_events_live,
         lambda c: [h.date for h in c.happenings if h.kind == "public_holiday"] == [dt.date(2027, 3, 21),
                                                                                     dt.date(2027, 3, 22)],
         "Local events", fresh_ttl=6 * 3600),
    Case("amadeus", "https://amadeus.test", [
        ("POST", r"/v1/security/oauth2/token", "amadeus_token.json"),
        ("GET", r"/v1/reference-data/locations/hotels/by-city\?.*", "amadeus_hotels_by_city.json"),
        ("GET", r"/v3/shopping/hotel-offers\?.*", "amadeus_hotel_offers.json")],
         lambda client: AmadeusHotels(client, client_id="id", client_secret="secret"),
         lambda a: a.search(city_code="TYO", check_in=TRIP["start"], check_out=TRIP["end"], adults=2),
         check_hotels_live, lambda s: (s.offers, s.source) == ([], "none"), "External hotel offers", fresh_ttl=900),
]
FAULTS = {
    "timeout": {"side_effect": httpx.ReadTimeout("slow")},
    "5xx": {"return_value": httpx.Response(503, text="Service Unavailable")},
    "not-the-format": {"return_value": httpx.Response(200, text="<html><body>maintenance</body></html>")},
    "wrong-shape": {"return_value": httpx.Response(200, json={"data": "nope", "code": "Ok", "daily": {}})},
}


def setup(case, make_client, **options):
    return case.build(make_client(case.id, case.url, **options))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_success_from_recorded_response(case, make_client, respx_mock):
    case.mount(respx_mock)
    with collect_missing() as missing:
        result = case.ask(setup(case, make_client))
    case.check_live(result)
    assert not (result[0] if isinstance(result, list) else result).degraded
    assert missing.notes() == []


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_fault_falls_back_to_offline_flagged_degraded(case, fault, make_client, clock, respx_mock):
    main = case.mount(respx_mock)
    main.mock(**FAULTS[fault])
    with collect_missing() as missing:
        result = case.ask(setup(case, make_client, retries=1, backoff=0.1))
    first = result[0] if isinstance(result, list) else result
    assert first.degraded and case.check_offline(result)
    assert len(missing.items) == 1 and missing.items[0].what == case.what
    retried = fault in ("timeout", "5xx")
    assert main.call_count == (2 if retried else 1) and clock.sleeps == ([0.1] if retried else [])


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_failure_falls_back_to_the_last_good_answer(case, make_client, clock, respx_mock):
    main = case.mount(respx_mock)
    adapter = setup(case, make_client, retries=0)
    case.ask(adapter)
    clock.now += case.fresh_ttl + 1
    main.mock(return_value=httpx.Response(500))
    with collect_missing() as missing:
        result = case.ask(adapter)
    case.check_live(result)
    assert (result[0] if isinstance(result, list) else result).degraded
    assert "used the last answer" in missing.notes()[0]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_breaker_opens_after_failures_and_closes_after_cool_down(case, make_client, clock, respx_mock):
    main = case.mount(respx_mock)
    main.mock(return_value=httpx.Response(502))
    adapter = setup(case, make_client, retries=0, breaker_failures=2, breaker_cooldown=30)
    for _ in range(3):
        assert case.check_offline(case.ask(adapter))
    assert main.call_count == 2  # the third call never left: the circuit was open
    clock.now += 30
    main.mock(return_value=httpx.Response(200, text=recording(case.routes[-1][2])))
    case.check_live(case.ask(adapter))
    assert main.call_count == 3 and adapter.client.breaker.state == "closed"


def test_weather_beyond_the_forecast_horizon_asks_nothing(make_client, respx_mock):
    weather = OpenMeteoWeather(make_client("open-meteo", "https://meteo.test"))
    with collect_missing() as missing:
        days = weather.forecast(35.68, 139.77, dt.date(2027, 4, 1), dt.date(2027, 4, 2), "Asia/Tokyo")
    assert [d.source for d in days] == ["none", "none"] and not respx_mock.calls
    assert "beyond the 16-day forecast" in missing.notes()[0]


def test_ecb_adapter_answers_past_dates_from_the_shipped_history(make_client, respx_mock):
    info = EcbDailyCurrency(make_client("ecb", "https://ecb.test")).rate_info("EUR", "USD", dt.date(2024, 3, 15))
    assert (info.rate, info.source, info.degraded) == (Decimal("1.0892"), "ecb-history", False)
    assert not respx_mock.calls


def test_osrm_asks_large_matrices_in_blocks(make_client, respx_mock):
    def table(request):
        sources = request.url.params["sources"].split(";")
        destinations = request.url.params["destinations"].split(";")
        grid = [[1000.0 * (1 + len(destinations)) for _ in destinations] for _ in sources]
        return httpx.Response(200, json={"code": "Ok", "distances": grid, "durations": grid})

    route = respx_mock.get(url__regex=r"https://osrm\.test/table/v1/driving/.+").mock(side_effect=table)
    points = [(35.68 + k / 100, 139.76) for k in range(5)]
    matrix = OsrmTravel(make_client("osrm", "https://osrm.test"), max_table=4).matrix(points)
    assert route.call_count == 9  # blocks of 2 rows × 2 columns over 5 points
    assert [matrix.distance_km[0][k] for k in range(5)] == [0, 3.0, 3.0, 3.0, 2.0]
    assert matrix.distance_km[4][4] == 0 and (matrix.distance_km[4][0], matrix.distance_km[3][4]) == (3.0, 2.0)
