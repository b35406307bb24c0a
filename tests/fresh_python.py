"""Run a script in a fresh interpreter (what a new server or worker process starts with: the
test process has long imported everything) against a throw-away SQLite file."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_fresh(script: str, tmp_path: Path) -> list[str]:
    """The words the script printed; fails the test if the script failed."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "TESTING": "1",
           "DJANGO_SETTINGS_MODULE": "traveloure.settings", "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()
