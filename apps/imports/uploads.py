"""The uploaded file of a request (REST or portal), size-checked before it is read: the
declared length first, so that an oversized body is refused before it is parsed."""
from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.ids import parse_int

from .services import TooLarge, max_bytes

MULTIPART_ENVELOPE = 64 * 1024  # boundaries and part headers around the file


def uploaded_confirmation(request, field: str = "file") -> tuple[str, bytes]:
    """(file name, bytes) of the multipart field ``field``. Errors: ``import.too_large``
    (413), ``import.no_file`` (400)."""
    if (parse_int(request.META.get("CONTENT_LENGTH") or "") or 0) > max_bytes() + MULTIPART_ENVELOPE:
        raise TooLarge
    upload = request.FILES.get(field)
    if upload is None:
        raise DomainError(_("Attach the confirmation file (an e-mail, a calendar file or a PDF)."),
                          code="import.no_file", fields={field: _("Required.")})
    if upload.size > max_bytes():
        raise TooLarge
    return upload.name or "", upload.read(max_bytes() + 1)
