"""``get_provider(kind)``: the provider ``settings.TRAVELOURE_PROVIDERS[kind]`` names.

Each entry is ``{"backend": "offline" | <adapter>, "url": ..., "options": {...}, ...keys}``;
``options`` override the HTTP defaults of ``apps.integrations.http.DEFAULTS``. Providers are
built on each call (cheap; shipped data is parsed once per process), so tests switch them
with the ``settings`` fixture.
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .ecb import EcbDailyCurrency, ShippedEcbCurrency
from .events import HolidayCalendar, TicketmasterEvents
from .hotels import AmadeusHotels, NoHotelInventory
from .http import HttpClient
from .travel import OfflineTravel, OsrmTravel
from .weather import NoWeather, OpenMeteoWeather


def _client(name: str, config: dict, headers: dict | None = None) -> HttpClient:
    return HttpClient(name, config["url"], headers=headers, options=config.get("options"))


BACKENDS: dict[str, dict[str, Callable[[dict], object]]] = {
    "travel": {
        "offline": lambda config: OfflineTravel(),
        "osrm": lambda config: OsrmTravel(_client("osrm", config), profile=config.get("profile", "driving"),
                                          max_table=int(config.get("max_table", 100))),
    },
    "weather": {
        "offline": lambda config: NoWeather(),
        "open-meteo": lambda config: OpenMeteoWeather(_client("open-meteo", config)),
    },
    "currency": {
        "offline": lambda config: ShippedEcbCurrency(),
        "ecb": lambda config: EcbDailyCurrency(_client("ecb", config)),
    },
    "events": {
        "offline": lambda config: HolidayCalendar(),
        "ticketmaster": lambda config: TicketmasterEvents(_client("ticketmaster", config),
                                                          api_key=config.get("api_key", "")),
    },
    "hotels": {
        "offline": lambda config: NoHotelInventory(),
        "amadeus": lambda config: AmadeusHotels(_client("amadeus", config), client_id=config.get("client_id", ""),
                                                client_secret=config.get("client_secret", ""),
                                                offer_minutes=int(config.get("offer_minutes", 30))),
    },
}


def get_provider(kind: str):
    """The configured provider for ``kind`` (travel, weather, currency, events, hotels).

    Errors: ``ImproperlyConfigured`` for an unknown kind or backend name.
    """
    config = getattr(settings, "TRAVELOURE_PROVIDERS", {}).get(kind, {})
    backend = config.get("backend", "offline")
    try:
        build = BACKENDS[kind][backend]
    except KeyError:
        raise ImproperlyConfigured(f"TRAVELOURE_PROVIDERS[{kind!r}]: unknown backend {backend!r}") from None
    return build(config)
