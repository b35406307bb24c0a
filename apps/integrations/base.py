"""What every provider shares: the failure type, degraded answers and the missing-data notes.

Callers (the planner, exports) never see an HTTP adapter fail: ``live_or_offline`` turns a
``ProviderUnavailable`` into the offline default flagged ``degraded`` and notes what was
missing. A planner run wraps itself in ``collect_missing()`` to list those notes on the plan.
"""
from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.utils.translation import gettext as _

T = TypeVar("T")


class ProviderUnavailable(Exception):
    """A provider could not answer (timeout, 5xx, malformed body, open circuit, …)."""

    def __init__(self, provider: str, reason: str):
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason


class ProviderRejected(ProviderUnavailable):
    """The provider answered but refused the request (a 4xx other than 429): not an outage."""

    def __init__(self, provider: str, status: int, body: str):
        super().__init__(provider, f"HTTP {status}")
        self.status = status
        self.body = body


@dataclasses.dataclass(frozen=True)
class MissingNote:
    """One piece of data a plan had to do without (or with an older copy of)."""

    what: str
    provider: str
    reason: str
    fallback: str

    def __str__(self) -> str:
        return _("%(what)s: %(fallback)s (%(provider)s: %(reason)s)") % dataclasses.asdict(self)


class MissingData:
    """The notes gathered during one ``collect_missing()`` block, in order, without repeats."""

    def __init__(self):
        self.items: list[MissingNote] = []

    def add(self, note: MissingNote) -> None:
        if note not in self.items:
            self.items.append(note)

    def notes(self) -> list[str]:
        """Human-readable notes ("Weather forecast: used no forecast (open-meteo: timeout)")."""
        return [str(item) for item in self.items]


_collector: contextvars.ContextVar[MissingData | None] = contextvars.ContextVar("integrations_missing", default=None)


@contextmanager
def collect_missing() -> Iterator[MissingData]:
    """Gather the missing-data notes of every provider call made inside the block (nests)."""
    collector = MissingData()
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)
        outer = _collector.get()
        if outer is not None:
            for item in collector.items:
                outer.add(item)


def note_missing(*, what: str, provider: str, reason: str, fallback: str) -> None:
    """Record a note in the enclosing ``collect_missing()`` block; a no-op outside one."""
    collector = _collector.get()
    if collector is not None:
        collector.add(MissingNote(what=what, provider=provider, reason=reason, fallback=fallback))


def flag_degraded(value: T) -> T:
    """Copy a result dataclass (or each one of a list) with ``degraded=True``."""
    if isinstance(value, list):
        return [flag_degraded(item) for item in value]
    return dataclasses.replace(value, degraded=True)


def live_or_offline(*, what: str, provider: str, live: Callable[[], T], offline: Callable[[], T],
                    fallback: str) -> T:
    """``live()``; when it raises ``ProviderUnavailable``, ``offline()`` flagged degraded.

    Side effect: notes what was missing in the enclosing ``collect_missing()`` block.
    Never raises ``ProviderUnavailable``.
    """
    try:
        return live()
    except ProviderUnavailable as exc:
        note_missing(what=what, provider=provider, reason=exc.reason, fallback=fallback)
        return flag_degraded(offline())
