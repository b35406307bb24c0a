from django.urls import path

from . import bookings, browse, cancel, itinerary, profile, requests, reviews, weddings

app_name = "traveler"
request = "requests/<id:request_id>/"
urlpatterns = [
    path("", requests.HomeView.as_view(), name="home"),
    path("history/", reviews.HistoryView.as_view(), name="history"),
    path("notifications/", requests.NotificationsView.as_view(), name="notifications"),
    path("profile/", profile.ProfileView.as_view(), name="profile"),
    path("requests/new/", requests.RequestCreateView.as_view(), name="request_create"),
    path("requests/new/validate/", requests.RequestValidateView.as_view(), name="request_validate"),
    path(request, requests.RequestDetailView.as_view(), name="request_detail"),
    path(f"{request}expert/", requests.ExpertChooseView.as_view(), name="expert_choose"),
    path(f"{request}consultation/", requests.ConsultationBookView.as_view(), name="consultation_book"),
    path(f"{request}browse-path/", requests.BrowseStartView.as_view(), name="browse_start"),
    path(f"{request}recommendations/<id:item_id>/review/", requests.RecommendationReviewView.as_view(),
         name="recommendation_review"),
    path(f"{request}itinerary/", itinerary.ItineraryView.as_view(), name="itinerary"),
    path(f"{request}itinerary/generate/", itinerary.GenerateView.as_view(), name="itinerary_generate"),
    path(f"{request}itinerary/approve/", itinerary.ApproveView.as_view(), name="itinerary_approve"),
    path(f"{request}itinerary/accept-change/", itinerary.ChangeAcceptView.as_view(), name="itinerary_change_accept"),
    path(f"{request}itinerary/items/<id:item_id>/reject/", itinerary.ItemRejectView.as_view(), name="item_reject"),
    path(f"{request}itinerary/items/<id:item_id>/move/", itinerary.ItemMoveView.as_view(), name="item_move"),
    path(f"{request}budget/", itinerary.BudgetView.as_view(), name="budget"),
    path(f"{request}browse/", browse.BrowseView.as_view(), name="browse"),
    path(f"{request}browse/add/", browse.AddView.as_view(), name="browse_add"),
    path(f"{request}browse/wishes/<id:wish_id>/remove/", browse.WishRemoveView.as_view(), name="wish_remove"),
    path(f"{request}shortlist/", weddings.ShortlistView.as_view(), name="shortlist"),
    path(f"{request}shortlist/<id:entry_id>/offer/", weddings.OfferView.as_view(), name="shortlist_offer"),
    path(f"{request}shortlist/<id:entry_id>/accept/", weddings.AcceptView.as_view(), name="shortlist_accept"),
    path(f"{request}shortlist/settle/", weddings.SettleView.as_view(), name="shortlist_settle"),
    path(f"{request}vendor-notes/", requests.VendorNotesView.as_view(), name="vendor_notes"),
    path(f"{request}requirements/", requests.RequirementsChangeView.as_view(), name="requirements_change"),
    path(f"{request}chat/", requests.ChatPageView.as_view(), name="chat"),
    path(f"{request}cancel/", cancel.RequestCancelView.as_view(), name="request_cancel"),
    path(f"{request}bookings/<id:booking_id>/cancel/", cancel.BookingCancelView.as_view(), name="booking_cancel"),
    path(f"{request}bookings/<id:booking_id>/accept-proposal/", bookings.ProposalAcceptView.as_view(),
         name="booking_proposal_accept"),
    path(f"{request}reviews/", reviews.ReviewSubmitView.as_view(), name="review_submit"),
]
