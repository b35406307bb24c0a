"""The support section of every output: who to call, and what a cancellation costs."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Destination emergency numbers; every EU country also answers 112.
EMERGENCY_NUMBERS = {
    "JP": [(gettext_lazy("Police"), "110"), (gettext_lazy("Fire & ambulance"), "119"),
           (gettext_lazy("Japan Visitor Hotline (24 h, English)"), "+81 50-3816-2787")],
    "PT": [(gettext_lazy("Emergency (police, fire, ambulance)"), "112"),
           (gettext_lazy("SNS 24 health line"), "808 24 24 24")],
    "IT": [(gettext_lazy("Emergency (all services)"), "112"), (gettext_lazy("Police"), "113"),
           (gettext_lazy("Ambulance"), "118"), (gettext_lazy("Fire"), "115")],
}
DEFAULT_EMERGENCY = [(gettext_lazy("Emergency (EU-wide and most GSM networks)"), "112")]


@dataclass(frozen=True)
class ExpertContact:
    name: str
    email: str
    channel: str
    response_time_hours: int
    support_level: str


def emergency_contacts(country: str) -> list[tuple[str, str]]:
    """(label, number) pairs for a destination country code; 112 when unknown."""
    return [(str(label), number) for label, number in EMERGENCY_NUMBERS.get(country.upper(), DEFAULT_EMERGENCY)]


def expert_contact(expert) -> ExpertContact | None:
    """The assigned expert's contact card, or None (the platform supports the trip)."""
    if expert is None:
        return None
    return ExpertContact(name=expert.user.display_name(), email=expert.user.email,
                         channel=str(expert.get_channel_display()), response_time_hours=expert.response_time_hours,
                         support_level=str(expert.get_booking_preference_display()))


def platform_support_email() -> str:
    return settings.TRAVELOURE.get("SUPPORT_EMAIL", "support@traveloure.local")


def offer_policy_text(offer: dict, time_zone: str) -> str:
    """A hotel provider's offer terms as one sentence: free cancellation until its deadline
    (in the hotel's time zone), else not refundable."""
    until = offer.get("free_cancellation_until")
    terms = {"provider": offer["provider"]}
    if not until:
        return _("Booked through %(provider)s: not refundable.") % terms
    local = dt.datetime.fromisoformat(until).astimezone(ZoneInfo(time_zone))
    return _("Booked through %(provider)s: free cancellation until %(until)s; no refund after.") % {
        **terms, "until": local.strftime("%Y-%m-%d %H:%M")}


def cancellation_policy_text(tiers: list[dict]) -> str:
    """Vendor cancellation tiers (``[{"hours": 72, "refund_pct": 100}, …]``) as one sentence."""
    valid = sorted((t for t in tiers or [] if "hours" in t and "refund_pct" in t), key=lambda t: -int(t["hours"]))
    if not valid:
        return _("No cancellation terms published: ask the vendor before changing this booking.")
    refunded = [t for t in valid if int(t["refund_pct"]) > 0]  # a 0 % tier only says where refunds end
    if not refunded:
        return _("No refund once booked.")
    parts = []
    for tier in refunded:
        pct, hours = int(tier["refund_pct"]), int(tier["hours"])
        if pct >= 100 and hours == 0:
            parts.append(_("free cancellation until the start"))
        elif pct >= 100:
            parts.append(_("free cancellation up to %(hours)d h before the start") % {"hours": hours})
        else:
            parts.append(_("%(pct)d %% refund up to %(hours)d h before") % {"pct": pct, "hours": hours})
    if int(refunded[-1]["hours"]) > 0:
        parts.append(_("no refund later"))
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
