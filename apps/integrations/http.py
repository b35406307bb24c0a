"""The one HTTP machinery every adapter uses: timeouts, retries with exponential backoff,
the last good answer in Django's cache, and a circuit breaker whose state lives in Django's
cache too, so that every process (web, workers) sees the same breaker.

Clock and sleep are injectable so tests drive time instead of waiting.
"""
from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx
from django.core.cache import cache
from django.utils.translation import gettext as _

from .base import ProviderRejected, ProviderUnavailable, flag_degraded, note_missing

T = TypeVar("T")

DEFAULTS = {
    "timeout": 4.0,  # seconds per attempt
    "retries": 2,  # extra attempts after the first, on timeouts, connection errors, 429 and 5xx
    "backoff": 0.25,  # seconds before the first retry, doubled each time
    "fresh_ttl": 600,  # seconds an answer is reused without asking again
    "keep_last_good": 7 * 24 * 3600,  # seconds the last good answer stays available as a fallback
    "breaker_failures": 5,  # consecutive failed calls that open the circuit
    "breaker_cooldown": 60.0,  # seconds before an open circuit lets one trial call through
}


def _key(*parts: str) -> str:
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()
    return f"integrations:{parts[0]}:{digest}"


class CircuitBreaker:
    """Closed → open after ``failures`` consecutive failed calls → half-open after ``cooldown``
    (one trial call, shared by all processes) → closed on success, open again on failure."""

    def __init__(self, name: str, *, failures: int, cooldown: float, clock: Callable[[], float]):
        self.failures_to_open = failures
        self.cooldown = cooldown
        self.clock = clock
        self._failures = f"integrations:breaker:{name}:failures"
        self._opened_at = f"integrations:breaker:{name}:opened_at"
        self._trial = f"integrations:breaker:{name}:trial"

    @property
    def state(self) -> str:
        opened_at = cache.get(self._opened_at)
        if opened_at is None:
            return "closed"
        return "half-open" if self.clock() - opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        """May a call go out now? In half-open only the first caller gets the trial."""
        state = self.state
        if state == "half-open":
            return cache.add(self._trial, 1, timeout=max(int(self.cooldown), 1))
        return state == "closed"

    def record_success(self) -> None:
        cache.delete_many([self._failures, self._opened_at, self._trial])

    def record_failure(self) -> None:
        cache.add(self._failures, 0, timeout=None)
        if cache.incr(self._failures) >= self.failures_to_open:
            cache.set(self._opened_at, self.clock(), timeout=None)
            cache.delete(self._trial)


@dataclasses.dataclass(frozen=True)
class Fetched(Generic[T]):
    """A parsed answer; ``stale`` when it is the last good answer served because the call failed."""

    value: T
    stale: bool = False

    def flag(self, result):
        """``result`` flagged degraded when this answer is stale."""
        return flag_degraded(result) if self.stale else result


class HttpClient:
    """A small httpx wrapper for one provider (``name``) and base URL.

    ``fetch`` answers from the fresh cache, else calls with retries; on failure it serves the
    last good answer (stale) or raises ``ProviderUnavailable``. ``call`` is the same without
    any cache, for writes (bookings).
    """

    def __init__(self, name: str, base_url: str, *, headers: dict | None = None, options: dict | None = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.name = name
        self.options = {**DEFAULTS, **(options or {})}
        self.clock = clock
        self.sleep = sleep
        self.breaker = CircuitBreaker(f"{name}:{base_url}", failures=int(self.options["breaker_failures"]),
                                      cooldown=float(self.options["breaker_cooldown"]), clock=clock)
        self.http = httpx.Client(base_url=base_url, headers=headers or {},
                                 timeout=httpx.Timeout(float(self.options["timeout"])))

    def fetch(self, method: str, path: str, *, parse: Callable[[httpx.Response], T], what: str,
              params: dict | None = None, json: Any = None, headers: dict | None = None,
              fresh_ttl: float | None = None) -> Fetched[T]:
        """Cached call. ``parse`` turns the response into a value and raises ``ValueError``,
        ``KeyError``, ``TypeError``, ``IndexError``, ``AttributeError`` or ``ArithmeticError`` on a
        malformed body.

        Side effects: caches good answers; notes the missing data when serving a stale one.
        Errors: ``ProviderUnavailable`` when the call failed and no good answer is kept.
        """
        key = _key(self.name, str(self.http.base_url), method, path, repr(sorted((params or {}).items())), repr(json))
        kept = cache.get(key)
        ttl = self.options["fresh_ttl"] if fresh_ttl is None else fresh_ttl
        if kept is not None and self.clock() - kept["at"] < ttl:
            return Fetched(kept["value"])
        try:
            value = self.call(method, path, parse=parse, params=params, json=json, headers=headers)
        except ProviderUnavailable as exc:
            if kept is None:
                raise
            note_missing(what=what, provider=self.name, reason=exc.reason,
                         fallback=_("used the last answer received %(age)s minutes earlier")
                         % {"age": int((self.clock() - kept["at"]) // 60)})
            return Fetched(kept["value"], stale=True)
        cache.set(key, {"value": value, "at": self.clock()}, timeout=int(self.options["keep_last_good"]))
        return Fetched(value)

    def call(self, method: str, path: str, *, parse: Callable[[httpx.Response], T], params: dict | None = None,
             json: Any = None, data: dict | None = None, headers: dict | None = None) -> T:
        """One logical call through the breaker, with retries and backoff; no cache.

        Errors: ``ProviderUnavailable`` (open circuit, timeouts, connection errors, 429/5xx
        after retries, malformed body); its subclass ``ProviderRejected`` for other 4xx.
        """
        if not self.breaker.allow():
            raise ProviderUnavailable(self.name, "circuit open")
        try:
            response = self._send_with_retries(method, path, params=params, json=json, data=data, headers=headers)
            try:
                value = parse(response)
            except (ValueError, KeyError, TypeError, IndexError, AttributeError, ArithmeticError) as exc:
                raise ProviderUnavailable(self.name, f"malformed response ({exc.__class__.__name__}: {exc})") from exc
        except ProviderRejected:
            self.breaker.record_success()  # it answered: the service is up
            raise
        except ProviderUnavailable:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return value

    def _send_with_retries(self, method: str, path: str, **request) -> httpx.Response:
        attempts = 1 + int(self.options["retries"])
        for attempt in range(attempts):
            try:
                response = self.http.request(method, path, **request)
            except httpx.TimeoutException:
                reason = "timeout"
            except httpx.TransportError as exc:
                reason = f"connection error ({exc.__class__.__name__})"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code < 500 and response.status_code != 429:
                    # The request itself is wrong: asking again will not help.
                    raise ProviderRejected(self.name, response.status_code, response.text[:500])
                reason = f"HTTP {response.status_code}"
            if attempt + 1 < attempts:
                self.sleep(float(self.options["backoff"]) * 2 ** attempt)
        raise ProviderUnavailable(self.name, reason)
