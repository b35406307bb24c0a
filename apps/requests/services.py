"""Intake: validate an experience request and store it; the traveler profile's writes.

Only :func:`apps.coordination.services.intake.request_submit` calls ``request_create``:
a request never exists without its coordination state.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.bulk import replace_rows
from apps.core.errors import DomainError, Forbidden
from apps.integrations.currency import supported_currencies
from apps.integrations.geocoding import resolve_city

from .legs import legs_validate
from .models import (DIETARY, EVENT_DEFAULTS, INTERESTS, Accommodation, DateFlexibility, EventStyle,
                     ExperienceRequest, ExperienceType, Pace, Path, TravelerProfile)

MAX_TRIP_DAYS = 60


@dataclass
class IntakeData:
    """The shape of an intake, already parsed to Python types by a form or serializer."""

    destination: str
    start_date: dt.date
    end_date: dt.date
    adults: int
    budget_min: Decimal
    budget_max: Decimal
    currency: str
    experience_type: str = ExperienceType.TRAVEL
    children: int = 0
    interests: list[str] = field(default_factory=list)
    pace: str = Pace.MODERATE
    accommodation: str = Accommodation.MID_RANGE
    dietary_restrictions: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    path: str = Path.EXPERT
    notes: str = ""
    title: str = ""
    guest_count: int | None = None
    event: dict = field(default_factory=dict)  # keys of EVENT_DEFAULTS; weddings and events only
    vendor_notes: str = ""
    arrival: dict | None = None  # raw legs of the body; see apps.requests.legs
    departure: dict | None = None


def _choice(errors: dict, name: str, value: str, choices) -> None:
    if value not in choices.values:
        errors[name] = _("Choose one of: %(options)s.") % {"options": ", ".join(choices.values)}


def _event_errors(errors: dict, event: dict) -> None:
    unknown = sorted(set(event) - set(EVENT_DEFAULTS))
    if unknown:
        errors["event"] = _("Unknown event details: %(bad)s.") % {"bad": ", ".join(unknown)}
    elif any(not isinstance(event.get(k, True), bool) for k in ("ceremony", "reception")):
        errors["event"] = _("Ceremony and reception are yes or no.")
    else:
        for name, choices in (("date_flexibility", DateFlexibility), ("style", EventStyle)):
            if name in event:
                _choice(errors, "event", event[name], choices)


def event_details(data: IntakeData) -> dict:
    """The event details stored with a wedding or event (defaults filled in); none for a trip."""
    return {} if data.experience_type == ExperienceType.TRAVEL else {**EVENT_DEFAULTS, **data.event}


def request_validate(data: IntakeData):
    """Check every business rule of an intake at once; raise one DomainError listing each
    bad field (``fields``), else return the resolved destination city."""
    errors: dict[str, str] = {}
    city = resolve_city(data.destination)
    if city is None:
        errors["destination"] = _("We do not know the destination “%(name)s”. Try a city name, e.g. “Lisbon”.") % {
            "name": data.destination}
    today = timezone.now().astimezone(ZoneInfo(city.time_zone)).date() if city else timezone.localdate()
    if data.start_date < today:
        errors["start_date"] = _("The trip cannot start in the past.")
    if data.end_date < data.start_date:
        errors["end_date"] = _("The end date is before the start date.")
    elif (data.end_date - data.start_date).days >= MAX_TRIP_DAYS:
        errors["end_date"] = _("A trip can last at most %(days)s days.") % {"days": MAX_TRIP_DAYS}
    if data.adults < 0 or data.children < 0:
        errors["adults"] = _("Party sizes cannot be negative.")
    elif data.adults + data.children < 1:
        errors["adults"] = _("The party needs at least one person.")
    elif data.adults < 1:
        errors["adults"] = _("At least one adult must travel.")
    if data.budget_min < 0:
        errors["budget_min"] = _("The budget cannot be negative.")
    if data.budget_min > data.budget_max:
        errors["budget_max"] = _("The maximum budget is below the minimum.")
    if data.currency not in supported_currencies():
        errors["currency"] = _("Unknown currency “%(code)s”; use an ISO 4217 code such as USD or EUR.") % {
            "code": data.currency}
    unknown = sorted(set(data.interests) - set(INTERESTS))
    if unknown:
        errors["interests"] = _("Unknown interests: %(bad)s. Choose from: %(ok)s.") % {
            "bad": ", ".join(unknown), "ok": ", ".join(INTERESTS)}
    unknown = sorted(set(data.dietary_restrictions) - set(DIETARY))
    if unknown:
        errors["dietary_restrictions"] = _("Unknown dietary restrictions: %(bad)s. Choose from: %(ok)s.") % {
            "bad": ", ".join(unknown), "ok": ", ".join(DIETARY)}
    _event_errors(errors, data.event)
    if (data.arrival or data.departure) and "end_date" not in errors:
        errors.update(legs_validate(data.arrival, data.departure, start=data.start_date, end=data.end_date)[1])
    _choice(errors, "experience_type", data.experience_type, ExperienceType)
    _choice(errors, "pace", data.pace, Pace)
    _choice(errors, "accommodation", data.accommodation, Accommodation)
    _choice(errors, "path", data.path, Path)
    if errors:
        raise DomainError(_("The request has invalid fields."), code="request.invalid", fields=errors)
    return city


def request_create(*, traveler, data: IntakeData) -> ExperienceRequest:
    """Validate and store a request (caller holds the transaction)."""
    city = request_validate(data)
    legs = legs_validate(data.arrival, data.departure, start=data.start_date, end=data.end_date)[0]
    return ExperienceRequest.objects.create(
        traveler=traveler, experience_type=data.experience_type, title=data.title,
        destination=city.name, country=city.country, lat=city.lat, lon=city.lon, time_zone=city.time_zone,
        start_date=data.start_date, end_date=data.end_date, adults=data.adults, children=data.children,
        budget_min=data.budget_min, budget_max=data.budget_max, currency=data.currency,
        interests=sorted(set(data.interests)), pace=data.pace, accommodation=data.accommodation,
        dietary_restrictions=sorted(set(data.dietary_restrictions)), accessibility=data.accessibility,
        path=data.path, notes=data.notes, guest_count=data.guest_count, event=event_details(data),
        vendor_notes=data.vendor_notes, arrival=legs["arrival"], departure=legs["departure"],
    )


def request_legs_set(*, request: ExperienceRequest, legs: dict[str, dict | None]) -> dict[str, dict | None]:
    """Change the arrival and/or departure (the keys of ``legs``; None clears one) of a
    request; the caller (the engine command) holds its lock. DomainError
    ``request.invalid`` with ``fields`` (``arrival.at``…) lists every problem at once;
    nothing is written then. Returns the stored legs."""
    merged = {"arrival": request.arrival, "departure": request.departure, **legs}
    raw = {name: value if name in legs else _as_input(value) for name, value in merged.items()}
    stored, errors = legs_validate(raw["arrival"], raw["departure"], start=request.start_date, end=request.end_date)
    if errors:
        raise DomainError(_("The travel details are invalid."), code="request.invalid", fields=errors)
    request.arrival, request.departure = stored["arrival"], stored["departure"]
    request.save(update_fields=["arrival", "departure", "updated_at"])
    return stored


def _as_input(leg: dict | None) -> dict | None:
    """A stored leg as the input it came from (validated again against the request's dates)."""
    return leg and {key: leg[key] for key in ("at", "mode", "place", "reference")}


# --- the traveler profile (learned by apps.insights, corrected by the traveler) --------------

def traveler_profiles_save(*, traveler_ids: Iterable[int], profiles: dict[int, dict]) -> int:
    """Store the recomputed learned part of :class:`TravelerProfile` (by ``apps.insights``):
    one row per entry of ``profiles`` (user id → field values), none for the other
    ``traveler_ids``; the traveler's ``overrides`` are kept. Returns the rows written."""
    return replace_rows(TravelerProfile, key="traveler", values=profiles, ids=traveler_ids, keep=("overrides",))


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
    Overrides survive every recomputation until they are cleared.
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


def traveler_profile_overrides_clear(*, traveler, actor) -> None:
    """Forget the traveler's overrides (the learned part stays). Errors: Forbidden
    ``profile.not_yours``."""
    _require_self(traveler, actor)
    TravelerProfile.objects.filter(traveler=traveler).update(overrides={})
