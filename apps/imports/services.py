"""Confirmation imports: read an uploaded confirmation into a preview
(:func:`import_preview`), then add what it found to the trip as bookings made elsewhere
(:func:`import_confirm`, through the engine's ``external.added`` command)."""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.coordination.access import can_import_bookings, require
from apps.coordination.models import ExternalBooking
from apps.coordination.services.external import external_bookings_add
from apps.core.errors import Conflict, DomainError, NotFound
from apps.requests.models import ExperienceRequest

from .models import ConfirmationImport
from .readers import Context, read


def max_bytes() -> int:
    """The largest confirmation accepted (``IMPORT_MAX_BYTES``, 5 MiB)."""
    return getattr(settings, "IMPORT_MAX_BYTES", 5 * 1024 * 1024)


class TooLarge(DomainError):
    status = 413

    def __init__(self):
        super().__init__(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)},
                         code="import.too_large")


def require_importer(*, request: ExperienceRequest, actor) -> None:
    """Refuse anyone but the request's traveler and expert: 403 for those who see the
    request (staff), 404 for anyone else. Checked before an upload is read."""
    state = request.coordination
    require(can_import_bookings(actor, state), actor, state,
            _("Only the traveler and the expert add bookings made elsewhere."))


def import_preview(*, request: ExperienceRequest, actor, file_name: str, data: bytes) -> ConfirmationImport:
    """Read ``data`` (an e-mail, a calendar file, a PDF, HTML or text) and keep what it
    found as a preview for ``actor`` (the request's traveler or expert).

    Errors: 404/403 per :func:`require_importer`; ``import.too_large`` (413); Unreadable (400)
    ``import.not_a_confirmation``, ``import.encrypted``, ``import.malformed``,
    ``import.active_content``. Nothing is written on an error.
    """
    require_importer(request=request, actor=actor)
    if len(data) > max_bytes():
        raise TooLarge
    reading = read(file_name, data, Context(trip_zone=request.time_zone))
    return ConfirmationImport.objects.create(
        request=request, uploaded_by=actor, file_name=file_name[:255], source=reading.source,
        items=[found.as_json() for found in reading.items], unreadable=reading.unreadable)


def import_confirm(*, request: ExperienceRequest, actor, import_id: int) -> list[ExternalBooking]:
    """Add an import's bookings to the trip (the engine's ``external.added``) and mark it
    confirmed, in one transaction. Only its uploader's side may: the request's traveler
    or expert.

    Errors: 404 (not an import of this request, or out of scope), 403; Conflict
    ``import.already_confirmed``; those of :func:`external_bookings_add`.
    """
    require_importer(request=request, actor=actor)
    state = request.coordination
    with transaction.atomic():
        imported = ConfirmationImport.objects.select_for_update().filter(pk=import_id, request=request).first()
        if imported is None:
            raise NotFound(_("Not found."), code="not_found")
        if imported.status == ConfirmationImport.Status.CONFIRMED:
            raise Conflict(_("These bookings were already added to the trip."), code="import.already_confirmed")
        added = external_bookings_add(state_id=state.pk, actor=actor, items=imported.items,
                                      source_import_id=imported.pk)
        imported.status = ConfirmationImport.Status.CONFIRMED
        imported.confirmed_at = timezone.now()
        imported.save(update_fields=["status", "confirmed_at"])
    return added
