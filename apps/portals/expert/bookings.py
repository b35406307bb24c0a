"""The expert's booking board across vendors: pending with deadlines, problems needing
action, confirmed; refreshed live from ``/ws/me/``."""
from django.views.generic import TemplateView

from apps.portals.shared import PartsMixin

from . import selectors
from .inbox import ExpertMixin


class BookingBoardView(ExpertMixin, PartsMixin, TemplateView):
    template_name = "expert/bookings.html"
    parts = {"board": "expert/_board.html"}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "board": selectors.booking_board(self.request.user)}
