"""What the benches that serve the project over real sockets share: a free loopback port,
the production environment and waiting for the server to answer."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def repo_python(repo: Path) -> str:
    """The interpreter of the checkout to serve (its .venv), else this one."""
    venv = repo / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run(cmd: list[str], repo: Path, env: dict) -> str:
    done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def seed_site(repo: Path, env: dict) -> None:
    """Migrate, load the demo and collect the static files (manifest storage needs them)."""
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"]):
        run([repo_python(repo), "manage.py", *step], repo, env)


def run_script(source: str, repo: Path, env: dict) -> dict:
    """Run Django code with the checkout's interpreter; it prints one ``RESULT <json>`` line."""
    out = run([repo_python(repo), "-c", "import django; django.setup()\n" + source], repo, env)
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def free_port(start: int) -> int:
    for port in range(start, start + 50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit(f"no free port from {start}")


def production_env(folder: Path, secret_key: str, *, database_url: str | None = None) -> dict:
    """DEBUG=0 settings over plain HTTP on loopback: a SQLite file, static and media files in
    ``folder`` unless ``database_url`` is given; quiet logs."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "traveloure.settings", "DEBUG": "0",
            "SECRET_KEY": secret_key, "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
            "STATIC_ROOT": str(folder / "static"), "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "ERROR", "LOG_REQUESTS": "0"}


# Python source run by the served checkout's interpreter (after ``django.setup()``):
# ``sign_in(names)`` makes a database session per demo user, {username: session key}.
SIGN_IN = r"""
def sign_in(names):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from apps.accounts.models import User

    keys = {}
    for user in User.objects.filter(username__in=names):
        session = SessionStore()
        session.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
        session.create()
        keys[user.username] = session.session_key
    return keys
"""


def wait_ready(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited early (status {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise SystemExit("server did not start")


def stop(server: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM to the server's process group (start it with ``start_new_session=True``: a
    qcluster's workers, uvicorn's), then SIGKILL after ``grace`` seconds (daphne may wait
    on idle keep-alive sockets)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace)
            time.sleep(0.5)  # the group's other members exit after their leader
        except subprocess.TimeoutExpired:
            pass
