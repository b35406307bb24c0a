"""Export jobs: the PDF and the confirmation package are rendered once per itinerary
version (and re-rendered only when its bookings or expert changed), by a django-q2 task."""
from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.coordination.access import can_export
from apps.core.commit import enqueue
from apps.core.errors import DomainError, NotFound

from apps.itineraries.models import ExportJob, ExportKind, ExportStatus, Itinerary
from .document import content_fingerprint

log = logging.getLogger(__name__)
TASK = "apps.exports.tasks.export_render"
# A queued or running job older than this is presumed lost (worker killed) and re-queued.
STALE_AFTER = dt.timedelta(minutes=10)


def _in_flight(job: ExportJob, fingerprint: str) -> bool:
    fresh = job.fingerprint == fingerprint
    if job.status == ExportStatus.DONE:
        return fresh and bool(job.file)
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return fresh and timezone.now() - job.updated_at < STALE_AFTER
    return False


def export_request(*, itinerary: Itinerary, kind: str, actor) -> ExportJob:
    """The job that renders ``kind`` of ``itinerary``: the existing one when its file is
    current or its render is under way, else (new, failed, stale or outdated) queued again.

    Preconditions: ``actor`` sees the whole request (traveler, its expert, staff), else
    NotFound. Side effect: the render task is enqueued after commit. Errors: DomainError
    ``export.unknown_kind``.
    """
    if kind not in ExportKind.values:
        raise DomainError(_("Unknown export “%(kind)s”.") % {"kind": kind}, code="export.unknown_kind")
    if not can_export(actor, itinerary.request.coordination):
        raise NotFound(_("Itinerary not found."), code="itinerary.not_found")
    fingerprint = content_fingerprint(itinerary)
    with transaction.atomic():
        job, created = ExportJob.objects.get_or_create(
            itinerary=itinerary, kind=kind, defaults={"fingerprint": fingerprint, "requested_by": actor})
        if not created:
            job = ExportJob.objects.select_for_update().get(pk=job.pk)
            if _in_flight(job, fingerprint):
                return job
            job.status, job.progress, job.fingerprint, job.error = ExportStatus.QUEUED, 0, fingerprint, ""
            job.requested_by = actor
            job.save(update_fields=["status", "progress", "fingerprint", "error", "requested_by", "updated_at"])
        enqueue(TASK, job.pk)
    return job


def job_claim(job_id: int) -> ExportJob | None:
    """Move a queued job to running (a conditional UPDATE: one worker wins); None if
    another worker has it or it is no longer queued."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=5, updated_at=timezone.now())
    if not claimed:
        return None
    return ExportJob.objects.select_related("itinerary__request").get(pk=job_id)


def job_progress(job: ExportJob, percent: int) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        progress=max(0, min(percent, 99)), updated_at=timezone.now())


def job_finish(job: ExportJob, *, data: bytes, filename: str) -> bool:
    """Store the file and mark the job done, unless it was re-queued meanwhile (then the
    newer render wins and this file is discarded). Returns whether it was stored."""
    previous = ExportJob.objects.values_list("file", flat=True).get(pk=job.pk)
    job.file.save(filename, ContentFile(data), save=False)
    stored = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, fingerprint=job.fingerprint).update(
        status=ExportStatus.DONE, progress=100, file=job.file.name, finished_at=timezone.now(),
        updated_at=timezone.now())
    if not stored:
        job.file.storage.delete(job.file.name)
    elif previous and previous != job.file.name:
        job.file.storage.delete(previous)
    return bool(stored)


def job_fail(job: ExportJob, error: Exception) -> None:
    log.exception("export job %s failed", job.pk, exc_info=error)
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=str(error)[:500], updated_at=timezone.now())


def job_as_dict(job: ExportJob) -> dict:
    """The JSON a client polls: status, progress and whether the file can be fetched."""
    return {"id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress,
            "ready": job.status == ExportStatus.DONE and bool(job.file), "error": job.error,
            "itinerary_version": job.itinerary.version}
