"""The REST itinerary (``GET requests/<id>/itinerary/``), the API's most read answer.

Its JSON is cached per state version already rendered: a version's days and items never
change, and every change of its bookings or of the bookings made elsewhere is an engine
command, which bumps the version (rendering was a fifth of the answer's time). Who may read
it is remembered per caller and request clock (:mod:`apps.coordination.clock`): who sees a
request changes only through engine commands (an expert chosen, declined) and the
caller's role, so a caller reading again costs no query.
"""
from __future__ import annotations

import json

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.coordination.access import requests_fully_visible_to
from apps.coordination.clock import request_clock
from apps.coordination.presenters import itinerary_json

CACHE_SECONDS = 3600


def visible_itinerary(user, request_id: int) -> tuple[int, int, int | None] | None:
    """(state id, version, current itinerary id) of the request if ``user`` sees it whole
    (:func:`requests_fully_visible_to`), else None."""
    key = f"itinerary-scope:{user.pk}:{user.role}:{user.is_staff}:{request_id}:{request_clock(request_id)}"
    found = cache.get(key)
    if found is None:
        found = (requests_fully_visible_to(user).filter(pk=request_id)
                 .values_list("coordination__id", "coordination__version", "coordination__current_itinerary")
                 .first())
        if found is not None:
            cache.set(key, found, CACHE_SECONDS)
    return found


def itinerary_answer(request, *, state_id: int, version: int, itinerary_id: int, status: int = 200):
    """The current version (:func:`itinerary_json`) as the JSON renderer writes it; decoded
    again only for another renderer (the browsable API). The caller checked who may see it."""
    body = cache.get_or_set(f"itinerary-json:{itinerary_id}:{version}",
                            lambda: JSONRenderer().render(itinerary_json(itinerary_id, state_id)), CACHE_SECONDS)
    if request.accepted_renderer.format == "json":
        return HttpResponse(body, status=status, content_type=request.accepted_renderer.media_type)
    return Response(json.loads(body), status=status)
