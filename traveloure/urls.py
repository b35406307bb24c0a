from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts.views import landing
from apps.core.health import healthz, readyz
from apps.portals.export_urls import share_urlpatterns

urlpatterns = [
    path("", landing, name="landing"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("traveler/", include("apps.portals.traveler.urls")),
    path("expert/", include("apps.portals.expert.urls")),
    path("vendor/", include("apps.portals.vendor.urls")),
    path("live/", include("apps.portals.chat")),
    path("exports/", include("apps.portals.export_urls")),
    path("share/", include(share_urlpatterns)),
    path("api/v1/", include("apps.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "apps.api.errors.bad_request"
handler404 = "apps.api.errors.page_not_found"
handler500 = "apps.api.errors.server_error"
