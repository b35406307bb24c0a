"""Who may see and do what: the one access policy. Services, REST, portals, consumers,
exports and admin all ask here.

A user stands in one of these relations to a request (its coordination state):

- staff (role staff, or a superuser): everything;
- the request's traveler and its expert (chosen, whether or not they accepted yet): the
  whole request (``can_view_request``);
- a vendor with a live booking there (not declined, expired or cancelled): the vendor's
  slice (``can_view_request_as_vendor``): its own bookings and their threads and, of the
  request, only ``VENDOR_REQUEST_FIELDS`` (with the notes the traveler addressed to
  vendors): never the budget, the preferences or other notes, the
  expert's consultation slots or other vendors. A vendor whose bookings there all ended
  no longer sees the request;
- anyone else: nothing, answered as "not found" so that existence is not revealed.

``can_<verb>(user, obj) -> bool`` answers "may this user …"; :func:`require` turns a
refusal into the coded error (403 for someone who sees the object, 404 for anyone else);
``*_visible_to`` are the scoped querysets; :func:`live_access` and the group names say
who hears which live events. ``user`` may be ``None`` (the platform itself: tasks,
instant confirmations) or anonymous; predicates read only rows already loaded, except
where they say so.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.core.errors import Forbidden, NotFound
from apps.experts.models import Recommendation
from apps.experts.selectors import recommendation_list_for_request
from apps.requests.models import ExperienceRequest

from .models import Booking, CoordinationState, Event, ShortlistEntry, Thread
from .phases import BookingStatus

# A vendor whose bookings on a request are all in these statuses no longer sees it.
ENDED_STATUSES = (BookingStatus.DECLINED, BookingStatus.EXPIRED, BookingStatus.CANCELLED)
# What a vendor with a live booking sees of the request: what serving the booking needs.
VENDOR_REQUEST_FIELDS = ("id", "experience_type", "traveler", "destination", "dates", "travelers", "guest_count",
                         "vendor_notes")
STAFF_GROUP = "staff"
# Events about the expert's unsent drafts (itinerary, recommendations): kept in the audit
# trail, heard and seen only by the expert and staff (:func:`event_is_private`), so that a
# draft save notifies nobody.
DRAFT_EVENTS = frozenset({"itinerary.drafted", "itinerary.draft_edited", "recommendation.edited"})


# --- who the user is ----------------------------------------------------------------

def _uid(user) -> int | None:
    """The user's id; None for the platform (``None``) and anonymous users."""
    return getattr(user, "pk", None)


def is_staff(user) -> bool:
    return bool(_uid(user) and (user.role == Role.STAFF or user.is_superuser))


def has_role(user, role: str) -> bool:
    """Signed in with ``role``: the portal gates and role-only API actions."""
    return bool(_uid(user) and user.role == role)


def sees_vendor_slice(user) -> bool:
    """A vendor login (not staff) sees requests only through its slice."""
    return has_role(user, Role.VENDOR) and not is_staff(user)


def _is_traveler(user, state: CoordinationState) -> bool:
    return _uid(user) is not None and state.request.traveler_id == _uid(user)


def _is_expert(user, state: CoordinationState) -> bool:
    return _uid(user) is not None and state.expert_id is not None and state.expert.user_id == _uid(user)


def is_vendor_user(user, vendor) -> bool:
    """``user`` manages ``vendor`` (speaks for it on its bookings and offers)."""
    return _uid(user) is not None and vendor.user_id == _uid(user)


# --- may this user …? ----------------------------------------------------------------

def can_view_request(user, state: CoordinationState) -> bool:
    """The whole request: its traveler, its expert, staff."""
    return is_staff(user) or _is_traveler(user, state) or _is_expert(user, state)


def can_view_request_as_vendor(user, state: CoordinationState) -> bool:
    """The vendor's slice: a vendor with a live booking on the request (one query)."""
    return (sees_vendor_slice(user)
            and Booking.objects.filter(state=state, vendor__user=user).exclude(status__in=ENDED_STATUSES).exists())


def can_act_as_traveler(user, state: CoordinationState) -> bool:
    """The traveler's commands (choose an expert, approve, cancel…): the traveler, or staff for them."""
    return is_staff(user) or _is_traveler(user, state)


def can_act_as_expert(user, state: CoordinationState) -> bool:
    """The expert's commands (accept, decline, recommend): the chosen expert, or staff."""
    return is_staff(user) or _is_expert(user, state)


def can_plan(user, state: CoordinationState) -> bool:
    """Shape the plan (itinerary, shortlist): the traveler, the expert once accepted, staff."""
    return can_act_as_traveler(user, state) or (state.expert_accepted_at is not None and _is_expert(user, state))


def can_manage_bookings(user, state: CoordinationState) -> bool:
    """The client side of bookings (request, accept a proposal, cancel): the traveler,
    their expert, staff."""
    return can_view_request(user, state)


def can_respond_to_booking(user, booking: Booking) -> bool:
    """The vendor side (confirm, decline, propose, check in, payments): the booking's vendor,
    staff, or the platform (``user=None``: instant confirmation, negotiated prices)."""
    return user is None or is_staff(user) or is_vendor_user(user, booking.vendor)


