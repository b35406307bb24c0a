"""Login lockout (django-axes, configured by the ``AXES_*`` settings): who the client is,
and what a locked-out login answers. Axes over DRF throttles because it counts failures
only (a user who logs in is never slowed), per username and per address, covers the portal
form and the token endpoint alike (both call ``authenticate``), keeps the attempts in the
database where staff can see and clear them (admin: Axes → Access attempts), and never
tells whether the username exists."""
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle


def client_ip(request) -> str:
    """The client's address by the API throttles' rule (``TRUSTED_PROXIES``), so a lockout
    and a rate limit count the same client."""
    return BaseThrottle().get_ident(request)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' gate. ``authenticate`` without a request (a shell, the test client's
    ``login``) is no web login: nothing to count, nothing to lock."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 with ``Retry-After``: JSON in the API's error shape under /api/, else the login
    page with the reason as a message (an unbound form: validating it would count one more
    failure)."""
    retry_after = str(math.ceil(get_cool_off(request).total_seconds()))
    detail = _("Too many failed logins. Try again in %(minutes)s minutes.") % {
        "minutes": math.ceil(int(retry_after) / 60)}
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "login.locked", "detail": detail, "fields": {}}, status=429)
    else:
        messages.error(request, detail)
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        response = render(request, "accounts/login.html", {"form": form, "next": request.POST.get("next", "")},
                          status=429)
    response["Retry-After"] = retry_after
    return response
