import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.cache import cache

from apps.integrations.http import HttpClient

RECORDINGS = Path(__file__).parent / "recordings"
START = dt.datetime(2027, 3, 14, 9, 0, tzinfo=dt.timezone.utc).timestamp()


def recording(name: str) -> str:
    return (RECORDINGS / name).read_text()


def recorded_json(name: str):
    return json.loads(recording(name))


class FakeClock:
    """Wall-clock time the tests move by hand; ``sleep`` advances it and remembers the waits."""

    def __init__(self, now: float = START):
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def _empty_cache():
    """Breaker state and last good answers live in the cache: start each test without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(clock):
    """An HttpClient on the fake clock; ``options`` override the defaults."""

    def make(name: str, url: str, **options) -> HttpClient:
        return HttpClient(name, url, options=options, clock=clock, sleep=clock.sleep)

    return make


@pytest.fixture
def octo_fast(settings):
    """OCTO with short timeouts, no retries inside a call (the sweep is the retry), no breaker
    trips, the expert told after three failed reconciles."""
    settings.TRAVELOURE_PROVIDERS = {**settings.TRAVELOURE_PROVIDERS, "octo": {
        "options": {"timeout": 0.3, "retries": 0, "backoff": 0, "breaker_failures": 1000}, "give_up_after": 3,
        "hold_minutes": 30}}
