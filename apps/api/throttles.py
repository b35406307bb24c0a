"""API rate limits (``settings.API_RATES``), burst and sustained, per user and per
anonymous address; signed webhooks per vendor. The rate is read on every request, so a
settings override (tests) applies at once; ``None`` turns a limit off."""
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _LiveRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class _UserThrottle(_LiveRate, UserRateThrottle):
    """Signed-in callers only (anonymous ones have the anon limits)."""

    def get_cache_key(self, request, view):
        return super().get_cache_key(request, view) if request.user and request.user.is_authenticated else None


class UserBurstThrottle(_UserThrottle):
    scope = "user_burst"


class UserSustainedThrottle(_UserThrottle):
    scope = "user_sustained"


class AnonBurstThrottle(_LiveRate, AnonRateThrottle):
    scope = "anon_burst"


class AnonSustainedThrottle(_LiveRate, AnonRateThrottle):
    scope = "anon_sustained"


class VendorHookThrottle(_LiveRate, SimpleRateThrottle):
    """Per vendor of the URL, whoever calls (a vendor's system may call from many addresses)."""

    scope = "vendor_hook"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": view.kwargs["vendor_id"]}
