"""Traveler pages of a wedding or event: the shortlist with each vendor's price negotiation
(offer, counter, accept), then settling the agreed prices into confirmed bookings with a
payment schedule."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.access import shortlist_visible_to
from apps.coordination.models import PriceOffer, ShortlistEntry
from apps.coordination.phases import HOLDING_STATUSES, BookingStatus
from apps.coordination.services import weddings
from apps.coordination.services.lifecycle import NOT_CANCELLABLE
from apps.portals.gates import TravelerPortalMixin
from apps.portals.negotiation import PriceOfferForm, ScheduleForm, negotiations
from apps.portals.shared import CommandView, RequestScopeMixin, cleaned

from . import selectors


class ShortlistView(TravelerPortalMixin, RequestScopeMixin, TemplateView):
    """The shortlist by category: each vendor's list price, the offers both ways (in the
    vendor's and the traveler's currency) and the next move; then settle and pay. (A trip
    has no shortlist: its page says so.)"""

    template_name = "traveler/shortlist.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, state = self.request.user, self.state
        entries = shortlist_visible_to(user, state).select_related("offering__vendor", "slot", "state__request")
        rows = negotiations(entries, party=PriceOffer.Party.CLIENT, home_currency=user.currency)
        overview = selectors.request_overview(user, state)
        agreed = {row.entry.offering_id for row in rows if row.entry.status == ShortlistEntry.Status.AGREED}
        to_settle = [b for b in overview["bookings"] if b.status == BookingStatus.PENDING and b.offering_id in agreed]
        context.update(rows=rows, schedule_form=ScheduleForm(), to_settle=to_settle,
                       bookings=overview["bookings"], bookings_total=overview["bookings_total"],
                       can_add=state.phase in weddings.NEGOTIATION_PHASES,
                       cancellable_statuses=list(HOLDING_STATUSES), closed_phases=list(NOT_CANCELLABLE))
        return context


class _ShortlistCommand(TravelerPortalMixin, CommandView):
    def default_next(self) -> str:
        return reverse("traveler:shortlist", args=[self.kwargs["request_id"]])


class OfferView(_ShortlistCommand):
    success_message = gettext_lazy("Offer sent. The vendor answers here.")

    def command(self, data):
        offer = cleaned(PriceOfferForm(data))
        weddings.price_offer(state_id=self.state.pk, actor=self.request.user, entry_id=self.kwargs["entry_id"],
                             amount=offer["amount"], note=offer["note"])


class AcceptView(_ShortlistCommand):
    success_message = gettext_lazy("Price agreed. Plan the day, approve it, then settle the bookings.")

    def command(self, data):
        weddings.price_accept(state_id=self.state.pk, actor=self.request.user, entry_id=self.kwargs["entry_id"])


class SettleView(_ShortlistCommand):
    success_message = gettext_lazy("Booked at the agreed prices. Your payment schedule is below.")

    def command(self, data):
        schedule = cleaned(ScheduleForm(data))
        weddings.negotiated_bookings_settle(state_id=self.state.pk, actor=self.request.user, **schedule)
