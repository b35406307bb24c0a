"""The REST itinerary (``GET requests/<id>/itinerary/``), the API's most read answer,
cached per state version already rendered: a version's days and items never change, and
every change of its bookings or of the bookings made elsewhere is an engine command,
which bumps the state's version. Rendering the JSON was a fifth of the answer's time."""
from __future__ import annotations

import json

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.coordination.presenters import itinerary_json_for_state

CACHE_SECONDS = 3600
# What the answer reads of the state (the request scope joins nothing else).
STATE_FIELDS = ("id", "coordination__id", "coordination__version", "coordination__current_itinerary")


def itinerary_answer(request, state, status: int = 200):
    """The current version of ``state`` (:func:`itinerary_json_for_state`), as the JSON
    renderer writes it; decoded again only for another renderer (the browsable API). The
    caller checked that there is a current itinerary and who may see it."""
    body = cache.get_or_set(f"itinerary-json:{state.current_itinerary_id}:{state.version}",
                            lambda: JSONRenderer().render(itinerary_json_for_state(state)), CACHE_SECONDS)
    if request.accepted_renderer.format == "json":
        return HttpResponse(body, status=status, content_type=request.accepted_renderer.media_type)
    return Response(json.loads(body), status=status)
