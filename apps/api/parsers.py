"""JSON bodies, read defensively: at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (else 413),
and the nesting depth is checked before ``json.loads``, whose C scanner recurses (50,000
brackets were a RecursionError, a 500)."""
from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils.json import strict_constant

MAX_JSON_DEPTH = 64
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects nest deeper than ``limit`` (brackets inside strings don't count)."""
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            return True
    return False


def parse_json(raw: bytes | str):
    """The JSON value of ``raw``; ParseError (400) if it is not JSON or nests too deep."""
    try:
        text = raw.decode(settings.DEFAULT_CHARSET) if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise ParseError(_("The body is not UTF-8.")) from None
    if json_depth_exceeds(text):
        raise ParseError(_("The JSON nests deeper than %(n)s levels.") % {"n": MAX_JSON_DEPTH})
    try:
        return json.loads(text, parse_constant=strict_constant)  # NaN and Infinity are not JSON
    except ValueError:
        raise ParseError(_("The body is not valid JSON.")) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through :func:`parse_json`."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge
        return parse_json(raw)
