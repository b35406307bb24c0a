from django.views.generic import TemplateView

from apps.core.portals import VendorPortalMixin


class HomeView(VendorPortalMixin, TemplateView):
    template_name = "vendor/home.html"
