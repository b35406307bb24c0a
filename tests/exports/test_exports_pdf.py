"""The PDF book and its export job: content, look, one render per version, progress."""
import subprocess

import pytest
from django_q.conf import Conf

from apps.accounts.models import Role
from apps.coordination.models import Booking
from apps.coordination.phases import BookingStatus
from apps.core.errors import DomainError, NotFound
from apps.exports.tasks import export_render
from apps.exports.document import build_document
from apps.exports.jobs import TASK, export_request
from apps.exports.pdf import render_itinerary_pdf
from apps.itineraries.models import ExportJob, ExportStatus
from tests.factories import make_user
from tests.itineraries.factories import make_itinerary, media_root  # noqa: F401

pytestmark = pytest.mark.django_db


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _non_white_pixels(png_stem, pdf_path) -> tuple[int, int]:
    """Render page 1 as a binary PPM and count pixels that are not white."""
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", str(pdf_path), str(png_stem)], check=True)
    ppm = next(png_stem.parent.glob(png_stem.name + "*.ppm")).read_bytes()
    parts = ppm.split(maxsplit=4)  # P6 width height maxval data
    width, height, data = int(parts[1]), int(parts[2]), parts[4]
    pixels = [data[i:i + 3] for i in range(0, width * height * 3, 3)]
    return sum(1 for px in pixels if px != b"\xff\xff\xff"), width * height


def test_pdf_of_a_seven_day_itinerary(tmp_path):
    itinerary = make_itinerary()
    doc = build_document(itinerary)
    path = tmp_path / "plan.pdf"
    path.write_bytes(render_itinerary_pdf(doc))

    # cover + one page per day (7) + budget + support, at least
    assert _page_count(path) >= 1 + 7 + 2
    text = _pdf_text(path)
    items = doc.items
    assert len(items) == 7 * 4 + 3
    for item in items:
        assert item.title in text
    references = list(Booking.objects.filter(state__request=itinerary.request).values_list("reference", flat=True))
    assert len(references) == 4
    for reference in references:
        assert reference in text
    assert f"{doc.budget.total.amount:,}" in text and "Total" in text
    assert "08:30" in text  # local Tokyo time of the first stop, not UTC (23:30)
    assert "110" in text and "Free cancellation up to 72 h" in text  # emergency + policy
    assert doc.expert.email in text and "Page 2 of" in text

    colored, total = _non_white_pixels(tmp_path / "page", path)
    assert colored > total * 0.3  # the cover is a full-bleed brand page


def test_export_job_is_queued_after_commit_and_rendered_once(traveler, media_root, django_capture_on_commit_callbacks):
    itinerary = make_itinerary(traveler=traveler)
    with django_capture_on_commit_callbacks() as callbacks:
        job = export_request(itinerary=itinerary, kind="pdf", actor=traveler)
    assert (job.status, job.progress) == (ExportStatus.QUEUED, 0)
    assert len(callbacks) == 1  # the enqueue waits for the commit

    assert export_render(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.DONE, 100)
    assert job.file.read(5) == b"%PDF-"
    assert export_render(job.pk) == "skipped"  # a retried task does nothing

    with django_capture_on_commit_callbacks() as callbacks:
        again = export_request(itinerary=itinerary, kind="pdf", actor=traveler)
    assert again.pk == job.pk and again.status == ExportStatus.DONE and callbacks == []
    assert ExportJob.objects.count() == 1


def test_changed_booking_re_renders_the_same_job(traveler, media_root, django_capture_on_commit_callbacks):
    itinerary = make_itinerary(traveler=traveler)
    job = export_request(itinerary=itinerary, kind="pdf", actor=traveler)
    export_render(job.pk)
    first_file = ExportJob.objects.get(pk=job.pk).file.name
    Booking.objects.filter(state__request=itinerary.request).update(status=BookingStatus.CANCELLED)

    with django_capture_on_commit_callbacks() as callbacks:
        job = export_request(itinerary=itinerary, kind="pdf", actor=traveler)
    assert job.status == ExportStatus.QUEUED and len(callbacks) == 1
    export_render(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.file.name != first_file
    assert not job.file.storage.exists(first_file)  # the outdated file is removed


def test_package_runs_through_django_q_and_reports_progress(traveler, media_root, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    import io
    import zipfile

    monkeypatch.setattr(Conf, "SYNC", True)
    seen = []
    from apps.exports import jobs

    real_progress = jobs.job_progress
    monkeypatch.setattr("apps.exports.tasks.job_progress",
                        lambda job, pct: (seen.append(pct), real_progress(job, pct)))
    itinerary = make_itinerary(traveler=traveler)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(itinerary=itinerary, kind="zip", actor=traveler)
    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.DONE, 100), job.error
    assert seen == sorted(seen) and seen[0] == 20 and len(seen) >= 4
    from django_q.models import Success

    assert Success.objects.filter(func=TASK, result="done").exists()
    names = zipfile.ZipFile(io.BytesIO(job.file.read())).namelist()
    refs = Booking.objects.filter(state__request=itinerary.request).values_list("reference", flat=True)
    assert sorted(names) == sorted(["tokyo-v1.pdf", "tokyo-v1.ics", *(f"vouchers/{r}.pdf" for r in refs)])


def test_export_refused_to_others_and_for_unknown_kind(traveler):
    itinerary = make_itinerary(traveler=traveler)
    for outsider in (make_user(Role.TRAVELER), make_user(Role.VENDOR)):
        with pytest.raises(NotFound):
            export_request(itinerary=itinerary, kind="pdf", actor=outsider)
    with pytest.raises(DomainError) as exc:
        export_request(itinerary=itinerary, kind="docx", actor=traveler)
    assert exc.value.code == "export.unknown_kind"
    assert not ExportJob.objects.exists()
