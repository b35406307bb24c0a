"""Under daphne (the production server) a too-large body is refused before it is received,
and a malformed multipart body reaches Django (a JSON answer), not Twisted's bare 400."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.support import ROOT, base_env, free_port, wait_for_port

pytestmark = pytest.mark.slow
MB = 1024 * 1024


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    port = free_port()
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('daphne') / 'db.sqlite3'}", DEBUG="0",
                   SECRET_KEY="daphne-limits-" + "k" * 50, SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1",
                   LOG_REQUESTS="0")
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port),
                             "traveloure.asgi:application"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _exchange(port: int, head: bytes, body: bytes) -> tuple[int, bytes, float]:
    """Send ``head`` then as much of ``body`` as the server takes; (status, body, seconds)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head)
        try:
            for at in range(0, len(body), 64 * 1024):
                sock.sendall(body[at:at + 64 * 1024])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1], time.monotonic() - started


def test_a_declared_50_mb_upload_is_refused_before_it_is_sent(daphne):
    head = (b"POST /api/v1/requests/1/imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + str(50 * MB).encode() + b"\r\n\r\n")
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", daphne), timeout=20) as sock:
        sock.sendall(head + b"--b\r\n")  # the body has not come yet: the answer must not wait for it
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == "too_large"
    assert time.monotonic() - started < 5


def test_a_chunked_body_past_the_cap_is_cut_off(daphne):
    head = (b"POST /traveler/requests/1/imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
    piece = b"x" * MB
    body = (b"%x\r\n" % len(piece) + piece + b"\r\n") * 20 + b"0\r\n\r\n"
    status, text, _seconds = _exchange(daphne, head, body)
    assert status == 413 and text == b"The request body is too large."


def test_a_malformed_multipart_body_gets_the_apis_json_not_a_bare_400(daphne):
    body = b"--c637--\r\n"
    head = (b"POST /api/v1/requests/1/imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: multipart/form-data; boundary=c637\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\n\r\n")
    status, text, _seconds = _exchange(daphne, head, body)
    assert status in (401, 403) and json.loads(text)["code"] == "not_authenticated"
