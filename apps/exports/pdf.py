"""PDF rendering with WeasyPrint: the itinerary book and one voucher per booking."""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from apps.coordination.phases import BookingStatus
from apps.core.forked import call_in_child

from .document import Document, ItemView
from .support import platform_support_email


def _write_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _pdf(template: str, context: dict) -> bytes:
    """The template rendered here (it may read the database), the PDF laid out in a
    forked child: the worker does not keep the tens of MB WeasyPrint needed."""
    return call_in_child(_write_pdf, render_to_string(template, context))


def render_itinerary_pdf(doc: Document) -> bytes:
    """The full plan: cover, one section per day with its map, budget, support."""
    confirmed = sum(1 for b in doc.bookings if b.status == BookingStatus.CONFIRMED)
    return _pdf("pdf/itinerary.html", {"doc": doc, "confirmed_count": confirmed,
                                       "support_email": platform_support_email(), "shared": False})


def render_voucher_pdf(doc: Document, item: ItemView) -> bytes:
    """A one-page voucher for the booking of ``item`` (precondition: it has one)."""
    return _pdf("pdf/voucher.html", {"doc": doc, "item": item, "booking": item.booking})
