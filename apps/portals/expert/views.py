from django.views.generic import TemplateView

from apps.core.portals import ExpertPortalMixin


class HomeView(ExpertPortalMixin, TemplateView):
    template_name = "expert/home.html"
