"""``GET requests/<id>/itinerary.ics`` and ``GET requests/<id>/itinerary.pdf``.

``.ics`` renders at once. ``.pdf`` answers 200 with the file when the current version is
rendered; otherwise it queues the render (django-q2) and answers ``202`` with the job
``{"id", "kind", "status", "progress", "ready", "error", "itinerary_version"}`` — poll the
same URL until it returns the PDF. Out-of-scope requests (other travelers, vendors) are 404.
"""
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.coordination.access import requests_fully_visible_to
from apps.exports.document import build_document, file_stem, itinerary_for_request
from apps.exports.ics import ics_response
from apps.exports.jobs import export_request, job_as_dict
from apps.itineraries.models import ExportKind, ExportStatus

NOT_FOUND = OpenApiResponse(description="Unknown, out of scope, or no itinerary yet")


class _ItineraryExportView(APIView):
    def current_itinerary(self, request, pk: int):
        experience = requests_fully_visible_to(request.user).filter(pk=pk).first()
        if experience is None:
            raise Http404
        return itinerary_for_request(experience)


class ItineraryIcsView(_ItineraryExportView):
    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY, 404: NOT_FOUND})
    def get(self, request, pk: int):
        return ics_response(build_document(self.current_itinerary(request, pk)))


class ItineraryPdfView(_ItineraryExportView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              202: OpenApiResponse(description="Render queued or running: job status"),
                              404: NOT_FOUND})
    def get(self, request, pk: int):
        itinerary = self.current_itinerary(request, pk)
        job = export_request(itinerary=itinerary, kind=ExportKind.PDF, actor=request.user)
        if job.status == ExportStatus.DONE and job.file:
            return FileResponse(job.file.open("rb"), content_type="application/pdf",
                                filename=f"{file_stem(itinerary.request.destination, itinerary.version)}.pdf")
        return Response(job_as_dict(job), status=status.HTTP_202_ACCEPTED)
