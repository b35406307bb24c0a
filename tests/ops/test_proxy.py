"""The production shape: nginx (``deploy/nginx/traveloure.conf``) terminating TLS with a
self-signed certificate in front of two daphne processes on PostgreSQL + Redis. Log in
over HTTPS through the proxy, open a WebSocket through it and receive a change made
through the daphne process that does not hold the socket."""
import asyncio
import json
import os
import secrets
import shutil
import ssl
import subprocess
import sys
import uuid
from string import Template

import httpx
import pytest
import websockets
from django.contrib.auth.hashers import make_password
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.coordination.models import Event
from tests.factories import PASSWORD
from tests.factories.worlds import make_world

from .support import ROOT, base_env, free_port, server_database_url, wait_for_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def _stop(procs):
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def stack(tmp_path, certificate):
    """Two daphne processes (production settings) and nginx with the deploy site filled in."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx not installed (Debian package nginx)")
    web_ports, https, http = (free_port(), free_port()), free_port(), free_port()
    env = base_env(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
                   DATABASE_URL=server_database_url(), CHANNELS_PREFIX=f"proxy-{uuid.uuid4().hex[:8]}",
                   TESTING="1", PYTHONUNBUFFERED="1")
    logs = [tmp_path / f"daphne-{port}.log" for port in web_ports]
    procs = []
    for port, log in zip(web_ports, logs):
        with open(log, "wb") as out:
            procs.append(subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                           "traveloure.asgi:application"], cwd=ROOT, env=env, stdout=out,
                                          stderr=subprocess.STDOUT))
    cert, key = certificate
    site = Template((ROOT / "deploy/nginx/traveloure.conf").read_text()).safe_substitute(
        SERVER_NAME="127.0.0.1", HTTPS_LISTEN=f"127.0.0.1:{https}", HTTP_LISTEN=f"127.0.0.1:{http}", TLS_CERT=cert,
        TLS_KEY=key, STATIC_ROOT=ROOT / "static", WEB_1=f"127.0.0.1:{web_ports[0]}", WEB_2=f"127.0.0.1:{web_ports[1]}")
    (tmp_path / "site.conf").write_text(site)
    temp_paths = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(f"""
        {"user root;" if os.geteuid() == 0 else ""}
        worker_processes 1; daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
        events {{ worker_connections 256; }}
        http {{
            include /etc/nginx/mime.types; access_log {tmp_path}/access.log;
            client_body_temp_path {tmp_path}/body; {temp_paths}
            include {tmp_path}/site.conf;
        }}""")
    procs.append(subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                                  stderr=subprocess.PIPE))
    try:
        for port, proc in [*zip(web_ports, procs), (https, procs[2])]:
            wait_for_port(port, proc)
        yield {"https": https, "http": http, "web": web_ports, "logs": logs, "cert": cert}
    finally:
        _stop(procs)


def test_login_websocket_and_live_change_through_nginx(stack, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what the servers check
    world = make_world()
    User.objects.filter(pk=world.expert.pk).update(password=make_password(PASSWORD))
    token = Token.objects.create(user=world.traveler).key
    base = f"https://127.0.0.1:{stack['https']}"
    tls = ssl.create_default_context(cafile=str(stack["cert"]))

    assert httpx.get(f"http://127.0.0.1:{stack['http']}/accounts/login/").headers["location"] == \
        "https://127.0.0.1/accounts/login/"
    with httpx.Client(base_url=base, verify=tls) as browser:
        form = browser.get("/accounts/login/")
        assert form.status_code == 200 and len(form.headers["x-request-id"]) == 32
        logged_in = browser.post("/accounts/login/", data={
            "username": world.expert.username, "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"]}, headers={"Referer": f"{base}/accounts/login/"})
        assert logged_in.status_code == 302, logged_in.text
        assert "secure" in logged_in.headers["set-cookie"].lower()  # Django saw HTTPS through X-Forwarded-Proto
        session = browser.cookies["sessionid"]
        static = browser.get("/static/css/app.css")
        assert static.status_code == 200 and "max-age=31536000" in static.headers["cache-control"]

    async def scenario():
        headers = {"Cookie": f"sessionid={session}", "Origin": base}
        async with websockets.connect(f"wss://127.0.0.1:{stack['https']}/ws/requests/{world.request_id}/",
                                      ssl=tls, additional_headers=headers) as ws:
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), 10))
            holder = next(i for i, log in enumerate(stack["logs"]) if "WSCONNECT" in log.read_text())
            other = stack["web"][1 - holder]
            async with httpx.AsyncClient() as direct:
                response = await direct.post(
                    f"http://127.0.0.1:{other}/api/v1/requests/{world.request_id}/messages/",
                    json={"body": "Booked the 9:00 slot"}, timeout=10,
                    headers={"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"})
            assert response.status_code == 201, response.text
            return snapshot, json.loads(await asyncio.wait_for(ws.recv(), 10)), response.headers["x-request-id"]

    snapshot, event, request_id = asyncio.run(scenario())
    assert snapshot["type"] == "snapshot" and snapshot["version"] == 1
    assert (event["type"], event["event"], event["version"]) == ("event", "message.posted", 2)
    assert event["data"]["message"]["body"] == "Booked the 9:00 slot"
    assert Event.objects.get(state=world.state, version=2).request_id == request_id
