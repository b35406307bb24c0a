"""E-mails (``.eml``, stdlib ``email``): refused when the MIME structure is broken, else
each part read by its type: HTML (schema.org markup), plain text, calendar and PDF
attachments."""
from __future__ import annotations

import email
from email import policy

from django.utils.translation import gettext as _

from .found import Reading, Unreadable
from .html import read_html
from .ics import read_ics
from .pdf import read_pdf
from .places import Context
from .text import read_text

MAX_PARTS = 50


def read_eml(data: bytes, ctx: Context, reading: Reading) -> None:
    message = email.message_from_bytes(data, policy=policy.default)
    parts = list(message.walk())
    if not message.keys() or any(part.defects for part in parts) or len(parts) > MAX_PARTS:
        raise Unreadable(_("This e-mail is malformed (its MIME structure is broken)."), code="import.malformed")
    found_before = len(reading.items)
    plain = []
    for part in parts:
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        try:
            payload = part.get_content()
        except (LookupError, ValueError, AssertionError):
            raise Unreadable(_("A part of this e-mail cannot be decoded."), code="import.malformed") from None
        if content_type == "text/html":
            read_html(payload, ctx, reading)
        elif content_type == "text/calendar" or (part.get_filename() or "").lower().endswith(".ics"):
            read_ics(payload.encode() if isinstance(payload, str) else payload, ctx, reading)
        elif content_type == "application/pdf":
            read_pdf(payload, ctx, reading)
        elif content_type == "text/plain":
            plain.append(payload)
    if len(reading.items) == found_before:  # the plain-text twin of an HTML body repeats it
        for text in plain:
            read_text(text, ctx, reading)
