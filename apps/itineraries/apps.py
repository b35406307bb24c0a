from django.apps import AppConfig


class ItinerariesConfig(AppConfig):
    name = "apps.itineraries"
    label = "itineraries"
