"""Extension points for apps that sit above coordination (``apps.insights``): they
register in their ``AppConfig.ready()``, so coordination calls them without importing them
and without dotted paths in settings.

- :func:`on_event` subscribes ``func(event_id)``; it runs in the worker, in the event's
  follow-up task (:func:`.flow_tasks.follow_up_event`, queued after each engine command
  commits and its event is published), after the notifications. It must be idempotent
  (a failed follow-up may run again); what it raises is logged and fails that task
  without stopping the guard.
- :func:`provide_planner_signals` names the one ``func(request) -> dict`` that gives the
  planner learned signals (vendor reliability, traveler history); without it the planner
  plans from the catalogue alone.
"""
from __future__ import annotations

from collections.abc import Callable

_event_subscribers: list[Callable[[int], object]] = []
_planner_signals: list[Callable[[object], dict]] = []


def on_event(func: Callable[[int], object]) -> Callable[[int], object]:
    """Subscribe ``func`` to every committed engine event (once, however often ``ready()`` runs)."""
    if func not in _event_subscribers:
        _event_subscribers.append(func)
    return func


def event_committed(event_id: int) -> None:
    """Follow-up task side: tell every subscriber that ``event_id`` is committed and published."""
    for func in tuple(_event_subscribers):
        func(event_id)


def provide_planner_signals(func: Callable[[object], dict]) -> None:
    """Make ``func`` the planner-signals provider (replaces an earlier one)."""
    _planner_signals[:] = [func]


def planner_signals(request) -> dict | None:
    """The registered provider's signals for ``request``; None when no app provides them."""
    return _planner_signals[0](request) if _planner_signals else None
