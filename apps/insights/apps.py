from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "apps.insights"
    verbose_name = "Platform intelligence"

    def ready(self):
        """Learn from every engine event and feed the planner, through coordination's hooks
        (coordination never imports insights)."""
        from apps.coordination import hooks

        from .selectors import planner_signals
        from .tasks import on_event

        hooks.on_event(on_event)
        hooks.provide_planner_signals(planner_signals)
