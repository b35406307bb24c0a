"""What the traveler and expert portals share: the request scope (out of scope → 404), the
itinerary document and chat context of a request page, live fragments (``?part=``), and
the one way a page runs an engine command and reports the outcome (``CommandView``)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from apps.coordination.access import bookings_visible_to, requests_fully_visible_to
from apps.coordination.models import Booking, Event
from apps.coordination.phases import HOLDING_STATUSES, Phase
from apps.coordination.services.bookings import booking_proposal_accept
from apps.coordination.services.itinerary import REPLAN_PHASES, itinerary_change_accept
from apps.coordination.services.lifecycle import NOT_CANCELLABLE
from apps.core.errors import DomainError, NotFound
from apps.core.ids import parse_int
from apps.exports.document import cached_document
from apps.itineraries.models import Item, ItineraryState

from .fragments import versioned_fragment


class RequestScopeMixin:
    """The URL's ``request_id`` as an :class:`ExperienceRequest` the signed-in user sees in
    full (its traveler, its expert, staff); anyone else gets a 404 that reveals nothing.
    Put after the portal gate so that the role is checked first."""

    scope_related: tuple[str, ...] = ()  # joined to the request: what the page reads of it beyond the state

    @cached_property
    def experience_request(self):
        scope = requests_fully_visible_to(self.request.user)
        if self.scope_related:  # (select_related() without names would follow every foreign key)
            scope = scope.select_related(*self.scope_related)
        found = scope.filter(pk=self.kwargs["request_id"]).first()
        if found is None:
            raise Http404
        return found

    @property
    def state(self):
        return self.experience_request.coordination

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "req": self.experience_request, "state": self.state}


class ItineraryContextMixin(RequestScopeMixin):
    """The current itinerary version as an export document (times in the destination
    zone, maps, travel times, bookings, budget in the traveler's currency), or None; with
    ``portal``, also ``days_html``: its days as the portal shows them (``_itinerary_days.html``,
    rendered once per state version)."""

    scope_related = ("coordination__current_itinerary",)

    def itinerary_context(self, *, portal: str | None = None) -> dict:
        itinerary = self.state.current_itinerary
        if itinerary is None:
            return {"doc": None, "itinerary": None}
        currency = self.experience_request.traveler.currency
        doc = cached_document(itinerary.pk, state_version=self.state.version, currency=currency)
        context = {"doc": doc, "itinerary": itinerary, "replanned": replan_proposal(self.state)}
        if portal is not None:
            context["days_html"] = versioned_fragment(
                self.request, "components/_itinerary_days.html", state=self.state, variant=f"{portal}:{currency}",
                context=lambda: self._days_context(doc, itinerary, portal))
        return context

    def _days_context(self, doc, itinerary, portal: str) -> dict:
        """What ``_itinerary_days.html`` shows: each day's items with the id the traveler's
        reject / move actions need (while planning)."""
        ids = itinerary_item_ids(itinerary) if self.state.phase == Phase.PLANNING else {}
        days = [(day, [(item, ids.get((item.start.isoformat(), item.title))) for item in day.items])
                for day in doc.days]
        return {"doc": doc, "days": days, "req": self.experience_request, "state": self.state, "portal": portal,
                "cancellable_statuses": list(HOLDING_STATUSES), "closed_phases": list(NOT_CANCELLABLE)}


def accept_change(*, state_id: int, actor) -> None:
    """Accept the re-plan (either portal); refusals to book some items become one message."""
    state = itinerary_change_accept(state_id=state_id, actor=actor)
    if state.unbooked:
        raise DomainError(_("Accepted, but some items could not be booked: %(items)s.")
                          % {"items": ", ".join(f"{u['title']} ({u['reason']})" for u in state.unbooked)},
                          code="itinerary.partly_booked")


def accept_proposal(*, state, booking_id: int, actor) -> None:
    """Accept the vendor's counter-proposal on a booking of ``state`` (either portal); a
    booking of another request is a 404, as if it did not exist."""
    if not Booking.objects.filter(pk=booking_id, state=state).exists():
        raise NotFound(_("No such booking."), code="booking.not_found")
    booking_proposal_accept(booking_id=booking_id, actor=actor)


def replan_proposal(state) -> dict | None:
    """The ``itinerary.replanned`` payload (why, what changed) while the platform's re-plan
    around a booking that fell through waits to be accepted; else None."""
    itinerary = state.current_itinerary
    if state.phase not in REPLAN_PHASES or itinerary is None or itinerary.state != ItineraryState.PROPOSED:
        return None
    event = Event.objects.filter(state=state, type="itinerary.replanned").order_by("-version").first()
    return event.payload if event is not None and event.payload.get("itinerary") == itinerary.pk else None


def itinerary_item_ids(itinerary) -> dict[tuple[str, str], int]:
    """Vendor items of an itinerary version by (local start ISO, title), to put the
    reject / move actions next to the items the document shows."""
    tz = ZoneInfo(itinerary.time_zone)
    items = Item.objects.filter(day__itinerary=itinerary, offering__isnull=False).values_list("pk", "start", "title")
    return {(start.astimezone(tz).isoformat(), title): pk for pk, start, title in items}


class PartsMixin:
    """``?part=<name>`` renders only the fragment ``parts[name]`` (what live.js re-fetches);
    an unknown part is a 404."""

    parts: dict[str, str] = {}

    def get_template_names(self):
        part = self.request.GET.get("part")
        if part is None:
            return super().get_template_names()
        if part not in self.parts:
            raise Http404
        return [self.parts[part]]


class ChatContextMixin(RequestScopeMixin):
    """A chat page: the request's bookings (one vendor thread each) and the one chosen
    with ``?booking=`` (else the main thread); the messages come from ``live:chat``."""

    def get_context_data(self, **kwargs):
        bookings = list(bookings_visible_to(self.request.user).filter(state=self.state).order_by("pk"))
        wanted = self.request.GET.get("booking", "")
        selected = next((b for b in bookings if str(b.pk) == wanted), None)
        return {**super().get_context_data(**kwargs), "bookings": bookings, "selected": selected}


def error_text(exc: DomainError) -> str:
    """The message of a refusal with its field details, for a flash message."""
    details = " ".join(str(message) for message in exc.fields.values())
    return f"{exc.message} {details}".strip()


class CommandView(RequestScopeMixin, View):
    """POST-only page action on one request: subclasses implement ``command(form_data)``,
    ``default_next()`` and ``success_message``; the user is sent back to ``next_url()``."""

    success_message = ""

    def command(self, data) -> None:
        raise NotImplementedError

    def default_next(self) -> str:
        raise NotImplementedError

    def next_url(self) -> str:
        """The form's ``next`` if it stays on this site, else the subclass's default."""
        wanted = self.request.POST.get("next", "")
        if wanted and url_has_allowed_host_and_scheme(wanted, {self.request.get_host()}, self.request.is_secure()):
            return wanted
        return self.default_next()

    def post(self, request, *args, **kwargs):
        """Scope check first (404), then the command: its refusal becomes a flash message,
        or a 404 page when the service says the object is out of scope."""
        if self.experience_request:
            try:
                self.command(request.POST)
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404(exc.message) from None
                messages.error(request, error_text(exc))
            else:
                messages.success(request, str(self.success_message))
        return redirect(self.next_url())


def posted_id(value) -> int:
    """An id from a form; anything else is a shape error (nothing is written)."""
    number = parse_int(value)
    if number is None:
        raise DomainError(_("Choose one of the options."), code="form.invalid")
    return number


def cleaned(form) -> dict:
    """The form's cleaned data, or a DomainError listing its shape errors (nothing written)."""
    if not form.is_valid():
        raise DomainError(_("Check the highlighted fields."), code="form.invalid",
                          fields={name: " ".join(errors) for name, errors in form.errors.items()})
    return form.cleaned_data
