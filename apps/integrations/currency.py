"""Currency conversion through the configured provider (``TRAVELOURE_PROVIDERS["currency"]``,
see :mod:`.registry`); the ECB providers themselves are in :mod:`.ecb`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.core.money import quantize

from .ecb import RateInfo, shipped_history
from .registry import get_provider


def supported_currencies() -> frozenset[str]:
    """What a person may choose: the currencies in use today (see ``EcbRates.current_currencies``)."""
    return shipped_history().current_currencies


def rate_info(from_currency: str, to_currency: str, on: dt.date | None = None) -> RateInfo:
    """The configured provider's rate, ECB date and source. Errors: ``DomainError`` (unsupported)."""
    return get_provider("currency").rate_info(from_currency, to_currency, on)


def rate(from_currency: str, to_currency: str, on: dt.date | None = None) -> Decimal:
    """Units of ``to_currency`` per one ``from_currency`` on a date (latest if None), 8 decimals."""
    return rate_info(from_currency, to_currency, on).rate.quantize(Decimal("1e-8"))


def convert(amount: Decimal, from_currency: str, to_currency: str, on: dt.date | None = None) -> Decimal:
    """``amount`` in ``to_currency`` at the rate of ``on``, rounded half-up to cents."""
    return quantize(Decimal(amount) * rate_info(from_currency, to_currency, on).rate)
