"""PDF confirmations (``pypdf``): their text, read for labelled fields. Encrypted files
are refused: we cannot read them without the password, and do not ask for it."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .found import Reading, Unreadable
from .places import Context
from .text import read_text

MAX_PAGES = 30


def read_pdf(data: bytes, ctx: Context, reading: Reading) -> None:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable(_("This PDF is encrypted (password-protected); save it without a password and "
                               "upload it again."), code="import.encrypted")
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PAGES])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, NotImplementedError):
        raise Unreadable(_("This PDF cannot be read."), code="import.malformed") from None
    read_text(text, ctx, reading)
