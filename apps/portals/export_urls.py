"""URLs of the outputs: ``exports:`` under /exports/ (signed-in owners and the webcal feed)
and ``share:`` under /share/ (public read-only pages)."""
from django.urls import path

from apps.itineraries.models import CalendarSubscription, ShareLink

from . import exports as views

app_name = "exports"
urlpatterns = [
    path("requests/<id:request_id>/", views.ItineraryView.as_view(), name="itinerary"),
    path("requests/<id:request_id>/data.json", views.DataView.as_view(), name="data"),
    path("requests/<id:request_id>/itinerary.ics", views.IcsView.as_view(), name="ics"),
    path("requests/<id:request_id>/export/<str:kind>/", views.ExportStartView.as_view(), name="export-start"),
    path("requests/<id:request_id>/export/<str:kind>/status/", views.ExportStatusView.as_view(), name="export-status"),
    path("requests/<id:request_id>/export/<str:kind>/download/", views.ExportDownloadView.as_view(),
         name="export-download"),
    path("requests/<id:request_id>/calendar/", views.CalendarCreateView.as_view(), name="calendar-create"),
    path("requests/<id:request_id>/calendar/<id:link_id>/revoke/",
         views.RevokeView.as_view(model=CalendarSubscription), name="calendar-revoke"),
    path("requests/<id:request_id>/share/", views.ShareCreateView.as_view(), name="share-create"),
    path("requests/<id:request_id>/share/<id:link_id>/revoke/", views.RevokeView.as_view(model=ShareLink),
         name="share-revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]

share_urlpatterns = (
    [
        path("<str:token>/", views.share_page, name="page"),
        path("<str:token>/data.json", views.share_data, name="data"),
    ],
    "share",
)
