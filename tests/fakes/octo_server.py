"""The fake OCTO supplier (apps/demo/octo_supplier.py) on a loopback port in a thread, for
tests that drive the real HTTP path and fault it (timeouts, 5xx, lost answers, expiries,
availability changed under us)."""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from apps.demo.octo_supplier import Supplier, make_server, tokyo_tour

from .loopback import serving

API_KEY = "fake-octo-key"


@contextlib.contextmanager
def running(supplier: Supplier) -> Iterator[str]:
    """Serve ``supplier`` until the block ends; yields its base URL."""
    with serving(make_server(supplier)) as url:
        yield url


def supplier_for_trip(first_day: dt.date, days: int, seats: int = 12) -> Supplier:
    return tokyo_tour(api_key=API_KEY, first_day=first_day, days=days, seats=seats)
