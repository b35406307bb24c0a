from django.urls import path

from . import views

app_name = "traveler"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("requests/new/", views.RequestCreateView.as_view(), name="request_create"),
]
