from django.urls import path

from . import bookings, inbox, workspace

app_name = "expert"
request = "requests/<id:request_id>/"
urlpatterns = [
    path("", inbox.HomeView.as_view(), name="home"),
    path("calendar/", inbox.CalendarView.as_view(), name="calendar"),
    path("metrics/", inbox.MetricsView.as_view(), name="metrics"),
    path("bookings/", bookings.BookingBoardView.as_view(), name="bookings"),
    path(request, workspace.RequestView.as_view(), name="request"),
    path(f"{request}accept/", inbox.AcceptView.as_view(), name="accept"),
    path(f"{request}decline/", inbox.DeclineView.as_view(), name="decline"),
    path(f"{request}recommendation/", workspace.RecommendationEditView.as_view(), name="recommendation"),
    path(f"{request}recommendation/send/", workspace.RecommendationSendView.as_view(), name="recommendation_send"),
    path(f"{request}itinerary/generate/", workspace.GenerateView.as_view(), name="itinerary_generate"),
    path(f"{request}itinerary/accept-change/", workspace.ChangeAcceptView.as_view(), name="itinerary_change_accept"),
    path(f"{request}itinerary/send/", workspace.SendView.as_view(), name="itinerary_send"),
    path(f"{request}itinerary/draft/items/", workspace.DraftAddView.as_view(), name="draft_add"),
    path(f"{request}itinerary/draft/items/<id:item_id>/<slug:verb>/", workspace.DraftEditView.as_view(),
         name="draft_edit"),
    path(f"{request}chat/", workspace.ChatPageView.as_view(), name="chat"),
    path(f"{request}bookings/<id:booking_id>/accept-proposal/", bookings.ProposalAcceptView.as_view(),
         name="booking_proposal_accept"),
]
