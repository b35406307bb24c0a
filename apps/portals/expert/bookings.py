"""The expert's booking board across vendors: pending with deadlines, problems needing
action (a vendor's counter-proposal is accepted from here), confirmed; refreshed live
from ``/ws/me/``."""
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.portals.shared import PartsMixin, accept_proposal

from . import selectors
from .inbox import ExpertMixin, _ExpertCommand


class BookingBoardView(ExpertMixin, PartsMixin, TemplateView):
    template_name = "expert/bookings.html"
    parts = {"board": "expert/_board.html"}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "board": selectors.booking_board(self.request.user)}


class ProposalAcceptView(_ExpertCommand):
    """Accept a vendor's counter-proposal (another time and/or price) on a booking of one
    of the expert's requests: the booking is confirmed at it."""

    success_message = gettext_lazy("Accepted: the booking is confirmed as the vendor proposed.")

    def command(self, data):
        accept_proposal(state=self.state, booking_id=self.kwargs["booking_id"], actor=self.request.user)

    def default_next(self) -> str:
        return reverse("expert:bookings")
