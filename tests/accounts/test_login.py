import pytest

from apps.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "home"), [
    (Role.TRAVELER, "/traveler/"), (Role.EXPERT, "/expert/"), (Role.VENDOR, "/vendor/"), (Role.STAFF, "/admin/"),
])
def test_login_lands_on_portal_home(client, password, role, home):
    user = make_user(role)
    response = client.post("/accounts/login/", {"username": user.username, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_bad_login_shows_error(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


@pytest.mark.parametrize("path", ["/traveler/", "/expert/", "/vendor/"])
def test_portals_redirect_anonymous_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("role", "path"), [
    (Role.TRAVELER, "/expert/"), (Role.TRAVELER, "/vendor/"), (Role.EXPERT, "/traveler/"),
    (Role.VENDOR, "/traveler/"), (Role.VENDOR, "/expert/"), (Role.EXPERT, "/vendor/"),
])
def test_portals_refuse_other_roles(client, role, path):
    client.force_login(make_user(role))
    assert client.get(path).status_code == 403


def test_signup_creates_traveler_and_logs_in(client):
    response = client.post("/accounts/signup/", {
        "username": "newbie", "email": "n@example.com", "first_name": "New", "last_name": "Bie", "currency": "EUR",
        "password1": "a-Long-pass-1234", "password2": "a-Long-pass-1234"}, follow=True)
    assert response.redirect_chain[-1][0] == "/traveler/"
    from apps.accounts.models import User
    user = User.objects.get(username="newbie")
    assert user.role == Role.TRAVELER and user.currency == "EUR"


def test_visitors_land_on_a_page_that_says_what_this_is(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b"wedding" in page.content and b'href="/accounts/signup/"' in page.content
    assert b'href="/accounts/login/"' in page.content


def test_signed_in_users_go_from_slash_to_their_portal(client):
    client.force_login(make_user(Role.VENDOR))
    assert client.get("/").url == "/vendor/"
