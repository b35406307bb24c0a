from django.urls import path

from . import views

app_name = "vendor"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("bookings/<id:pk>/respond/", views.BookingRespondView.as_view(), name="booking-respond"),
    path("bookings/<id:pk>/arrived/", views.BookingArrivedView.as_view(), name="booking-arrived"),
    path("slots/", views.SlotListView.as_view(), name="slots"),
    path("inventory/", views.InventoryView.as_view(), name="inventory"),
    path("slots/bulk/", views.SlotBulkCreateView.as_view(), name="slots-bulk"),
    path("slots/<id:pk>/capacity/", views.SlotCapacityView.as_view(), name="slot-capacity"),
]
