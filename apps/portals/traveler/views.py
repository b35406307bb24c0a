from django.views.generic import TemplateView

from apps.core.portals import TravelerPortalMixin


class HomeView(TravelerPortalMixin, TemplateView):
    template_name = "traveler/home.html"
