"""Request ids and request logs.

Every HTTP request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one, else
a fresh one), answered in the ``X-Request-ID`` response header, 500s included. The id lives
in a context variable for the request's duration, so log records, the events the request
causes (the engine copies it onto ``Event.request_id``) and the tasks it queues (carried in
the django-q2 task and restored in the worker) all carry it.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

log = logging.getLogger("traveloure.request")


def current_request_id() -> str:
    """The id of the request (or of the task's originating request) being served; "" if none."""
    return _request_id.get() or ""


def _user_id(request) -> int | None:
    """The authenticated user's id if authentication already ran; never queries for it."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """Outermost middleware: assigns the request id and logs one line per request with the
    method, path, status, duration and user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            log.info("%s %s %s %sms user=%s", request.method, request.path, response.status_code, duration_ms,
                     _user_id(request) or "-",
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "duration_ms": duration_ms, "user_id": _user_id(request)})
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (for the formats below)."""

    def filter(self, record):
        record.request_id = current_request_id() or "-"
        return True


_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra``."""

    def format(self, record):
        out = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
               "message": record.getMessage()}
        out.update({key: value for key, value in vars(record).items() if key not in _RECORD_ATTRS})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def task_carry_request_id(sender, task, **kwargs):
    """django-q2 ``pre_enqueue``: the task remembers the request that queued it."""
    if current_request_id():
        task["request_id"] = current_request_id()


def task_restore_request_id(sender, func, task, **kwargs):
    """django-q2 ``pre_execute`` (in the worker): the task runs under its request's id."""
    _request_id.set(task.get("request_id"))
