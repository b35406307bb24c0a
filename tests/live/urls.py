"""The project's URLs plus the live fragments mounted where a portal would mount them."""
from django.urls import include, path

from traveloure.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("live/", include("apps.portals.chat"))]
