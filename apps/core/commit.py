"""After-commit side effects: one helper each, so nothing escapes a rolled-back transaction."""
import logging

from django.db import transaction

log = logging.getLogger(__name__)


def send_task(func_path: str, *args, **kwargs) -> bool:
    """Queue a django-q2 task now; False (logged) when the broker cannot take it.

    Called after a commit, so raising would turn a change that happened into an error
    for the caller. Every task is also covered by a periodic sweep or the outbox relay,
    which picks up what was not queued.
    """
    from django_q.tasks import async_task

    try:
        async_task(func_path, *args, **kwargs)
    except Exception:  # broker down: the sweeps catch up
        log.exception("task %s not queued; its periodic sweep will pick the work up", func_path)
        return False
    return True


def enqueue(func_path: str, *args, **kwargs) -> None:
    """Queue a django-q2 task once the current transaction commits."""
    transaction.on_commit(lambda: send_task(func_path, *args, **kwargs))


def after_commit(func, *args, **kwargs) -> None:
    """Run ``func`` after commit (at once when no transaction is open)."""
    transaction.on_commit(lambda: func(*args, **kwargs))
