from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self):
        from django.conf import settings
        from django.urls import register_converter
        from django_q.conf import Conf
        from django_q.signals import pre_enqueue, pre_execute

        from .ids import IdConverter
        from .requestlog import task_carry_request_id, task_restore_request_id

        register_converter(IdConverter, "id")  # before any URLconf is imported
        # django-q2 signs tasks with SECRET_KEY (read once, at import); sign them with the
        # dedicated, stable key instead, so rotating SECRET_KEY drops no queued task.
        Conf.SECRET_KEY = settings.Q_SIGNING_KEY
        pre_enqueue.connect(task_carry_request_id, dispatch_uid="core.task_carry_request_id")
        pre_execute.connect(task_restore_request_id, dispatch_uid="core.task_restore_request_id")