def can_import_bookings(user, state: CoordinationState) -> bool:
    """Add bookings made elsewhere from their confirmations: the traveler and their expert
    only (the documents are theirs; staff and vendors do not upload them)."""
    return _is_traveler(user, state) or _is_expert(user, state)


def can_set_payment_schedule(user, booking: Booking) -> bool:
    """Either side of the booking agrees on the deposit and balance."""
    return is_vendor_user(user, booking.vendor) or can_view_request(user, booking.state)


def can_post_message(user, state: CoordinationState, booking: Booking | None = None) -> bool:
    """Traveler, expert and staff write in every thread of the request; a vendor only in
    the thread about its own booking."""
    return can_view_request(user, state) or (booking is not None and is_vendor_user(user, booking.vendor))


def can_review(user, state: CoordinationState) -> bool:
    """Only the traveler rates the trip (not staff, not the expert)."""
    return _is_traveler(user, state)


def can_view_recommendation_drafts(user, state: CoordinationState) -> bool:
    """Drafts are the expert's (and staff's); the traveler sees the versions sent."""
    return can_act_as_expert(user, state)


def can_repair(user, state: CoordinationState) -> bool:
    """Repairs only staff make (reassign the expert of a stuck request)."""
    return is_staff(user)


def can_edit_itinerary_draft(user, state: CoordinationState) -> bool:
    """The expert's unsent itinerary draft: the accepted expert and staff see and edit it;
    the traveler sees a version once it is sent."""
    return is_staff(user) or (state.expert_accepted_at is not None and _is_expert(user, state))


def plans_as_draft(user, state: CoordinationState) -> bool:
    """A plan this user generates starts as the expert's draft: the accepted expert's, or
    staff's on a request with an accepted expert. The traveler's own plan is theirs at once."""
    return state.expert_accepted_at is not None and can_edit_itinerary_draft(user, state) \
        and not _is_traveler(user, state)


def can_export(user, state: CoordinationState) -> bool:
    """PDF, calendar, confirmation package, share links: the whole plan, so full view only."""
    return can_view_request(user, state)


def require(allowed: bool, actor, state: CoordinationState, message: str = "", *, booking: Booking | None = None,
            code: str = "permission_denied", missing_code: str = "not_found", missing_message: str = "") -> None:
    """Refuse unless ``allowed``: Forbidden ``code`` for an actor who sees the object (the
    whole request, or ``booking`` as its vendor), else NotFound ``missing_code``, which
    does not reveal that the object exists."""
    if allowed:
        return
    if can_view_request(actor, state) or (booking is not None and is_vendor_user(actor, booking.vendor)):
        raise Forbidden(message or _("You may not do this."), code=code)
    raise NotFound(missing_message or _("Not found."), code=missing_code)


# --- what may this user see? ---------------------------------------------------------

def _by_role(qs: QuerySet, user, **paths: str) -> QuerySet:
    """The rows of ``qs`` ``user`` may see: all for staff, else those whose lookup for the
    user's role (``traveler=``, ``expert=``, ``vendor=``) leads to the user; none otherwise."""
    if is_staff(user):
        return qs
    path = paths.get(getattr(user, "role", None)) if _uid(user) else None
    return qs.filter(**{path: user}) if path else qs.none()


def requests_visible_to(user) -> QuerySet[ExperienceRequest]:
    """Requests the user sees at all: own (traveler), clients (expert), all (staff), and
    for a vendor those where it has a live booking (its slice only)."""
    qs = ExperienceRequest.objects.select_related("coordination", "coordination__expert__user", "traveler")
    if sees_vendor_slice(user):
        live = Booking.objects.filter(vendor__user=user).exclude(status__in=ENDED_STATUSES)
        return qs.filter(pk__in=live.values("state__request_id"))
    return _by_role(qs, user, traveler="traveler", expert="coordination__expert__user")


def requests_fully_visible_to(user) -> QuerySet[ExperienceRequest]:
    """Requests the user sees whole (:func:`can_view_request`): a vendor's slice is not enough."""
    return ExperienceRequest.objects.none() if sees_vendor_slice(user) else requests_visible_to(user)


