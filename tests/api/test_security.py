"""Login lockout, API rate limits, security headers and task signing (issue 17)."""
from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django_q.signing import SignedPackage
from rest_framework.test import APIClient

from apps.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def user():
    return make_user(Role.TRAVELER, username="lockme")


def _fail(client, url, username="lockme", **extra):
    return client.post(url, {"username": username, "password": "wrong-password"}, **extra)


def test_login_locks_after_the_limit_per_username_and_unlocks_after_the_cool_off(client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client, LOGIN).status_code == 200  # the form again, with its error
    locked = _fail(client, LOGIN)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert b"Too many failed logins" in locked.content
    # Even the right password is refused while locked, from another address too.
    other = client.post(LOGIN, {"username": "lockme", "password": password}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 429
    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME
                                 - dt.timedelta(seconds=1))
    assert client.post(LOGIN, {"username": "lockme", "password": password}).status_code == 302


def test_staff_unlock_by_deleting_the_attempt(client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, LOGIN)
    assert client.post(LOGIN, {"username": "lockme", "password": password}).status_code == 429
    staff = make_user(Role.STAFF)
    type(staff).objects.filter(pk=staff.pk).update(is_superuser=True)
    admin = type(client)()
    admin.force_login(staff)
    attempt = AccessAttempt.objects.get(username="lockme")
    assert admin.get(f"/admin/axes/accessattempt/{attempt.pk}/change/").status_code == 200
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.filter(username="lockme").exists()
    assert client.post(LOGIN, {"username": "lockme", "password": password}).status_code == 302


def test_one_address_trying_many_usernames_is_locked_and_unknown_users_look_the_same(client, user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, LOGIN, username=f"nobody{n}")
    assert _fail(client, LOGIN, username="lockme").status_code == 429
    fresh = type(client)()
    unknown = [_fail(fresh, LOGIN, username="ghost", REMOTE_ADDR="10.1.1.1").status_code
               for _ in range(settings.AXES_FAILURE_LIMIT)]
    make_user(Role.TRAVELER, username="known")
    known = [_fail(fresh, LOGIN, username="known", REMOTE_ADDR="10.1.1.2").status_code
             for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert unknown == known  # no user enumeration: a real and a made-up name lock alike


def test_token_endpoint_locks_with_json_429(user, password, settings):
    client = APIClient()
    statuses = [client.post(TOKEN, {"username": "lockme", "password": "nope"}, format="json").status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(TOKEN, {"username": "lockme", "password": password}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "login.locked" and int(locked["Retry-After"]) > 0


def test_api_throttle_answers_429_with_retry_after(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.API_RATES, "user_burst": "3/minute", "anon_burst": "2/minute"}}
    user = make_user(Role.TRAVELER)
    client = APIClient()
    client.force_authenticate(user)
    assert [client.get("/api/v1/requests/").status_code for _ in range(4)] == [200, 200, 200, 429]
    throttled = client.get("/api/v1/requests/")
    assert throttled.json()["code"] == "throttled" and 0 < int(throttled["Retry-After"]) <= 60
    anonymous = APIClient()
    statuses = [anonymous.post(TOKEN, {"username": "x", "password": "y"}, format="json").status_code
                for _ in range(3)]
    assert statuses[-1] == 429


def test_webhooks_are_limited_per_vendor(settings):
    from tests.factories import make_vendor

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.API_RATES, "vendor_hook": "2/minute"}}
    vendor, other = make_vendor(webhook_secret="s"), make_vendor(webhook_secret="s")
    client = APIClient()
    statuses = [client.post(f"/api/v1/vendor-hooks/{vendor.pk}/", {}, format="json").status_code for _ in range(3)]
    assert statuses == [403, 403, 429]  # unsigned: refused, and then no longer even checked
    assert client.post(f"/api/v1/vendor-hooks/{other.pk}/", {}, format="json").status_code == 403


def test_security_headers(client, user):
    page = client.get(LOGIN)
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "camera=()" in page["Permissions-Policy"]
    api = client.get("/api/v1/requests/")
    assert "private" in api["Cache-Control"] and "no-store" in api["Cache-Control"]
    assert "no-store" in client.get("/share/1.nope/")["Cache-Control"]
    assert "no-store" in client.get("/exports/calendar/1.nope.ics")["Cache-Control"]


def test_no_template_has_an_inline_script_or_handler():
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path))
    assert offenders == []


def test_tasks_survive_a_secret_key_rotation(settings):
    package = SignedPackage.dumps({"func": "x"})
    with override_settings(SECRET_KEY="a-rotated-secret-key-" + "x" * 40):
        assert SignedPackage.loads(package) == {"func": "x"}


def test_seed_demo_refuses_the_dev_signing_key_in_production(settings):
    """DEBUG=0 with the development key signing tasks stops the settings from loading: no
    seed_demo (nor web, nor worker) queues tasks a production worker would drop."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "a-real-secret-" + "s" * 50,
           "Q_SIGNING_KEY": settings.DEV_SECRET_KEY, "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Set Q_SIGNING_KEY" in result.stderr


def test_the_limit_slides_across_windows_with_the_previous_count_weighted(settings, rf):
    from apps.api.throttles import UserBurstThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.API_RATES, "user_burst": "3/minute"}}
    request = rf.get("/api/v1/requests/")
    request.user = make_user(Role.TRAVELER)
    start = 60 * 29_000_000  # a window's first second

    def attempts(at: float, n: int) -> list[bool]:
        throttle = UserBurstThrottle()
        throttle.timer = lambda: at
        return [throttle.allow_request(request, None) for _ in range(n)], throttle

    assert attempts(start, 4)[0] == [True, True, True, False]
    allowed, throttle = attempts(start + 10, 1)
    assert allowed == [False] and throttle.wait() == 50  # the rest of this window: then its 3 start to fade
    # Half-way through the next window the 3 weigh 1.5: two more requests fit, not three.
    allowed, throttle = attempts(start + 90, 3)
    assert allowed == [True, True, False] and throttle.wait() == pytest.approx(10)  # 2 + 3 x 1/3 < 3 at 100 s
    assert attempts(start + 120, 2)[0] == [True, False]  # the 3 are out; the last window's 2 weigh 2
