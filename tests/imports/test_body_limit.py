"""The ASGI entry point refuses a body over ``MAX_REQUEST_BYTES`` before Django reads it:
at once when the declared length is too large (the body is never received), and as soon
as a body without a length (chunked) passes the cap."""
import asyncio
import json

from django.conf import settings

from traveloure.asgi import application

MB = 1024 * 1024


def _run(scope_headers, chunks, path="/api/v1/requests/1/imports/", method="POST"):
    """Drive the ASGI app; returns (status, body, chunks the app pulled)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": scope_headers, "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    pulled, sent = [], []

    async def receive():
        if len(pulled) < len(chunks):
            pulled.append(chunks[len(pulled)])
            return {"type": "http.request", "body": pulled[-1], "more_body": len(pulled) < len(chunks)}
        await asyncio.sleep(3600)  # the client waits for the answer

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(application(scope, receive, send), timeout=30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, len(pulled)


def test_a_declared_50_mb_body_is_refused_without_reading_it():
    chunks = [b"x" * MB] * 50
    status, body, pulled = _run([(b"host", b"testserver"), (b"content-length", str(50 * MB).encode()),
                                 (b"content-type", b"multipart/form-data; boundary=b")], chunks)
    assert status == 413 and json.loads(body)["code"] == "too_large"
    assert pulled == 0


def test_a_chunked_body_is_cut_off_once_it_passes_the_cap():
    chunks = [b"x" * MB] * 50
    status, body, pulled = _run([(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=b")],
                                chunks)
    assert status == 413 and json.loads(body)["code"] == "too_large"
    assert pulled == settings.MAX_REQUEST_BYTES // MB + 1  # not one chunk more than needed


def test_outside_the_api_the_refusal_is_plain_text():
    status, body, _ = _run([(b"host", b"testserver"), (b"content-length", str(50 * MB).encode())], [],
                           path="/traveler/requests/1/imports/")
    assert status == 413 and body == b"The request body is too large."


def test_a_body_under_the_cap_reaches_django():
    status, body, pulled = _run([(b"host", b"testserver")], [b""], path="/healthz", method="GET")
    assert (status, json.loads(body), pulled) == (200, {"status": "ok"}, 1)
