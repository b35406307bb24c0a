"""Traveler pages that cancel: one booking, or the whole request. Each shows first what
comes back under each vendor's policy (the preview the cancellation itself computes),
then cancels on confirmation."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.coordination.services.bookings import booking_cancel
from apps.coordination.services.lifecycle import cancellation_preview, request_cancel
from apps.core.errors import DomainError
from apps.portals.gates import TravelerPortalMixin
from apps.portals.shared import CommandView


class _CancelView(TravelerPortalMixin, CommandView, TemplateView):
    """GET: the refund preview with a confirmation button; POST: the cancellation."""

    template_name = "traveler/cancel.html"
    booking_id: int | None = None

    def get_context_data(self, **kwargs):
        try:
            preview = cancellation_preview(state_id=self.state.pk, actor=self.request.user,
                                           booking_id=self.kwargs.get("booking_id"))
        except DomainError as exc:  # a booking that no longer holds anything, or someone else's
            raise Http404(exc.message) from None
        starts = [dt.datetime.fromisoformat(b["start"]) if b["start"] else None for b in preview["bookings"]]
        return {**super().get_context_data(**kwargs), "preview": preview, "rows": zip(preview["bookings"], starts),
                "one": "booking_id" in self.kwargs}

    def default_next(self) -> str:
        return reverse("traveler:request_detail", args=[self.kwargs["request_id"]])


class BookingCancelView(_CancelView):
    success_message = gettext_lazy("Booking cancelled. The refund shown is on its way from the vendor.")

    def command(self, data):
        booking_cancel(booking_id=self.kwargs["booking_id"], actor=self.request.user, reason=data.get("reason", ""))


class RequestCancelView(_CancelView):
    success_message = gettext_lazy("Your trip is cancelled, with every booking. The refunds shown are on their way.")

    def command(self, data):
        request_cancel(state_id=self.state.pk, actor=self.request.user, reason=data.get("reason", ""))
