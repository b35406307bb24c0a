"""The confirmation package: a ZIP with the PDF, the calendar and one voucher per confirmed booking."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from apps.coordination.phases import BookingStatus

from .document import Document
from .ics import render_ics
from .pdf import render_itinerary_pdf, render_voucher_pdf


def render_package(doc: Document, *, progress: Callable[[int], None] = lambda pct: None) -> bytes:
    """ZIP bytes: ``<name>.pdf``, ``<name>.ics`` and ``vouchers/<reference>.pdf``.

    ``progress`` is called with a percentage as the parts are rendered.
    """
    name = doc.file_stem
    vouchers = [item for item in doc.items
                if item.booking is not None and item.booking.status == BookingStatus.CONFIRMED]
    steps = 2 + len(vouchers)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.pdf", render_itinerary_pdf(doc))
        progress(100 // steps)
        archive.writestr(f"{name}.ics", render_ics(doc))
        progress(200 // steps)
        for done, item in enumerate(vouchers, start=3):
            archive.writestr(f"vouchers/{item.booking.reference or item.booking.id}.pdf", render_voucher_pdf(doc, item))
            progress(100 * done // steps)
    return buffer.getvalue()
