"""Every state machine of a request in one place: the coordination phases, bookings,
itinerary versions, recommendations and their items, the wedding shortlist.

Each table maps a status to the statuses it may move to and is wrapped in one
:class:`Transitions`: ``can()`` is the cheap predicate, ``move()`` the one way a command
changes a status (a coded Conflict ``<code>.transition_not_allowed`` otherwise). The
itineraries and experts apps own their rows but not these tables: coordination checks
the move, then their services write it.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.errors import Conflict
from apps.experts.models import ItemStatus, RecommendationStatus
from apps.itineraries.models import ItineraryState


class Transitions:
    """One status table and the one check every move of that status goes through."""

    def __init__(self, *, code: str, labels: type[models.TextChoices], table: dict[str, frozenset[str]],
                 refusal: str, field: str = "status"):
        self.code, self.labels, self.table, self.refusal, self.field = code, labels, table, refusal, field

    def can(self, current: str, target: str) -> bool:
        return target in self.table.get(current, frozenset())

    def move(self, obj, target: str) -> None:
        """Set ``obj``'s status to ``target`` if the table allows it, else raise Conflict
        ``<code>.transition_not_allowed`` and leave ``obj`` unchanged. The caller saves: the
        command itself for coordination's rows, the owning app's service for the others."""
        current = getattr(obj, self.field)
        if not self.can(current, target):
            raise Conflict(self.refusal % {"current": self.labels(current).label, "target": self.labels(target).label},
                           code=f"{self.code}.transition_not_allowed")
        setattr(obj, self.field, target)


class Phase(models.TextChoices):
    MATCHING = "matching", _("Matching")
    PLANNING = "planning", _("Planning")
    BOOKING = "booking", _("Booking")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


PHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.MATCHING: frozenset({Phase.PLANNING, Phase.CANCELLED}),
    # planning → matching: the expert stepped back or did not answer, rematch.
    Phase.PLANNING: frozenset({Phase.MATCHING, Phase.BOOKING, Phase.CANCELLED}),
    # booking/confirmed → planning: the traveler changed their mind, re-plan.
    Phase.BOOKING: frozenset({Phase.PLANNING, Phase.CONFIRMED, Phase.CANCELLED}),
    Phase.CONFIRMED: frozenset({Phase.PLANNING, Phase.BOOKING, Phase.IN_PROGRESS, Phase.CANCELLED}),
    Phase.IN_PROGRESS: frozenset({Phase.COMPLETED}),
    Phase.COMPLETED: frozenset(),
    Phase.CANCELLED: frozenset(),
}

OPEN_PHASES = frozenset({Phase.MATCHING, Phase.PLANNING, Phase.BOOKING, Phase.CONFIRMED, Phase.IN_PROGRESS})


PHASES = Transitions(code="state", labels=Phase, table=PHASE_TRANSITIONS, field="phase",
                     refusal=_("A request cannot go from %(current)s to %(target)s."))


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Waiting for vendor")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


BOOKING_TRANSITIONS: dict[str, frozenset[str]] = {
    # A booking of a manual vendor is created pending; requested is the instant vendor's
    # short wait for its confirmation task.
    BookingStatus.REQUESTED: frozenset({BookingStatus.CONFIRMED, BookingStatus.DECLINED, BookingStatus.CANCELLED}),
    BookingStatus.PENDING: frozenset({BookingStatus.CONFIRMED, BookingStatus.DECLINED, BookingStatus.EXPIRED,
                                      BookingStatus.CANCELLED}),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED, BookingStatus.COMPLETED}),
    BookingStatus.DECLINED: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.COMPLETED: frozenset(),
}

# Statuses whose seats are held on the slot.
HOLDING_STATUSES = frozenset({BookingStatus.REQUESTED, BookingStatus.PENDING, BookingStatus.CONFIRMED})


BOOKINGS = Transitions(code="booking", labels=BookingStatus, table=BOOKING_TRANSITIONS,
                       refusal=_("A booking cannot go from %(current)s to %(target)s."))

# A version moves forward only: draft → proposed (sent to the traveler: at once when the
# traveler or the platform plans, when the expert sends their draft) → approved, and a
# proposed or approved version → superseded by the next one. An expert's draft is
# superseded by the next draft the planner makes for them.
ITINERARY_TRANSITIONS: dict[str, frozenset[str]] = {
    ItineraryState.DRAFT: frozenset({ItineraryState.PROPOSED, ItineraryState.SUPERSEDED}),
    ItineraryState.PROPOSED: frozenset({ItineraryState.APPROVED, ItineraryState.SUPERSEDED}),
    ItineraryState.APPROVED: frozenset({ItineraryState.SUPERSEDED}),
    ItineraryState.SUPERSEDED: frozenset(),
}

ITINERARIES = Transitions(code="itinerary", labels=ItineraryState, table=ITINERARY_TRANSITIONS, field="state",
                          refusal=_("An itinerary version cannot go from %(current)s to %(target)s."))

# Only the newest version is a draft; sending it supersedes the versions sent before.
RECOMMENDATION_TRANSITIONS: dict[str, frozenset[str]] = {
    RecommendationStatus.DRAFT: frozenset({RecommendationStatus.SENT}),
    RecommendationStatus.SENT: frozenset({RecommendationStatus.REVIEWED, RecommendationStatus.SUPERSEDED}),
    RecommendationStatus.REVIEWED: frozenset({RecommendationStatus.SUPERSEDED}),
    RecommendationStatus.SUPERSEDED: frozenset(),
}

RECOMMENDATIONS = Transitions(code="recommendation", labels=RecommendationStatus, table=RECOMMENDATION_TRANSITIONS,
                              refusal=_("A recommendation cannot go from %(current)s to %(target)s."))

# The traveler may change their verdict until the next version is sent; modifying again
# (another day or time) is a move too. Nothing goes back to proposed.
RECOMMENDATION_ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.PROPOSED: frozenset({ItemStatus.APPROVED, ItemStatus.REJECTED, ItemStatus.MODIFIED}),
    ItemStatus.APPROVED: frozenset({ItemStatus.REJECTED, ItemStatus.MODIFIED}),
    ItemStatus.REJECTED: frozenset({ItemStatus.APPROVED, ItemStatus.MODIFIED}),
    ItemStatus.MODIFIED: frozenset({ItemStatus.APPROVED, ItemStatus.REJECTED, ItemStatus.MODIFIED}),
}

RECOMMENDATION_ITEMS = Transitions(code="recommendation_item", labels=ItemStatus,
                                   table=RECOMMENDATION_ITEM_TRANSITIONS,
                                   refusal=_("A recommended item cannot go from %(current)s to %(target)s."))


class ShortlistStatus(models.TextChoices):
    SHORTLISTED = "shortlisted", _("Shortlisted")
    NEGOTIATING = "negotiating", _("Negotiating")
    AGREED = "agreed", _("Price agreed")
    DROPPED = "dropped", _("Dropped")


# Every offer is a move into negotiating (another round included); an agreed price is final.
# No command drops an entry yet, so nothing leads to dropped.
SHORTLIST_TRANSITIONS: dict[str, frozenset[str]] = {
    ShortlistStatus.SHORTLISTED: frozenset({ShortlistStatus.NEGOTIATING}),
    ShortlistStatus.NEGOTIATING: frozenset({ShortlistStatus.NEGOTIATING, ShortlistStatus.AGREED}),
    ShortlistStatus.AGREED: frozenset(),
    ShortlistStatus.DROPPED: frozenset(),
}

SHORTLIST = Transitions(code="shortlist", labels=ShortlistStatus, table=SHORTLIST_TRANSITIONS,
                        refusal=_("A shortlisted vendor cannot go from %(current)s to %(target)s."))


CHECK_IN_OPENS_HOURS = 6


def check_in_open(start: dt.datetime, time_zone: str, now: dt.datetime | None = None) -> bool:
    """Whether a confirmed booking starting at ``start`` can be checked in: from a few
    hours before the start (an early arrival for a tour just after midnight counts) to
    the end of the start's day in the vendor's zone."""
    tz = ZoneInfo(time_zone)
    now = now or timezone.now()
    return (start - dt.timedelta(hours=CHECK_IN_OPENS_HOURS) <= now
            and now.astimezone(tz).date() <= start.astimezone(tz).date())
