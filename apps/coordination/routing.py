from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/requests/<id:request_id>/", consumers.RequestConsumer.as_asgi()),
    path("ws/me/", consumers.MeConsumer.as_asgi()),
]
