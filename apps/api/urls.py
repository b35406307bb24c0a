from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"
router = DefaultRouter()
router.register("requests", views.RequestViewSet, basename="request")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("", include(router.urls)),
]
