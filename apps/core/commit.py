"""After-commit side effects: one helper each, so nothing escapes a rolled-back transaction."""
from django.db import transaction


def enqueue(func_path: str, *args, **kwargs) -> None:
    """Queue a django-q2 task once the current transaction commits."""

    def _send():
        from django_q.tasks import async_task

        async_task(func_path, *args, **kwargs)

    transaction.on_commit(_send)


def after_commit(func, *args, **kwargs) -> None:
    """Run ``func`` after commit (at once when no transaction is open)."""
    transaction.on_commit(lambda: func(*args, **kwargs))
