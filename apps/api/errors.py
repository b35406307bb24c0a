"""Every API error is JSON ``{"code", "detail", "fields"}``: 400/401/403/404/409 from the
views, and 404/405/413/415/429/500 from anywhere under ``/api/`` (never an HTML page)."""
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import DomainError
from apps.core.requestlog import current_request_id

from .parsers import PayloadTooLarge

API_PREFIX = "/api/"


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
    elif isinstance(exc, RequestDataTooBig):  # Django's cap, met when a view reads request.body
        exc = PayloadTooLarge()
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


def error_json(code: str, detail: str, status_code: int, **extra) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "fields": {}, **extra}, status=status_code)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


# Django's error views (handler400/404/500 in the root URLconf): JSON under /api/, the
# usual pages elsewhere. They answer what happens outside a DRF view: an unknown URL, a
# body too large for Django, an unhandled exception.

def bad_request(request, exception):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_json("too_large", _("The request body is too large."), 413)
    return error_json("bad_request", _("The request is malformed."), 400)


def page_not_found(request, exception):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return error_json("not_found", _("Not found."), 404)


def server_error(request):
    """Django has logged the traceback (logger ``django.request``, with the request id)."""
    if not _is_api(request):
        return defaults.server_error(request)
    request_id = current_request_id()
    return error_json("server_error", _("Something went wrong on our side (request %(id)s).") % {"id": request_id},
                      500, request_id=request_id)
