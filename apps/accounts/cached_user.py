"""The signed-in user read from the cache instead of the database on each request.

Every page and API call of a signed-in user read their row (Django's ``auth.get_user``):
a query per request, the one most pages had left once the page cache served them. The
user is cached per id, as ``auth.get_user`` loaded and verified them, and dropped when
their row is saved or deleted (a password or an ``is_active`` change), so a session that
no longer verifies is refused as before. The ``USER_SECONDS`` bound is for the other
processes' local caches (the embedded default); with Redis every process sees the drop.
"""
from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware, auser
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

USER_SECONDS = 60


def _key(user_id) -> str:
    return f"auth-user:{user_id}"


def forget_user(sender, instance, **kwargs) -> None:
    """post_save / post_delete of the user model: the next request reads the row again."""
    cache.delete(_key(instance.pk))


def get_user(request):
    """``auth.get_user(request)``, with the user from the cache while the session still
    verifies against it (else Django's own path: fallback secrets, flushing the session)."""
    session = request.session
    user_id, backend = session.get(auth.SESSION_KEY), session.get(auth.BACKEND_SESSION_KEY)
    if user_id is None or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    user = cache.get(_key(user_id))
    if user is not None and constant_time_compare(session.get(auth.HASH_SESSION_KEY, ""),
                                                  user.get_session_auth_hash()):
        user.backend = backend
        return user
    user = auth.get_user(request)
    if user.is_authenticated:
        cache.set(_key(user.pk), user, USER_SECONDS)
    return user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's authentication middleware over :func:`get_user`."""

    def process_request(self, request):
        request.user = SimpleLazyObject(partial(_request_user, request))
        request.auser = partial(auser, request)


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user
