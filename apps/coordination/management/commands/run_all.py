"""Serve the ASGI app (daphne: HTTP + WebSockets) and a django-q2 worker together."""
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

from apps.coordination.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Run the web server and the task worker in one terminal (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        ensure_schedules()
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], check=True)
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"])
        web = subprocess.Popen([sys.executable, "-m", "daphne", "-b", host, "-p", str(port),
                                "traveloure.asgi:application"])
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
