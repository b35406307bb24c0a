"""A cap on HTTP request bodies at the ASGI entry point.

Django's ASGI handler reads a whole body (spooling it to a temporary file) before any
middleware or view runs, so a 50 MB upload would be received and written to disk before
a view could refuse it. :class:`BodyLimit` answers 413 as soon as the declared
``Content-Length`` is over the cap, without reading the body, and stops reading a body
without one (chunked) once it passes the cap. Under ``/api/`` the answer is the API's
JSON error shape."""
from __future__ import annotations

import json

API_PREFIX = "/api/"


class BodyLimit:
    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope, send) -> None:
        if scope.get("path", "").startswith(API_PREFIX):
            body = json.dumps({"code": "too_large", "detail": "The request body is too large.", "fields": {}}).encode()
            content_type = b"application/json"
        else:
            body, content_type = b"The request body is too large.", b"text/plain; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(scope, send)
        received = 0
        refused = False

        async def counting_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}  # Django drops the request (RequestAborted)
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        return await self.app(scope, counting_receive, guarded_send)
