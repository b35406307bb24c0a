"""Every portal URL, discovered from the URLconf, against every role: the portal's own role
sees its own objects, other owners of that role get 404, other roles 403, anonymous users
the login page. A new page with an unknown URL argument fails here until it is mapped."""
from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from apps.accounts.models import Role

pytestmark = pytest.mark.django_db

PORTALS = {"traveler": Role.TRAVELER, "expert": Role.EXPERT, "vendor": Role.VENDOR}
# A well-formed body for the POST-only pages, so that what answers is the scope check,
# not the form's shape check.
POST_BODY = {"capacity_total": "5", "action": "decline", "reason": "matrix", "nonce": "matrix-1", "expert": "1",
             "slot": "1", "offering": "1", "day": "2030-01-01", "time": "10:00", "body": "hello"}


def portal_routes(namespace: str) -> list[tuple[str, list[str], str]]:
    """(url name, argument names, method) of each named page of a portal."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    routes = []
    for pattern in resolver.url_patterns:
        view = pattern.callback.view_class
        method = "get" if hasattr(view, "get") else "post"
        routes.append((pattern.name, sorted(pattern.pattern.converters), method))
    return routes


ROUTES = [pytest.param(ns, name, args, method, id=f"{ns}:{name}")
          for ns in PORTALS for name, args, method in portal_routes(ns)]


def url_args(world, name: str, args: list[str]) -> dict:
    """The owner's object for each URL argument."""
    values = {}
    for arg in args:
        if arg == "request_id":
            values[arg] = world.request_id
        elif arg == "item_id":
            values[arg] = world.rec_item.pk if "recommendation" in name else world.item.pk
        elif arg == "verb":
            values[arg] = "pin"
        elif arg == "wish_id":
            values[arg] = world.wish.pk
        elif arg == "booking_id":
            values[arg] = world.booking.pk
        elif arg == "import_id":  # no import yet: only the request's scope answers
            values[arg] = world.booking.pk
        elif arg == "entry_id":  # a trip has no shortlist: only the request's scope answers
            values[arg] = world.booking.pk
        elif arg == "pk":
            values[arg] = world.slot.pk if "slot" in name else world.booking.pk
        else:
            raise AssertionError(f"Map the URL argument {arg!r} of {name} in url_args().")
    return values


def call(client, user, method: str, url: str):
    client.force_login(user) if user else client.logout()
    return client.get(url) if method == "get" else client.post(url, POST_BODY)


@pytest.mark.parametrize(("namespace", "name", "args", "method"), ROUTES)
def test_portal_url_matrix(client, world, namespace, name, args, method):
    url = reverse(f"{namespace}:{name}", kwargs=url_args(world, name, args))
    role = PORTALS[namespace]
    owner = {Role.TRAVELER: world.traveler, Role.EXPERT: world.expert, Role.VENDOR: world.vendor}[role]

    anonymous = call(client, None, method, url)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")

    for other_role, user in [(Role.STAFF, world.staff), *[(r, u) for r, u in world.others.items() if r != role]]:
        assert call(client, user, method, url).status_code == 403, (other_role, url)

    if args:
        assert call(client, world.others[role], method, url).status_code == 404, url

    if method == "get":
        assert call(client, owner, method, url).status_code == 200, url


def test_every_portal_has_pages():
    assert {ns for ns, *_ in [p.values for p in ROUTES]} == set(PORTALS)
    assert len(ROUTES) >= 30
