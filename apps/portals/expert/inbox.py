"""Expert home: the inbox of matched requests (accept / decline) with capacity, active
clients, consultation calendar and the expert's own metrics."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.services import experts
from apps.experts.selectors import expert_signals
from apps.portals.gates import ExpertPortalMixin
from apps.portals.pagecache import CachedOwnPageMixin
from apps.portals.shared import CommandView, PartsMixin

from . import selectors

ACTIVE_PAGE = 10


class ExpertMixin(ExpertPortalMixin):
    @cached_property
    def profile(self):
        return selectors.expert_of(self.request.user)

    @property
    def expert(self):
        """The signed-in expert's profile; an expert login without one sees nothing (404)."""
        if self.profile is None:
            raise Http404
        return self.profile

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "expert": self.expert}


class HomeView(ExpertMixin, CachedOwnPageMixin, PartsMixin, TemplateView):
    """The inbox; ``?part=waiting`` is the live-refreshed list of new requests (a traveler's
    choice arrives on the expert's ``/ws/me/`` feed)."""

    template_name = "expert/home.html"
    parts = {"waiting": "expert/_waiting.html"}

    def get_context_data(self, **kwargs):
        if self.profile is None:  # a login not linked to a profile yet: say so, no 404
            return TemplateView.get_context_data(self, **kwargs)
        context = super().get_context_data(**kwargs)
        lists = selectors.inbox(self.request.user)
        page = Paginator(lists["active"], ACTIVE_PAGE).get_page(self.request.GET.get("page"))
        context.update(waiting=lists["waiting"], page_obj=page, active=page.object_list,
                       is_paginated=page.has_other_pages(), signals=expert_signals([self.expert.pk])[self.expert.pk],
                       board=selectors.booking_counts(self.request.user))
        return context


class CalendarView(ExpertMixin, TemplateView):
    """Consultations: booked ones with their traveler, free ones, in the expert's zone
    (and the traveler's beside it)."""

    template_name = "expert/calendar.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "days": selectors.consultation_days(self.expert)}


class MetricsView(ExpertMixin, TemplateView):
    """Response time, satisfaction and booking success (``expert_signals``) and load."""

    template_name = "expert/metrics.html"

    def get_context_data(self, **kwargs):
        lists = selectors.inbox(self.request.user)
        return {**super().get_context_data(**kwargs), "signals": expert_signals([self.expert.pk])[self.expert.pk],
                "waiting_count": lists["waiting"].count(), "active_count": lists["active"].count()}


class _ExpertCommand(ExpertPortalMixin, CommandView):
    def default_next(self) -> str:
        return reverse("expert:request", args=[self.kwargs["request_id"]])


class AcceptView(_ExpertCommand):
    success_message = gettext_lazy("Accepted. The traveler knows; start with your recommendations.")

    def command(self, data):
        experts.expert_accept(state_id=self.state.pk, actor=self.request.user)


class DeclineView(_ExpertCommand):
    success_message = gettext_lazy("Declined. We offer the traveler other experts.")

    def command(self, data):
        experts.expert_decline(state_id=self.state.pk, actor=self.request.user, reason=data.get("reason", ""))

    def default_next(self) -> str:
        return reverse("expert:home")
