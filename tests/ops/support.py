"""Real processes for the operations tests: free loopback ports, a migrated scratch
database a subprocess can open, and process-tree inspection by PID (no psutil)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for port {port} exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def base_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "TEST_DB_NAME"}
    env.update(DJANGO_SETTINGS_MODULE="traveloure.settings", **extra)
    return env


def server_database_url() -> str:
    """The URL of the pytest database (PostgreSQL) for server subprocesses."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def scratch_postgres(suffix: str) -> str:
    """A fresh, empty PostgreSQL database next to the configured one; returns its URL."""
    import psycopg

    parts = urlparse(os.environ["DATABASE_URL"])
    name = f"{parts.path.lstrip('/') or 'postgres'}_{suffix}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def drop_postgres(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def manage(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def app_snapshot() -> dict:
    """What the app serves from the current database: row counts, and staff's API view of
    every request (detail, event timeline, itinerary) and of the bookings."""
    from django.apps import apps
    from django.test import Client

    from apps.accounts.models import User
    from apps.requests.models import ExperienceRequest

    models = ["accounts.User", "requests.ExperienceRequest", "coordination.CoordinationState", "coordination.Event",
              "coordination.Booking", "coordination.OutboxMessage", "coordination.Review", "itineraries.Itinerary",
              "itineraries.Item", "vendors.Slot", "vendors.Offering", "experts.Expert"]
    snapshot = {"counts": {label: apps.get_model(label).objects.count() for label in models}}
    client = Client()
    client.force_login(User.objects.filter(is_staff=True).order_by("pk").first())
    for request_id in ExperienceRequest.objects.order_by("pk").values_list("pk", flat=True):
        for part in ("", "events/", "itinerary/"):
            response = client.get(f"/api/v1/requests/{request_id}/{part}")
            snapshot[f"requests/{request_id}/{part}"] = [response.status_code, response.json()]
    snapshot["bookings/"] = client.get("/api/v1/bookings/?page_size=500").json()
    return snapshot
