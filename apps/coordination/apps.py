from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "apps.coordination"
    label = "coordination"
