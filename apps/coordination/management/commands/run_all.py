"""Serve the ASGI app (daphne: HTTP + WebSockets) and a django-q2 worker cluster together.

With ``settings.TRAVELOURE["OCTO_FAKE_PORT"]`` set (``make run`` does), the demo's fake OCTO
supplier (``manage.py octo_fake``) is a third child under the same rules.

Supervision rules (what systemd, a container runtime or a terminal expects):
- SIGTERM or SIGINT (Ctrl-C) stops both children gracefully: each gets SIGTERM (daphne
  stops accepting, finishes in-flight requests and closes WebSockets with 1001 "going
  away", on which clients reconnect; the qcluster leader lets running tasks finish and
  stops its workers), then after ``--grace`` seconds whatever is left of either process
  group is killed. Exit status 0.
- A child that dies on its own stops the other one and makes run_all exit with status 1,
  saying which one died: restarting is the process manager's job (``Restart=on-failure``).
- Each child leads a process group of its own, so the cluster's worker processes are
  signalled and reaped with it: no orphan keeps serving the port.
"""
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.coordination.schedules import ensure_schedules

POLL_SECONDS = 0.2


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # the group is gone already
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Command(BaseCommand):
    help = "Run the web server and the task worker in one terminal (Ctrl-C or SIGTERM stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--grace", type=float, default=8.0,
                            help="Seconds the children get to stop before they are killed.")

    def handle(self, *args, host, port, grace, **options):
        ensure_schedules()
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], check=True)
        stop = threading.Event()
        received = []

        def on_signal(signum, frame):
            received.append(signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        children = {
            "worker": subprocess.Popen([sys.executable, "manage.py", "qcluster"], start_new_session=True),
            "web": subprocess.Popen([sys.executable, "-m", "daphne", "-b", host, "-p", str(port),
                                     "traveloure.asgi:application"], start_new_session=True),
        }
        if settings.TRAVELOURE["OCTO_FAKE_PORT"]:
            children["octo"] = subprocess.Popen([sys.executable, "manage.py", "octo_fake", "--port",
                                                 str(settings.TRAVELOURE["OCTO_FAKE_PORT"])], start_new_session=True)
        for name, proc in children.items():
            self.stderr.write(f"run_all: started {name} (pid {proc.pid})")
        died = None
        try:
            while not stop.wait(POLL_SECONDS):
                died = next((name for name, proc in children.items() if proc.poll() is not None), None)
                if died:
                    self.stderr.write(f"run_all: {died} (pid {children[died].pid}) exited with status "
                                      f"{children[died].returncode}; stopping the others")
                    break
            if received:
                self.stderr.write(f"run_all: {received[0]} received; stopping")
            self._stop(children, grace)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if died:
            raise CommandError(f"{died} exited on its own")

    def _stop(self, children: dict, grace: float) -> None:
        """SIGTERM each child (the qcluster leader stops its own workers gracefully; its
        group gets it when the leader is gone), wait up to ``grace`` seconds for every group
        to empty, then SIGKILL what is left."""
        for proc in children.values():
            if proc.poll() is None:
                proc.terminate()
            else:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_group_alive(proc.pid) for proc in children.values()):
            for proc in children.values():
                proc.poll()  # reap the leader so that its group can empty
            time.sleep(POLL_SECONDS)
        for name, proc in children.items():
            if _group_alive(proc.pid):
                self.stderr.write(f"run_all: {name} did not stop within {grace:g}s; killing it")
                _signal_group(proc, signal.SIGKILL)
            proc.wait()
        self.stderr.write("run_all: stopped")
