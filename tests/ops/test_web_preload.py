"""The ASGI entry point loads the URLconf (every view, form and serializer) before the server
accepts a connection: left to the first request, it held up every request that came in
meanwhile (seconds on a busy start). Run in a fresh interpreter: the test process has it
loaded already."""
from tests.fresh_python import run_fresh

SCRIPT = """
import sys
import traveloure.asgi
print("traveloure.urls" in sys.modules, "apps.api.bookings" in sys.modules)
"""


def test_the_asgi_application_starts_with_its_urlconf_loaded(tmp_path):
    assert run_fresh(SCRIPT, tmp_path) == ["True", "True"]
