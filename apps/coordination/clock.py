"""A change counter per request, in the cache, for views cached per request: the engine
ticks it in every command, once inside the transaction and once after the commit, so a
view keyed by it never needs to read the state to know it is current.

Why two ticks and a counter rather than the version: a reader that took the counter before
the commit may have read the state before it too and keyed what it cached by that value,
which the tick after the commit retires; the tick inside the transaction makes the change
show even where no commit callback runs (a test's transaction). Increments from several
commands can land in any order and still each give a new value. A missing counter (never
set, expired, evicted) starts at the current time in nanoseconds, far from any value used
before.
"""
from __future__ import annotations

import time

from django.core.cache import cache

CLOCK_SECONDS = 3600


def _key(request_id: int) -> str:
    return f"request-clock:{request_id}"


def request_clock(request_id: int) -> int:
    """The request's counter now (started if missing)."""
    key = _key(request_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), CLOCK_SECONDS)
        value = cache.get(key)
    return value


def request_changed(request_id: int) -> None:
    """The request's state changes (or just did): a new counter value."""
    key = _key(request_id)
    try:
        cache.incr(key)
    except ValueError:  # missing: any fresh start is new
        cache.add(key, time.time_ns(), CLOCK_SECONDS)
