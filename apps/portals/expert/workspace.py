"""One client request for its expert: the facts, the itinerary draft (generate, edit each
item, add from a search, send), the recommendation editor with its versions, the
request's bookings and the chat."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.access import bookings_visible_to, can_edit_itinerary_draft, recommendations_visible_to
from apps.coordination.services import drafts
from apps.coordination.services import itinerary as itinerary_services
from apps.coordination.services import recommendations
from apps.core.errors import DomainError
from apps.core.ids import parse_int
from apps.exports.document import build_document
from apps.itineraries.selectors import draft_alternatives, draft_entry_search, itinerary_draft_for_request
from apps.portals.fragments import versioned_fragment
from apps.portals.imports import panel_context
from apps.portals.pagecache import CachedRequestPageMixin
from apps.portals.shared import (ChatContextMixin, ItineraryContextMixin, PartsMixin, RequestScopeMixin, accept_change,
                                 cleaned, error_text)
from apps.vendors.models import Offering

from .forms import (DraftAddForm, DraftEntryForm, DraftMoveForm, DraftNoteForm, DraftPinForm, RecommendationForm,
                    RecommendationItemFormSet)
from .inbox import ExpertMixin, _ExpertCommand


class RequestView(ExpertMixin, CachedRequestPageMixin, ItineraryContextMixin, PartsMixin, TemplateView):
    """The client's request: what they asked for, where it stands, the expert's draft (edit,
    then send) or the version sent, and bookings. ``?part=days`` / ``?part=bookings`` are the
    live-refreshed fragments, ``?part=search&q=`` the draft's "add" search results."""

    template_name = "expert/request_detail.html"
    parts = {"days": "components/_days_html.html", "bookings": "expert/_request_bookings.html",
             "search": "expert/_draft_search.html", "elsewhere": "components/_elsewhere_list.html"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(recommendations_visible_to(self.request.user, self.state)[:5])
        bookings = bookings_visible_to(self.request.user).filter(state=self.state).order_by("slot__start", "pk")
        if self.request.GET.get("part") is None:
            # The page's bookings card once per state version (every booking change is an engine
            # command; whoever passes the expert portal's gate and the scope sees all of the
            # request's bookings). The live refresh (?part=bookings) renders it from ``bookings``.
            context["bookings_html"] = versioned_fragment(
                self.request, self.parts["bookings"], state=self.state, variant="expert",
                context=lambda: {"bookings": bookings, "req": self.experience_request})
        context.update(**self.itinerary_context(portal="expert"), **self.draft_context(), portal="expert",
                       versions=versions, bookings=bookings)
        context.update(panel_context(self, parse_int(self.request.GET.get("import") or "")))
        return context

    def draft_context(self) -> dict:
        """The expert's unsent draft as a document with its alternatives, the trip's days and
        the "add" search (``?q=``)."""
        req = self.experience_request
        draft = (itinerary_draft_for_request(req.pk)
                 if can_edit_itinerary_draft(self.request.user, self.state) else None)
        query = self.request.GET.get("q", "")
        days = [req.start_date + dt.timedelta(days=n) for n in range((req.end_date - req.start_date).days + 1)]
        return {"draft": draft, "draft_doc": build_document(draft) if draft else None,
                "alternatives": draft_alternatives(draft) if draft else [], "trip_days": days, "q": query,
                "results": draft_entry_search(req, query) if draft else []}


def destination_offerings(req):
    """Active offerings of active vendors at the request's destination, for the editor."""
    return (Offering.objects.filter(is_active=True, vendor__is_active=True, vendor__city__iexact=req.destination)
            .select_related("vendor").order_by("vendor__name", "title"))


class RecommendationEditView(ExpertMixin, RequestScopeMixin, TemplateView):
    """The living recommendation: days, activities, restaurants, tips, alternatives and
    reasoning; saving writes the draft (a new version once the last one was sent)."""

    template_name = "expert/recommendation_edit.html"

    def forms(self, data=None):
        versions = list(recommendations_visible_to(self.request.user, self.state)[:10])
        latest = versions[0] if versions else None
        initial = [{"title": i.title, "offering": i.offering_id, "category": i.category or "activity", "day": i.day,
                    "start_time": i.start_time, "pinned": i.pinned, "reasoning": i.reasoning, "tips": i.tips,
                    "alternatives": i.alternatives} for i in (latest.items.all() if latest else [])]
        offerings = destination_offerings(self.experience_request)
        formset = RecommendationItemFormSet(data, initial=initial, prefix="items",
                                            form_kwargs={"offerings": offerings})
        form = RecommendationForm(data, initial={"summary": latest.summary if latest else ""})
        return form, formset, versions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, formset, versions = kwargs.get("forms") or self.forms()
        context.update(form=form, formset=formset, versions=versions,
                       draft=versions[0] if versions and versions[0].status == "draft" else None,
                       editable=bool(self.state.expert_accepted_at)
                       and self.state.phase in recommendations.EDITABLE_PHASES)
        return context

    def post(self, request, request_id):
        form, formset, versions = bundle = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            items = [f.to_item() for f in formset if f.has_changed() and not f.cleaned_data.get("DELETE")
                     and f.cleaned_data.get("title")]
            try:
                recommendations.recommendation_edit(state_id=self.state.pk, actor=request.user,
                                                    summary=form.cleaned_data["summary"], items=items)
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from None
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Draft saved. Send it when it is ready."))
                return redirect("expert:recommendation", request_id=request_id)
        return self.render_to_response(self.get_context_data(forms=bundle), status=400)


class RecommendationSendView(_ExpertCommand):
    success_message = gettext_lazy("Sent. The traveler reviews each item; you see their answers live.")

    def command(self, data):
        recommendations.recommendation_send(state_id=self.state.pk, actor=self.request.user)


class GenerateView(_ExpertCommand):
    success_message = gettext_lazy("Your draft is ready: only you see it. Edit it, then send it.")

    def command(self, data):
        itinerary_services.itinerary_generate(state_id=self.state.pk, actor=self.request.user)


class ChangeAcceptView(_ExpertCommand):
    success_message = gettext_lazy("Change accepted. The new items are being booked; the traveler sees it live.")

    def command(self, data):
        accept_change(state_id=self.state.pk, actor=self.request.user)


class SendView(_ExpertCommand):
    success_message = gettext_lazy("Sent. The traveler sees the plan now and can approve it.")

    def command(self, data):
        itinerary_services.itinerary_send(state_id=self.state.pk, actor=self.request.user)


class DraftAddView(_ExpertCommand):
    """Add an offering or a place from the search to the draft."""

    success_message = gettext_lazy("Added to the draft.")

    def command(self, data):
        form = DraftAddForm(data)
        values = cleaned(form)
        drafts.draft_item_add(state_id=self.state.pk, actor=self.request.user, day=values["day"],
                              time=values["time"], **form.ids())


class DraftEditView(_ExpertCommand):
    """One edit of a draft item, ``verb`` in the URL: move, replace, remove, pin, note."""

    MESSAGES = {"move": gettext_lazy("Moved."), "replace": gettext_lazy("Replaced."),
                "remove": gettext_lazy("Removed from the draft."), "pin": gettext_lazy("Saved."),
                "note": gettext_lazy("Tips saved.")}

    def command(self, data):
        verb = self.kwargs["verb"]
        if verb not in self.MESSAGES:
            raise Http404
        self.success_message = self.MESSAGES[verb]
        edit = {"state_id": self.state.pk, "actor": self.request.user, "item_id": self.kwargs["item_id"]}
        if verb == "move":
            drafts.draft_item_move(**edit, **cleaned(DraftMoveForm(data)))
        elif verb == "replace":
            form = DraftEntryForm(data)
            cleaned(form)
            drafts.draft_item_replace(**edit, **form.ids())
        elif verb == "remove":
            drafts.draft_item_remove(**edit)
        elif verb == "pin":
            drafts.draft_item_pin(**edit, **cleaned(DraftPinForm(data)))
        else:
            drafts.draft_item_note(**edit, **cleaned(DraftNoteForm(data)))

    def default_next(self) -> str:
        return f"{super().default_next()}#item-{self.kwargs['item_id']}"


class ChatPageView(ExpertMixin, ChatContextMixin, TemplateView):
    """The conversation with the traveler and the threads with the request's vendors."""

    template_name = "expert/chat.html"
