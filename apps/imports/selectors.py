"""Reads for the "booked elsewhere" panel: the trip's external bookings and a pending
preview, each item with its times written out in its own zone."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import formats

from apps.coordination.access import can_import_bookings
from apps.coordination.models import ExternalBooking
from apps.coordination.presenters import external_bookings_json

from .models import ConfirmationImport

KIND_LABELS = dict(ExternalBooking.Kind.choices)


def _local(iso: str | None, zone: str) -> str:
    if not iso:
        return ""
    at = dt.datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    return f"{formats.date_format(at, 'D j M Y, H:i')} ({zone})"


def displayed(item: dict) -> dict:
    """A preview item or an external booking's JSON, with ``kind_label``, ``starts`` and
    ``ends`` written in the zones of where it starts and ends."""
    return {**item, "kind_label": KIND_LABELS.get(item["kind"], item["kind"]),
            "starts": _local(item["start"], item.get("start_zone") or item["time_zone"]),
            "ends": _local(item.get("end"), item["time_zone"])}


def elsewhere_panel(user, state, *, preview_id: int | None = None) -> dict:
    """The panel's context: the trip's external bookings, whether ``user`` may import, and
    the pending import ``preview_id`` if it is one of this request's."""
    preview = None
    if preview_id is not None:
        preview = ConfirmationImport.objects.filter(pk=preview_id, request_id=state.request_id,
                                                    status=ConfirmationImport.Status.PREVIEW).first()
    return {"external_bookings": [displayed(item) for item in external_bookings_json(state)],
            "can_import": can_import_bookings(user, state),
            "import_preview": preview, "preview_items": [displayed(i) for i in preview.items] if preview else []}
