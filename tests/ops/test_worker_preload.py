"""``manage.py qcluster`` is the project's: it loads the task code (WeasyPrint, the planner,
holidays' country calendars), sets up the template engine and the ECB history, and freezes
it all before the cluster forks, so that the workers share it; neither Twisted (the web
server's) nor the URLconf (views, serializers, admin: the system checks would import it)
is loaded. Run in a fresh interpreter: freezing the collector would outlive the test."""
from tests.fresh_python import run_fresh

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
    assert run_fresh(SCRIPT, tmp_path) == ["apps.coordination", "True", "True", "True", "True", "1", "True", "False", "False",
                                   "[]"]
