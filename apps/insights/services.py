"""The traveler's own reset of what the platform learned about them (setting preferences
is :func:`apps.requests.services.traveler_profile_update`)."""
from __future__ import annotations

from apps.requests.models import TravelerProfile
from apps.requests.services import traveler_profile_overrides_clear

from .metrics import travelers_refresh


def traveler_profile_reset(*, traveler, actor) -> TravelerProfile | None:
    """Forget the traveler's overrides; what is learned from their trips stays (and the
    row goes when there is nothing learned). Errors: Forbidden ``profile.not_yours``."""
    traveler_profile_overrides_clear(traveler=traveler, actor=actor)
    travelers_refresh([traveler.pk])
    return TravelerProfile.objects.filter(traveler=traveler).first()
