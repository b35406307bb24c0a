"""``manage.py run_all`` under a process manager: real daphne and qcluster processes on a
scratch SQLite database, checked by PID."""
import signal
import subprocess
import sys
import time

import pytest

from .support import ROOT, alive, base_env, descendants, free_port, manage, wait_for_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory):
    """The embedded default (SQLite file, in-memory layer, ORM broker), migrated."""
    tmp = tmp_path_factory.mktemp("run_all")
    env = base_env(DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", STATIC_ROOT=str(tmp / "static"), Q_WORKERS="2")
    env.pop("REDIS_URL", None)
    manage("migrate", "--noinput", "-v0", env=env)
    return env


@pytest.fixture
def run_all(embedded_env, tmp_path):
    """Starts run_all; yields (process, its log file, the children's PIDs by name)."""
    port = free_port()
    log_path = tmp_path / "run_all.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "manage.py", "run_all", "--port", str(port)], cwd=ROOT,
                                env=embedded_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc)
        children = {}
        deadline = time.monotonic() + 60
        while len(children) < 2 and time.monotonic() < deadline:
            for line in log_path.read_text().splitlines():
                if line.startswith("run_all: started "):
                    name, pid = line.removeprefix("run_all: started ").split(" (pid ")
                    children[name] = int(pid.rstrip(")"))
            time.sleep(0.2)
        # qcluster loads the task code before it forks its cluster (sentinel, workers, monitor,
        # pusher); a library it imports may run a short-lived helper process meanwhile
        while len(descendants(children.get("worker", proc.pid))) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield proc, log_path, children
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _wait(proc, seconds: float) -> int | None:
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return None


def test_sigterm_stops_every_child_within_ten_seconds(run_all):
    proc, log_path, children = run_all
    tree = descendants(proc.pid)
    assert set(children) == {"worker", "web"} and set(children.values()) <= tree and len(tree) >= 4

    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert _wait(proc, 10) == 0
    while any(alive(pid) for pid in tree) and time.monotonic() - started < 10:
        time.sleep(0.1)
    assert [pid for pid in tree if alive(pid)] == []
    log = log_path.read_text()
    assert "run_all: SIGTERM received; stopping" in log and "run_all: stopped" in log


def test_a_worker_that_dies_stops_run_all_with_an_error(run_all):
    proc, log_path, children = run_all
    tree = descendants(proc.pid)
    subprocess.run(["kill", "-KILL", str(children["worker"])], check=True)

    assert _wait(proc, 15) == 1
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in tree if alive(pid)] == []
    log = log_path.read_text()
    assert f"run_all: worker (pid {children['worker']}) exited with status -9; stopping the others" in log
    assert "worker exited on its own" in log


def test_the_demo_octo_supplier_is_a_third_child_under_the_same_rules(embedded_env, tmp_path):
    import urllib.error
    import urllib.request

    port, octo_port = free_port(), free_port()
    log_path = tmp_path / "run_all.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "manage.py", "run_all", "--port", str(port)], cwd=ROOT,
                                env={**embedded_env, "OCTO_FAKE_PORT": str(octo_port)}, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        wait_for_port(octo_port, proc)
        with pytest.raises(urllib.error.HTTPError) as refused:  # it answers, and wants its key
            urllib.request.urlopen(f"http://127.0.0.1:{octo_port}/products", timeout=5)
        assert refused.value.code == 401
        assert "run_all: started octo (pid " in log_path.read_text()
        tree = descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert _wait(proc, 10) == 0
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in tree if alive(pid)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
