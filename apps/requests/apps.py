from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "apps.requests"
    label = "requests"
    verbose_name = "Experience requests"
