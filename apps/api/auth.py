"""``POST auth/token/``: DRF's token view with the anonymous rate limits (DRF turns
throttling off on it) and the login lockout (``apps.accounts.lockout``)."""
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError

from apps.accounts.lockout import lockout_response

from .throttles import AnonBurstThrottle, AnonSustainedThrottle


class TokenView(ObtainAuthToken):
    throttle_classes = [AnonBurstThrottle, AnonSustainedThrottle]

    @extend_schema(request=AuthTokenSerializer)
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # Axes flags the DRF request it was handed, which its middleware never sees.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise
