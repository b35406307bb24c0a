"""``manage.py qcluster`` is the project's: it loads the task code (WeasyPrint, the planner,
holidays' country calendars), sets up the template engine and the ECB history, and freezes
it all before the cluster forks, so that the workers share it; neither Twisted (the web
server's) nor the URLconf (views, serializers, admin: the system checks would import it)
is loaded. Run in a fresh interpreter: freezing the collector would outlive the test."""
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
from apps.coordination.management.commands.qcluster import preload, task_modules
from apps.integrations.ecb import shipped_history
assert "weasyprint" not in sys.modules and gc.get_freeze_count() == 0
preload()
print(get_commands()["qcluster"], all(name in sys.modules for name in task_modules()), "weasyprint" in sys.modules,
      "holidays.countries.japan" in sys.modules, "django.contrib.humanize.templatetags.humanize" in sys.modules,
      shipped_history.cache_info().currsize, gc.get_freeze_count() > 10000, "twisted" in sys.modules,
      "traveloure.urls" in sys.modules, load_command_class("apps.coordination", "qcluster").requires_system_checks)
"""


def test_qcluster_loads_and_freezes_the_task_code_before_forking(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'preload.sqlite3'}", "TESTING": "1",
           "DJANGO_SETTINGS_MODULE": "traveloure.settings", "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["apps.coordination", "True", "True", "True", "True", "1", "True", "False", "False",
                                   "[]"]