def requests_open_to_negotiation(user) -> QuerySet[ExperienceRequest]:
    """Requests the user may negotiate prices on: for a vendor, those that shortlisted one
    of its offerings (bookings or not); for others their usual scope."""
    if sees_vendor_slice(user):
        return ExperienceRequest.objects.filter(
            pk__in=ShortlistEntry.objects.filter(offering__vendor__user=user).values("state__request_id"))
    return requests_visible_to(user)


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Bookings of the user's requests (traveler), clients (expert), own vendor (vendor,
    ended ones included: its own history), all (staff)."""
    return _by_role(Booking.objects.select_related("offering", "vendor", "slot", "state__request"), user,
                    traveler="state__request__traveler", expert="state__expert__user", vendor="vendor__user")


def bookings_served_by(user) -> QuerySet[Booking]:
    """The bookings of the vendor ``user`` manages (a vendor portal's own list, even for a superuser)."""
    return bookings_visible_to(user).filter(vendor__user=user)


def events_visible_to(user, request_id: int) -> QuerySet[Event]:
    """The request's timeline, oldest first, for those who see it whole (the expert's draft
    events only for those who may see the draft); none for others."""
    request = requests_fully_visible_to(user).filter(pk=request_id).first()
    if request is None:
        return Event.objects.none()
    events = Event.objects.filter(state__request_id=request_id).select_related("actor").order_by("version")
    if not can_edit_itinerary_draft(user, request.coordination):
        events = events.exclude(type__in=DRAFT_EVENTS)
    return events


def threads_visible_to(user, state: CoordinationState) -> QuerySet[Thread]:
    """The request's chat threads the user may read: all of them for the full view, a
    vendor the threads about its own bookings."""
    qs = Thread.objects.filter(state=state).select_related("booking")
    if can_view_request(user, state):
        return qs
    return qs.filter(booking__vendor__user=user) if _uid(user) else qs.none()


def recommendations_visible_to(user, state: CoordinationState) -> QuerySet[Recommendation]:
    """The request's recommendation versions, newest first: drafts included for those who
    may see them (:func:`can_view_recommendation_drafts`), the sent ones for the traveler,
    none for anyone without the full view."""
    if not can_view_request(user, state):
        return Recommendation.objects.none()
    return recommendation_list_for_request(state.request_id,
                                           with_drafts=can_view_recommendation_drafts(user, state))


def shortlist_visible_to(user, state: CoordinationState) -> QuerySet[ShortlistEntry]:
    """A wedding/event shortlist with its offers: all of it for the full view; a vendor
    sees only its own entries."""
    qs = ShortlistEntry.objects.filter(state=state).prefetch_related("offers").order_by("category", "pk")
    if can_view_request(user, state):
        return qs
    return qs.filter(offering__vendor__user=user) if sees_vendor_slice(user) else qs.none()


def checks_visible_to(user, state: CoordinationState) -> list[dict]:
    """The trip guard's stored findings: all of them for the full view; a vendor with a
    live booking only those about its own bookings (:func:`.checks.for_vendor`); none for others."""
    from .checks import for_vendor

    if can_view_request(user, state):
        return list(state.checks)
    if can_view_request_as_vendor(user, state):
        return for_vendor(state.checks, user.vendor.pk)
    return []


def shortlist_served_by(user) -> QuerySet[ShortlistEntry]:
    """The shortlist entries naming an offering of the vendor ``user`` manages, on every
    request (the vendor portal's negotiations), with their offers."""
    return (ShortlistEntry.objects.filter(offering__vendor__user=user)
            .select_related("offering__vendor", "slot", "state__request__traveler").prefetch_related("offers"))


# --- who hears what live -------------------------------------------------------------

def request_group(request_id: int) -> str:
    """Everything about one request, whole: its traveler's, expert's and staff's open feeds."""
    return f"request.{request_id}"


def user_group(user_id: int) -> str:
    """What is addressed to one person (their ``/ws/me/`` feed)."""
    return f"user.{user_id}"


def vendor_group(vendor_id: int) -> str:
    """One vendor's part of events: its own bookings and offers only."""
    return f"vendor.{vendor_id}"


def stakeholder_ids(state: CoordinationState) -> list[int]:
    """Users who hear every event of the request on their own feed: traveler and current expert."""
    ids = {state.request.traveler_id}
    if state.expert_id:
        ids.add(state.expert.user_id)
    return sorted(ids)


def event_is_private(event_type: str) -> bool:
    """An event only the expert (on their own feed) and staff hear: never the request's
    group, the traveler or vendors."""
    return event_type in DRAFT_EVENTS


def me_group(user) -> str | None:
    """The group of the user's ``/ws/me/`` feed: staff hear every request, a vendor its own
    bookings, anyone else what is addressed to them; None for a vendor login without a vendor."""
    if is_staff(user):
        return STAFF_GROUP
    if has_role(user, Role.VENDOR):
        vendor = getattr(user, "vendor", None)
        return vendor_group(vendor.pk) if vendor is not None else None
    return user_group(user.pk)


@dataclass(frozen=True)
class LiveAccess:
    """What a user may follow of one request: everything (``full``) or, for a vendor,
    only its own bookings, heard on its ``vendor.<id>`` group."""

    state: CoordinationState
    full: bool
    group: str


def live_access(user, request_id: int) -> LiveAccess | None:
    """Authorize following request ``request_id`` live; ``None`` when it is out of scope.

    The full view joins ``request.<id>``; a vendor with a live booking on the request joins
    only ``vendor.<vendor id>`` (and filters by request), never the request group, so it
    cannot hear other vendors or the traveler's private details. A vendor whose bookings
    there all fell through, or an expert who was replaced, no longer follows the request.
    """
    state = CoordinationState.objects.select_related("request", "expert").filter(request_id=request_id).first()
    if state is None:
        return None
    if can_view_request(user, state):
        return LiveAccess(state=state, full=True, group=request_group(request_id))
    if can_view_request_as_vendor(user, state):
        return LiveAccess(state=state, full=False, group=vendor_group(user.vendor.pk))
    return None
