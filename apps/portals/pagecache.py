"""Whole portal pages served from the cache while nothing they show has changed.

The hot pages (a request's overview and itinerary, the workspace, the inboxes) are read
far more often than they change: live.js re-fetches them after every event, people keep
them open. A page's HTML is cached per visitor and URL under a key that names all it
shows:

* the visitor (id, name, role, currency, zone), the language and the time zone;
* for a request's page, the request's clock (:mod:`apps.coordination.clock`): every
  change of a request, its plan or its bookings is an engine command, which ticks it, so
  whatever another party does shows at once;
* the visitor's own clock (:func:`apps.coordination.clock.user_clock`), ticked by every
  command whose event reaches their own feed (what their home, inbox or dashboard lists:
  :class:`CachedOwnPageMixin`) and by every form they post
  (:class:`PostTicksUserClockMiddleware`): what they change themselves outside the engine (a
  draft, a slot, their profile) shows at once too;
* a time bucket of ``PAGE_SECONDS``: what changes without either (free consultation
  times taken by another traveler, metrics, a supplier's retries) shows within it, as
  with the pages' 30-second poll.

A page with flash messages to show is rendered and not cached. The CSRF token is the one
per-response part: the page is rendered with a marker in its place (``fragments``).
"""
from __future__ import annotations

import hashlib
import time

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from apps.coordination.clock import request_clock, tick, user_clock

from .fragments import CSRF_MARKER, for_cache

PAGE_SECONDS = 20
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PostTicksUserClockMiddleware:
    """A signed-in user's form post (or any unsafe request) ticks their clock: their cached
    pages are stale. Put after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                tick(user_ids=[user.pk])
        return response


def time_bucket() -> int:
    """The current ``PAGE_SECONDS`` slot of the clock."""
    return int(time.time() // PAGE_SECONDS)


class CachedPageMixin:
    """A GET page answered from the cache (see the module); put before the view class."""

    def page_fingerprint(self) -> object:
        """What the page shows beyond the visitor and the URL; None renders it uncached."""
        raise NotImplementedError

    def _page_key(self) -> str | None:
        request = self.request
        if len(messages.get_messages(request)):  # shown once: never cached
            return None
        fingerprint = self.page_fingerprint()
        if fingerprint is None:
            return None
        user = request.user
        parts = (request.get_full_path(), user.pk, user_clock(user.pk), user.display_name(), user.role,
                 user.currency, user.time_zone, user.is_staff, get_language(), timezone.get_current_timezone_name(),
                 fingerprint, time_bucket())
        return "page:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    def get(self, request, *args, **kwargs):
        key = self._page_key()
        if key is None:
            return super().get(request, *args, **kwargs)
        html, status = cache.get(key), 200
        if html is None:
            with for_cache(request):
                response = super().get(request, *args, **kwargs)
                if not hasattr(response, "render"):  # a redirect: nothing rendered
                    return response
                html, status = response.render().content.decode(), response.status_code
            if status == 200:
                cache.set(key, html, PAGE_SECONDS)
        return HttpResponse(html.replace(CSRF_MARKER, get_token(request)), status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(self.request, "renders_for_cache", False):
            context["csrf_token"] = CSRF_MARKER
        return context


class CachedOwnPageMixin(CachedPageMixin):
    """A page of what the visitor follows on their own feed (the traveler's home and the
    expert's inbox: their requests; the vendor's dashboard: its bookings, each booking's
    every event reaches its vendor). Every change of it is a command whose event reaches
    that feed, which ticks the visitor's clock (in every key): no query to know the page is
    current."""

    def page_fingerprint(self) -> tuple:
        return ()


class CachedRequestPageMixin(CachedPageMixin):
    """A page of the URL's request (``request_id``), keyed by the request's clock: no query
    to know the page is current. A visitor who may not see the request never finds a page
    of theirs cached (the first view renders, and answers 404)."""

    def page_fingerprint(self) -> int:
        return request_clock(self.kwargs["request_id"])
