"""The traveler's answer to a vendor's counter-proposal on one of their bookings (another
time and/or price): accepting confirms the booking at it, through the same command as
``POST /api/v1/bookings/<id>/accept-proposal/``; saying no is cancelling the booking."""
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.coordination.models import Booking
from apps.coordination.services.bookings import booking_proposal_accept
from apps.core.errors import NotFound
from apps.portals.gates import TravelerPortalMixin
from apps.portals.shared import CommandView


class ProposalAcceptView(TravelerPortalMixin, CommandView):
    success_message = gettext_lazy("Accepted: the booking is confirmed as the vendor proposed.")

    def command(self, data):
        if not Booking.objects.filter(pk=self.kwargs["booking_id"], state=self.state).exists():
            raise NotFound(_("No such booking."), code="booking.not_found")
        booking_proposal_accept(booking_id=self.kwargs["booking_id"], actor=self.request.user)

    def default_next(self) -> str:
        return reverse("traveler:request_detail", args=[self.kwargs["request_id"]])
