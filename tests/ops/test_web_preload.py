"""The ASGI entry point loads the URLconf (every view, form and serializer) before the server
accepts a connection: left to the first request, it held up every request that came in
meanwhile (seconds on a busy start). Run in a fresh interpreter: the test process has it
loaded already."""
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import traveloure.asgi
print("traveloure.urls" in sys.modules, "apps.api.bookings" in sys.modules)
"""


def test_the_asgi_application_starts_with_its_urlconf_loaded(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'asgi.sqlite3'}", "TESTING": "1",
           "DJANGO_SETTINGS_MODULE": "traveloure.settings", "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "True"]
