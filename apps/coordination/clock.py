"""Change clocks in the cache, for views cached without reading what they show: one per
request (ticked by every engine command on its state) and one per user (ticked by every
command whose event reaches the user's own feed, and by the user's own form posts).

The engine ticks a command's clocks twice: inside the transaction and after the commit.
A reader that took a clock before the commit may have read the data before it too and
keyed what it cached by that value, which the tick after the commit retires; the tick
inside the transaction makes the change show even where no commit callback runs (a test's
transaction). A tick sets the clocks to the current time in nanoseconds: a value none of
them had before, whatever order ticks from several commands land in, written in one round
trip for all of a command's clocks; a missing clock (never set, expired, evicted) starts
the same way.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache

CLOCK_SECONDS = 24 * 3600


def _read(key: str) -> int:
    return cache.get_or_set(key, time.time_ns, CLOCK_SECONDS)  # get, else add (the first writer wins), get


def request_clock(request_id: int) -> int:
    """The request's clock now (started if missing)."""
    return _read(f"request-clock:{request_id}")


def user_clock(user_id: int) -> int:
    """The user's clock now (started if missing)."""
    return _read(f"user-clock:{user_id}")


def tick(*, request_id: int | None = None, user_ids: Iterable[int] = ()) -> None:
    """What the request or the users see changes (or just did)."""
    now = time.time_ns()
    keys = [f"user-clock:{user_id}" for user_id in set(user_ids)]
    if request_id is not None:
        keys.append(f"request-clock:{request_id}")
    if keys:
        cache.set_many(dict.fromkeys(keys, now), CLOCK_SECONDS)
