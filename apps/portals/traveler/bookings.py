"""The traveler's answer to a vendor's counter-proposal on one of their bookings (another
time and/or price): accepting confirms the booking at it, through the same command as
``POST /api/v1/bookings/<id>/accept-proposal/``; saying no is cancelling the booking."""
from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.portals.gates import TravelerPortalMixin
from apps.portals.shared import CommandView, accept_proposal


class ProposalAcceptView(TravelerPortalMixin, CommandView):
    success_message = gettext_lazy("Accepted: the booking is confirmed as the vendor proposed.")

    def command(self, data):
        accept_proposal(state=self.state, booking_id=self.kwargs["booking_id"], actor=self.request.user)

    def default_next(self) -> str:
        return reverse("traveler:request_detail", args=[self.kwargs["request_id"]])
