"""Readers of booking confirmations: :func:`read` tells the format from the content (not
the name) and returns what it found."""
from __future__ import annotations

import logging
import re

from django.utils.translation import gettext as _

from .found import Found, Reading, Unreadable
from .html import read_html
from .ics import read_ics
from .mime import read_eml
from .pdf import read_pdf
from .places import Context
from .text import read_text

__all__ = ["Context", "Found", "Reading", "Unreadable", "read"]
logger = logging.getLogger(__name__)
_MAIL_HEADER = re.compile(rb"^(?:from|to|subject|date|received|return-path|delivered-to|mime-version|message-id"
                          rb"|x-[a-z0-9-]+):[ \t]", re.I)
_HTML = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<div|<table|<p\b|<script)", re.I)


def _source(name: str, data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if _HTML.match(head):
        return "html"
    if name.lower().endswith(".eml") or _MAIL_HEADER.match(head):
        return "eml"
    return "text"


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(_("This file is neither an e-mail, a calendar, a PDF nor text."),
                         code="import.not_a_confirmation") from None


def read(name: str, data: bytes, ctx: Context) -> Reading:
    """What the file holds; :class:`Unreadable` when it is refused or holds no booking.

    The parsers are third-party code fed with files from anyone: an error of theirs that
    the readers do not expect is logged and answered as a malformed file, never a 500.
    """
    try:
        return _read(name, data, ctx)
    except Unreadable:
        raise
    except (ValueError, LookupError, TypeError, AttributeError, AssertionError, RecursionError, NotImplementedError):
        logger.warning("import: a parser failed on %r", name, exc_info=True)
        raise Unreadable(_("This file cannot be read."), code="import.malformed") from None


def _read(name: str, data: bytes, ctx: Context) -> Reading:
    reading = Reading(source=_source(name, data))
    if reading.source == "pdf":
        read_pdf(data, ctx, reading)
    elif reading.source == "ics":
        read_ics(data, ctx, reading)
    elif reading.source == "html":
        read_html(_decoded(data), ctx, reading)
    elif reading.source == "eml":
        read_eml(data, ctx, reading)
    else:
        read_text(_decoded(data), ctx, reading)
    if not reading.items:
        raise Unreadable(_("We found no booking in this file: it does not look like a confirmation of a flight, "
                           "stay, train, table, event or car rental."), code="import.not_a_confirmation")
    return reading
