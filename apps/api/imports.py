"""Confirmation imports: ``POST requests/<id>/imports/`` (multipart ``file``: an e-mail,
calendar file or PDF, at most ``IMPORT_MAX_BYTES``) answers the preview of what was found;
``POST requests/<id>/imports/<import_id>/confirm/`` adds it to the trip as bookings made
elsewhere. Out of scope (vendors, strangers) is 404; staff see the request but do not
upload (403)."""
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.coordination.access import requests_fully_visible_to
from apps.coordination.presenters import external_booking_json
from apps.imports.presenters import import_json
from apps.imports.services import import_confirm, import_preview, require_importer
from apps.imports.uploads import uploaded_confirmation


class ImportUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="The confirmation: .eml, .ics, .pdf (or its HTML/text), at most 5 MB")


def _request(user, request_id: int):
    found = requests_fully_visible_to(user).select_related("coordination").filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


class RequestImportsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ImportUploadInput},
                   responses={201: OpenApiResponse(description="The preview: items found and what was unreadable")})
    def post(self, request, request_id: int):
        experience = _request(request.user, request_id)
        require_importer(request=experience, actor=request.user)
        name, data = uploaded_confirmation(request)
        imported = import_preview(request=experience, actor=request.user, file_name=name, data=data)
        return Response(import_json(imported), status=status.HTTP_201_CREATED)


class ImportConfirmView(APIView):
    @extend_schema(request=None,
                   responses={201: OpenApiResponse(description="The bookings made elsewhere, added to the trip")})
    def post(self, request, request_id: int, import_id: int):
        experience = _request(request.user, request_id)
        added = import_confirm(request=experience, actor=request.user, import_id=import_id)
        return Response({"import": import_id, "external_bookings": [external_booking_json(b) for b in added]},
                        status=status.HTTP_201_CREATED)
