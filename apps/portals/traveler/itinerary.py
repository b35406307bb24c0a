"""Traveler pages of the itinerary: the day-by-day plan (live), approve it, reject or move
one vendor item, plan (again), and the budget view."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.services import itinerary as itinerary_services
from apps.core.errors import DomainError
from apps.portals.gates import TravelerPortalMixin
from apps.portals.pagecache import CachedRequestPageMixin
from apps.portals.shared import CommandView, ItineraryContextMixin, PartsMixin, accept_change, cleaned

from .forms import ItemMoveForm


class ItineraryView(TravelerPortalMixin, CachedRequestPageMixin, ItineraryContextMixin, PartsMixin, TemplateView):
    """The plan day by day; ``?part=days`` is the live-refreshed fragment."""

    template_name = "traveler/itinerary.html"
    parts = {"days": "components/_days_html.html"}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.itinerary_context(portal="traveler"),
                "portal": "traveler"}


class BudgetView(TravelerPortalMixin, ItineraryContextMixin, TemplateView):
    """What the plan costs in the traveler's currency: by category, by day, against the budget."""

    template_name = "traveler/budget.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.itinerary_context()}


class _ItineraryCommand(TravelerPortalMixin, CommandView):
    def default_next(self) -> str:
        return reverse("traveler:itinerary", args=[self.kwargs["request_id"]])


class GenerateView(_ItineraryCommand):
    success_message = gettext_lazy("Here is your plan. Review it day by day.")

    def command(self, data):
        itinerary_services.itinerary_generate(state_id=self.state.pk, actor=self.request.user)


class ApproveView(_ItineraryCommand):
    success_message = gettext_lazy("Plan approved. We are asking the vendors now; watch the statuses change here.")

    def command(self, data):
        state = itinerary_services.itinerary_approve(state_id=self.state.pk, actor=self.request.user)
        if state.unbooked:
            raise DomainError(_("Approved, but some items could not be booked: %(items)s.")
                              % {"items": ", ".join(f"{u['title']} ({u['reason']})" for u in state.unbooked)},
                              code="itinerary.partly_booked")


class ChangeAcceptView(_ItineraryCommand):
    success_message = gettext_lazy("Change accepted. We are booking what is new; watch the statuses change here.")

    def command(self, data):
        accept_change(state_id=self.state.pk, actor=self.request.user)


class ItemRejectView(_ItineraryCommand):
    success_message = gettext_lazy("Removed. Here is the new version of your plan.")

    def command(self, data):
        itinerary_services.itinerary_item_reject(state_id=self.state.pk, actor=self.request.user,
                                                 item_id=self.kwargs["item_id"], reason=data.get("reason", ""))


class ItemMoveView(_ItineraryCommand):
    success_message = gettext_lazy("Moved. Here is the new version of your plan.")

    def command(self, data):
        move = cleaned(ItemMoveForm(data))
        itinerary_services.itinerary_item_modify(state_id=self.state.pk, actor=self.request.user,
                                                 item_id=self.kwargs["item_id"], day=move["day"], time=move["time"],
                                                 note=move["note"])
