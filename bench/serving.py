"""What the benches that serve the project over real sockets share: a free loopback port,
the production environment and waiting for the server to answer."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


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
    """SIGTERM, then SIGKILL after ``grace`` seconds (daphne may wait on idle keep-alive sockets)."""
    server.terminate()
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
