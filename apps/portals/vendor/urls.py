from django.urls import path

from . import views

app_name = "vendor"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("bookings/<id:pk>/", views.BookingDetailView.as_view(), name="booking"),
    path("bookings/<id:pk>/schedule/", views.BookingScheduleView.as_view(), name="booking-schedule"),
    path("installments/<id:pk>/paid/", views.InstallmentPaidView.as_view(), name="installment-paid"),
    path("negotiations/", views.NegotiationListView.as_view(), name="negotiations"),
    path("negotiations/<id:pk>/offer/", views.NegotiationOfferView.as_view(), name="negotiation-offer"),
    path("negotiations/<id:pk>/accept/", views.NegotiationAcceptView.as_view(), name="negotiation-accept"),
    path("bookings/<id:pk>/respond/", views.BookingRespondView.as_view(), name="booking-respond"),
    path("bookings/<id:pk>/arrived/", views.BookingArrivedView.as_view(), name="booking-arrived"),
    path("slots/", views.SlotListView.as_view(), name="slots"),
    path("inventory/", views.InventoryView.as_view(), name="inventory"),
    path("slots/bulk/", views.SlotBulkCreateView.as_view(), name="slots-bulk"),
    path("slots/<id:pk>/capacity/", views.SlotCapacityView.as_view(), name="slot-capacity"),
]
