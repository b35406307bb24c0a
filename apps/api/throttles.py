"""API rate limits (``settings.API_RATES``), burst and sustained, per user and per
anonymous address; signed webhooks per vendor. The rate is read on every request, so a
settings override (tests) applies at once; ``None`` turns a limit off.

Requests are counted per fixed window, with the previous window's count weighted by the
share of it the sliding window still covers (the sliding-window counter of rate
limiters): a count and one increment per request. DRF's own throttle keeps the time of
every request of the window and the cache pickles that list both ways on each request:
10,000 of them by the end of a busy user's day.
"""
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _LiveRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, progress = divmod(self.now / self.duration, 1)
        current, previous = (f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}")
        counts = self.cache.get_many([current, previous])
        self.counts = counts.get(current, 0), counts.get(previous, 0)
        if self.counts[0] + self.counts[1] * (1 - progress) >= self.num_requests:
            return False
        # Read then write, as DRF's own throttle does (two round trips with Redis; racing
        # requests may count as one, which an atomic increment would not, at three).
        self.cache.set(current, self.counts[0] + 1, 2 * self.duration)
        return True

    def wait(self):
        """Seconds until the weighted count is under the limit again (at most the rest of
        this window and the part of the next one that still covers it)."""
        current, previous = self.counts
        elapsed = self.now % self.duration
        if current < self.num_requests:  # over only with the previous window, which fades out
            return self.duration * (1 - (self.num_requests - current) / previous) - elapsed
        return self.duration - elapsed + self.duration * (1 - self.num_requests / current)


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
