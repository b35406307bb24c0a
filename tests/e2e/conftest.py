"""Browser end-to-end set-up: Debian's Chromium through pytest-playwright, and the real
ASGI application (HTTP + WebSockets, static files) served by uvicorn in a thread of the
test process, so that it shares the test database on SQLite (shared-cache in-memory) and
on PostgreSQL alike. Tasks run in django-q2's sync mode; the channel layer is the
in-memory one, or channels-redis with a prefix of its own when REDIS_URL is set.

Browser tests are collected last (tests/conftest.py): sync Playwright keeps an event loop
running in the main thread, so Django's async-safety check is switched off for the rest
of the session (``DJANGO_ALLOW_ASYNC_UNSAFE``)."""
from __future__ import annotations

import os
import uuid

import pytest

from apps.portals.management.live_server import CHROMIUM, CHROMIUM_ARGS, asgi_server, sign_in


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_next_to_playwright():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _read_uncommitted(connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@pytest.fixture(autouse=True)
def _readers_do_not_lock_tables(transactional_db):
    """The server thread and the test share one in-memory SQLite database (shared cache),
    where a reader's table lock makes a concurrent writer fail at once ("database table is
    locked") instead of waiting. Readers that take no table locks keep a page's live refresh
    from failing the test's own command (tests only: production SQLite is a file)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    connection_created.connect(_read_uncommitted)
    _read_uncommitted(connection)
    yield
    connection_created.disconnect(_read_uncommitted)


@pytest.fixture
def live_url(transactional_db, settings, monkeypatch):
    """Base URL of the ASGI app served on a free loopback port for this test."""
    from django_q.conf import Conf

    if os.environ.get("REDIS_URL"):
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"e2e-{uuid.uuid4().hex[:10]}"}}}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    monkeypatch.setattr(Conf, "SYNC", True)
    with asgi_server() as url:
        yield url


@pytest.fixture
def login(browser, live_url):
    """``login(user)`` → a Playwright page signed in as ``user`` in its own browser context."""
    from tests.factories import PASSWORD

    contexts, violations = [], []

    def _login(user, viewport=None):
        context = browser.new_context(base_url=live_url, viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        # Every Content-Security-Policy violation reaches the console (the page works under the CSP).
        context.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                                "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: violations.append(message.text) if message.type == "error" and (
            "Content Security Policy" in message.text or "CSP violation" in message.text) else None)
        sign_in(page, user.username, PASSWORD)
        return page

    yield _login
    for context in contexts:
        context.close()
    assert violations == [], violations
