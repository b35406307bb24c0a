"""``manage.py qcluster`` is the project's: it loads the task code (WeasyPrint, the planner)
and freezes it before the cluster forks, so that the workers share it; Twisted (the web
server's) is not loaded at all. Run in a fresh
interpreter: freezing the collector would outlive the test."""
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, sys
import django
django.setup()
from django.core.management import get_commands
from apps.coordination.management.commands.qcluster import preload, task_modules
assert "weasyprint" not in sys.modules and gc.get_freeze_count() == 0
preload()
print(get_commands()["qcluster"], all(name in sys.modules for name in task_modules()), "weasyprint" in sys.modules,
      gc.get_freeze_count() > 10000, "twisted" in sys.modules)
"""


def test_qcluster_loads_and_freezes_the_task_code_before_forking(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'preload.sqlite3'}", "TESTING": "1",
           "DJANGO_SETTINGS_MODULE": "traveloure.settings", "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["apps.coordination", "True", "True", "True", "False"]
