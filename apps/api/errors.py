"""Every API error is JSON ``{"code", "detail", "fields"}`` with 400/401/403/404/409."""
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import DomainError


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                out.update({f"{key}.{k}": v for k, v in _flatten(value).items()})
            elif isinstance(value, list):
                out[key] = " ".join(str(v) for v in value if not isinstance(v, dict)) or str(value)
            else:
                out[key] = str(value)
        return out
    return {}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.message, "fields": exc.fields}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail) if isinstance(exc.detail, dict) else {}
        detail = fields.pop("non_field_errors", None) or "The request has invalid fields."
        response.data = {"code": "invalid", "detail": detail, "fields": fields}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        response.data = {"code": exc.default_code if isinstance(exc.default_code, str) else "error",
                         "detail": str(exc.detail), "fields": {}}
    return response
