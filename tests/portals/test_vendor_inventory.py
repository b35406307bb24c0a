"""The vendor's inventory settings page: platform or its own OCTO system, the key never
shown back, offerings mapped to OCTO products."""
import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.vendors.models import Vendor
from tests.factories import make_offering, make_user, make_vendor

pytestmark = pytest.mark.django_db
PAGE = reverse("vendor:inventory")
KEY = "octo-live-key-7f3a9c2e1b"


def test_switching_to_octo_keeps_the_key_secret(client, django_capture_on_commit_callbacks):
    vendor = make_vendor()
    tour = make_offering(vendor, title="Night food walk")
    client.force_login(vendor.user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(PAGE, {"source": "octo", "url": "https://octo.example.com/v1", "api_key": KEY,
                                      "supplier_id": "acme", f"product_{tour.pk}": "night-walk"})
    assert response.status_code == 302 and len(callbacks) == 1  # a first sync is queued
    vendor.refresh_from_db()
    tour.refresh_from_db()
    assert (vendor.inventory_adapter, vendor.octo_url, vendor.octo_api_key, tour.octo_product_id) == (
        "octo", "https://octo.example.com/v1", KEY, "night-walk")

    html = client.get(PAGE).content.decode()
    assert KEY not in html and "••••2e1b" in html
    client.post(PAGE, {"source": "octo", "url": "https://octo.example.com/v2", "api_key": ""})
    assert Vendor.objects.get(pk=vendor.pk).octo_api_key == KEY  # blank keeps the key


def test_octo_needs_a_url_and_a_key(client):
    vendor = make_vendor()
    client.force_login(vendor.user)
    response = client.post(PAGE, {"source": "octo", "url": "", "api_key": ""})
    assert response.status_code == 400
    assert Vendor.objects.get(pk=vendor.pk).inventory_adapter == "platform"


@pytest.mark.parametrize("role", [Role.TRAVELER, Role.EXPERT])
def test_other_roles_cannot_open_it(client, role):
    client.force_login(make_user(role))
    assert client.get(PAGE).status_code in (403, 404)


def test_staff_admin_never_shows_the_key(client):
    vendor = make_vendor(octo_api_key=KEY, inventory_adapter="octo", octo_url="https://octo.example.com")
    client.force_login(make_user(Role.STAFF, is_superuser=True))
    html = client.get(reverse("admin:vendors_vendor_change", args=[vendor.pk])).content.decode()
    assert KEY not in html and "••••2e1b" in html
