import os

import pytest

from apps.accounts.models import Role
from tests.factories import PASSWORD, make_user

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    """Skip backend-specific tests where the backend is absent; browser tests run last
    (sync Playwright breaks later asyncio tests in the same process)."""
    skip_pg = pytest.mark.skip(reason="needs DATABASE_URL=postgres://…")
    skip_redis = pytest.mark.skip(reason="needs REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)
    items.sort(key=lambda item: "browser" in item.keywords)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def traveler(db):
    return make_user(Role.TRAVELER)


@pytest.fixture
def staff(db):
    return make_user(Role.STAFF)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """API rate limits off (the throttle tests set their own): the suite makes many
    requests as few users, and the throttles' cache outlives a test."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.API_RATES)}


@pytest.fixture
def down_adapter():
    """Registers an inventory adapter whose vendor API always times out; yields its name."""
    from apps.vendors import inventory

    class DownInventory(inventory.InventoryAdapter):
        def availability(self, offering, start, end):
            raise inventory.InventoryUnavailable("vendor API timed out")

    inventory.register("test-down", DownInventory)
    yield "test-down"
    inventory.unregister("test-down")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached read models are keyed by row ids and versions, which a rolled-back test hands
    out again on SQLite: each test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
