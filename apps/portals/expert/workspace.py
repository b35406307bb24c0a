"""One client request for its expert: the facts, the recommendation editor with its
versions, the itinerary (generate / re-plan), the request's bookings and the chat."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.access import bookings_visible_to, recommendations_visible_to
from apps.coordination.services import itinerary as itinerary_services
from apps.coordination.services import recommendations
from apps.core.errors import DomainError
from apps.portals.shared import (ChatContextMixin, ItineraryContextMixin, PartsMixin, RequestScopeMixin, accept_change,
                                 error_text)
from apps.vendors.models import Offering

from .forms import RecommendationForm, RecommendationItemFormSet
from .inbox import ExpertMixin, _ExpertCommand


class RequestView(ExpertMixin, ItineraryContextMixin, PartsMixin, TemplateView):
    """The client's request: what they asked for, where it stands, the plan and bookings.
    ``?part=days`` / ``?part=bookings`` are the live-refreshed fragments."""

    template_name = "expert/request_detail.html"
    parts = {"days": "components/_itinerary_days.html", "bookings": "expert/_request_bookings.html"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(recommendations_visible_to(self.request.user, self.state)[:5])
        context.update(self.itinerary_context(), portal="expert", versions=versions,
                       bookings=bookings_visible_to(self.request.user).filter(state=self.state)
                       .order_by("slot__start", "pk"))
        return context


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
    success_message = gettext_lazy("A new itinerary version is ready for the traveler.")

    def command(self, data):
        itinerary_services.itinerary_generate(state_id=self.state.pk, actor=self.request.user)


class ChangeAcceptView(_ExpertCommand):
    success_message = gettext_lazy("Change accepted. The new items are being booked; the traveler sees it live.")

    def command(self, data):
        accept_change(state_id=self.state.pk, actor=self.request.user)


class ChatPageView(ExpertMixin, ChatContextMixin, TemplateView):
    """The conversation with the traveler and the threads with the request's vendors."""

    template_name = "expert/chat.html"
