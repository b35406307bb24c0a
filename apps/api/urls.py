from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import auth, bookings, chat, checks, exports, hooks, imports, notifications, reviews, vendors, views

app_name = "api"
router = DefaultRouter()
router.register("requests", views.RequestViewSet, basename="request")
router.register("bookings", bookings.BookingViewSet, basename="booking")
router.register("vendors", vendors.VendorViewSet, basename="vendor")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("requests/<id:request_id>/messages/", chat.RequestMessagesView.as_view(), name="request-messages"),
    path("requests/<id:request_id>/threads/", chat.RequestThreadsView.as_view(), name="request-threads"),
    path("requests/<id:request_id>/threads/<id:thread_id>/read/", chat.ThreadReadView.as_view(),
         name="thread-read"),
    path("requests/<id:request_id>/sync-status/", notifications.SyncStatusView.as_view(), name="request-sync-status"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("notifications/<id:notification_id>/read/", notifications.NotificationReadView.as_view(),
         name="notification-read"),
    path("notifications/read-all/", notifications.NotificationReadView.as_view(), name="notifications-read-all"),
    path("notifications/preferences/", notifications.PreferenceView.as_view(), name="notification-preferences"),
    path("notifications/push/", notifications.PushSubscriptionView.as_view(), name="notification-push"),
    path("vendor-hooks/<id:vendor_id>/", hooks.VendorHookView.as_view(), name="vendor-hook"),
    path("octo-hooks/<id:vendor_id>/", hooks.OctoHookView.as_view(), name="octo-hook"),
    path("requests/<id:request_id>/reviews/", reviews.RequestReviewsView.as_view(), name="request-reviews"),
    path("requests/<id:request_id>/suggestions/", reviews.RequestSuggestionsView.as_view(),
         name="request-suggestions"),
    path("requests/<id:request_id>/imports/", imports.RequestImportsView.as_view(), name="request-imports"),
    path("requests/<id:request_id>/imports/<id:import_id>/confirm/", imports.ImportConfirmView.as_view(),
         name="request-import-confirm"),
    path("requests/<id:pk>/itinerary.ics", exports.ItineraryIcsView.as_view(), name="request-itinerary-ics"),
    path("requests/<id:pk>/itinerary.pdf", exports.ItineraryPdfView.as_view(), name="request-itinerary-pdf"),
    path("requests/<id:request_id>/checks/", checks.RequestChecksView.as_view(), name="request-checks"),
    path("requests/<id:request_id>/checks/apply/", checks.ChecksApplyView.as_view(), name="request-checks-apply"),
    path("requests/<id:request_id>/travel/", checks.TravelView.as_view(), name="request-travel"),
    path("", include(router.urls)),
]
