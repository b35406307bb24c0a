"""The traveler's own corrections to what the platform learned about them."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError, Forbidden
from apps.requests.models import INTERESTS, TravelerProfile

from .metrics import travelers_refresh


def _require_self(traveler, actor) -> None:
    if actor is None or actor.pk != traveler.pk:
        raise Forbidden(_("Only the traveler can change their profile."), code="profile.not_yours")


def traveler_profile_update(*, traveler, actor, prefers_mornings: bool | None = None,
                            avoids_long_transfers: bool | None = None,
                            interests: dict[str, float] | None = None) -> TravelerProfile:
    """Override learned preferences. ``None`` leaves a preference as it is; ``interests``
    maps known interests to -1..1 and is merged into earlier overrides.

    Preconditions: ``actor`` is ``traveler``. Errors: Forbidden ``profile.not_yours``;
    DomainError ``profile.invalid`` for an unknown interest or a value out of range.
    Overrides survive every recomputation until :func:`traveler_profile_reset`.
    """
    _require_self(traveler, actor)
    interests = interests or {}
    bad = {k: _("Unknown interest.") if k not in INTERESTS else _("Between -1 and 1.")
           for k, v in interests.items() if k not in INTERESTS or not -1 <= float(v) <= 1}
    if bad:
        raise DomainError(_("Some preferences are invalid."), code="profile.invalid", fields=bad)
    with transaction.atomic():
        profile, _created = TravelerProfile.objects.select_for_update().get_or_create(traveler=traveler)
        overrides = dict(profile.overrides)
        for key, value in (("prefers_mornings", prefers_mornings), ("avoids_long_transfers", avoids_long_transfers)):
            if value is not None:
                overrides[key] = bool(value)
        if interests:
            overrides["interests"] = {**overrides.get("interests", {}),
                                      **{k: round(float(v), 2) for k, v in sorted(interests.items())}}
        profile.overrides = overrides
        profile.save(update_fields=["overrides", "updated_at"])
    return profile


def traveler_profile_reset(*, traveler, actor) -> TravelerProfile | None:
    """Forget the traveler's overrides; what is learned from their trips stays (and the
    row goes when there is nothing learned). Errors: Forbidden ``profile.not_yours``."""
    _require_self(traveler, actor)
    TravelerProfile.objects.filter(traveler=traveler).update(overrides={})
    travelers_refresh([traveler.pk])
    return TravelerProfile.objects.filter(traveler=traveler).first()
