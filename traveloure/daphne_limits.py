"""Request bodies under daphne: refused early when too large, never parsed by Twisted.

Daphne's request (Twisted's ``http.Request``) receives a whole body — spooled to a
temporary file — before the ASGI application is called, and parses multipart bodies
itself (into ``request.args``, which daphne never reads): a 50 MB upload would be received
in full before :class:`apps.core.bodylimit.BodyLimit` could refuse it, and a malformed
multipart body got Twisted's bare ``400`` without a body instead of the API's JSON error.
:func:`install` patches daphne's request class so that a body declared or counted past
``max_bytes`` is answered 413 at once and the connection closed, and multipart parsing is
left to Django. Other servers (uvicorn) stream the body to the application, where
``BodyLimit`` refuses it.
"""
from __future__ import annotations

import json

API_PREFIX = b"/api/"


class _Discard:
    """The body of a refused request: whatever still arrives is dropped."""

    def write(self, data):
        pass

    def seek(self, *args):
        return 0

    def tell(self):
        return 0

    def read(self, *args):
        return b""

    def close(self):
        pass


def _too_large_response(path: bytes) -> bytes:
    if path.startswith(API_PREFIX):
        body = json.dumps({"code": "too_large", "detail": "The request body is too large.", "fields": {}}).encode()
        content_type = b"application/json"
    else:
        body, content_type = b"The request body is too large.", b"text/plain; charset=utf-8"
    return (b"HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: " + content_type
            + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def install(max_bytes: int) -> None:
    """Patch daphne's request class (once per process)."""
    from daphne.http_protocol import WebRequest

    if getattr(WebRequest, "_body_limit_installed", False):
        return
    got_length, content_chunk, request_received = (WebRequest.gotLength, WebRequest.handleContentChunk,
                                                    WebRequest.requestReceived)

    def refuse(self) -> None:
        self._body_refused = True
        self.content = _Discard()
        self.channel.transport.write(_too_large_response(getattr(self.channel, "_path", b"") or b""))
        self.channel.loseConnection()

    def gotLength(self, length):
        self._parsePOSTFormSubmission = False  # Django parses the body; Twisted's parse is wasted or a bare 400
        self._body_received, self._body_refused = 0, False
        if length is not None and length > max_bytes:
            return refuse(self)
        return got_length(self, length)

    def handleContentChunk(self, data):
        if getattr(self, "_body_refused", False):
            return None
        self._body_received = getattr(self, "_body_received", 0) + len(data)
        if self._body_received > max_bytes:
            return refuse(self)
        return content_chunk(self, data)

    def requestReceived(self, command, path, version):
        if getattr(self, "_body_refused", False):
            return None
        return request_received(self, command, path, version)

    WebRequest.gotLength, WebRequest.handleContentChunk, WebRequest.requestReceived = (
        gotLength, handleContentChunk, requestReceived)
    WebRequest._body_limit_installed = True
