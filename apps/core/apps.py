from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self):
        from django_q.signals import pre_enqueue, pre_execute

        from .requestlog import task_carry_request_id, task_restore_request_id

        pre_enqueue.connect(task_carry_request_id, dispatch_uid="core.task_carry_request_id")
        pre_execute.connect(task_restore_request_id, dispatch_uid="core.task_restore_request_id")
