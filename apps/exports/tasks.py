"""django-q2 tasks of the outputs. They take ids, re-fetch, call the export services and
are idempotent: a job that is not queued any more is left alone."""
from __future__ import annotations

from apps.exports.document import build_document
from apps.exports.jobs import job_claim, job_fail, job_finish, job_progress
from apps.exports.package import render_package
from apps.exports.pdf import render_itinerary_pdf
from apps.itineraries.models import ExportKind


def export_render(job_id: int) -> str:
    """Render the job's PDF or ZIP and store it; returns the job's final status word.

    Progress: 5 % claimed, 20 % data loaded, then rendering, 100 % stored. A failure marks
    the job failed with the error (the user may ask again); it is not retried blindly.
    """
    job = job_claim(job_id)
    if job is None:
        return "skipped"
    try:
        doc = build_document(job.itinerary)
        job_progress(job, 20)
        if job.kind == ExportKind.PDF:
            data = render_itinerary_pdf(doc)
        else:
            data = render_package(doc, progress=lambda pct: job_progress(job, 20 + pct * 75 // 100))
        stored = job_finish(job, data=data, filename=f"{doc.file_stem}.{job.kind}")
    except Exception as exc:  # recorded on the job for the user; the worker carries on
        job_fail(job, exc)
        return "failed"
    return "done" if stored else "superseded"
