from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "apps.experts"
    label = "experts"
