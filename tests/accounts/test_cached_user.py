"""The signed-in user comes from the cache (``apps.accounts.cached_user``) without ever
outliving what would sign them out: a password change, a deactivation, a deletion."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PROFILE = "/traveler/profile/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(PROFILE).status_code == 200  # reads the user into the cache
    return client


def _user_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(PROFILE)
    return sum('FROM "accounts_user"' in q["sql"] for q in queries)


def test_a_signed_in_user_is_read_from_the_cache():
    assert _user_queries(_signed_in(make_user(Role.TRAVELER))) == 0


def test_a_password_changed_elsewhere_signs_the_other_sessions_out():
    user = make_user(Role.TRAVELER)
    client = _signed_in(user)
    user.set_password("a new secret 123")
    user.save()
    assert client.get(PROFILE).status_code == 302  # to the login page


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_a_deactivated_or_deleted_user_is_signed_out_at_once(change):
    user = make_user(Role.TRAVELER)
    client = _signed_in(user)
    if change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.delete()
    assert client.get(PROFILE).status_code == 302


def test_a_renamed_user_sees_their_new_name():
    user = make_user(Role.TRAVELER, first_name="Ana")
    client = _signed_in(user)
    user.first_name = "Beatriz"
    user.save()
    assert "Beatriz" in client.get(PROFILE).content.decode()
