"""HTML fragments rendered once per coordination version.

A fragment that shows only versioned state (the itinerary's days: the current version's
document, its bookings, the phase) stays the same until the next engine command bumps the
state's version, and rendering it is most of its page's time. The CSRF token is the one
per-visitor part: the fragment is rendered with a marker in its place, which each response
replaces with its own token.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template import Context, engines
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CSRF_MARKER = "csrf-marker-c5b1e0"
FRAGMENT_CACHE_SECONDS = 3600


@contextmanager
def for_cache(request) -> Iterator[None]:
    """Renders the whole page for the page cache (``pagecache``): its fragments keep the
    marker, which each response then replaces."""
    request.renders_for_cache = True
    try:
        yield
    finally:
        request.renders_for_cache = False


def _render(request, template_name: str, context: dict) -> str:
    engine = engines["django"].engine
    values: dict = {}
    for processor in engine.template_context_processors:
        values.update(processor(request))
    values.update(context, csrf_token=CSRF_MARKER)
    return engine.get_template(template_name).render(Context(values, autoescape=engine.autoescape))


def versioned_fragment(request, template_name: str, *, state, variant: str,
                       context: Callable[[], dict]) -> SafeString:
    """``template_name`` rendered with ``context()`` (called on a cache miss only), cached per
    state version, ``variant`` (whatever else the fragment shows: portal, currency), language
    and day. The template must not show anything of the visitor but the CSRF token."""
    key = (f"fragment:{template_name}:{state.pk}:{state.version}:{variant}:{get_language()}:"
           f"{timezone.localdate():%Y%m%d}")
    html = cache.get(key)
    if html is None:
        html = _render(request, template_name, context())
        cache.set(key, html, FRAGMENT_CACHE_SECONDS)
    if getattr(request, "renders_for_cache", False):
        return mark_safe(html)
    return mark_safe(html.replace(CSRF_MARKER, get_token(request)))
