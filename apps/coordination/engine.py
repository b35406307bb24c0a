"""The coordination engine: the only place where a request's coordination changes.

Every command runs inside :func:`command`: one transaction that locks the state row,
lets the command check its rules and apply its change, then bumps the version, appends
exactly one :class:`Event` and writes one outbox row per audience. The outbox is
published after commit (see :mod:`apps.coordination.relay`); a crash between commit and
publish loses nothing because the periodic relay picks the rows up again.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.commit import after_commit, send_task
from apps.core.errors import Conflict

from .models import CoordinationState, Event, OutboxMessage
from .phases import PHASES


@dataclass
class Command:
    """What one engine command does to the locked state; see :func:`command`."""

    state: CoordinationState
    actor: object | None
    event_type: str | None = None
    payload: dict = field(default_factory=dict)
    vendor_payloads: dict[int, dict] = field(default_factory=dict)
    changed_fields: set[str] = field(default_factory=set)
    skipped: bool = False
    event: Event | None = None
    expert_user_at_start: int | None = None

    def require_phase(self, *phases: str) -> None:
        if self.state.phase not in phases:
            raise Conflict(
                _("Not possible while the request is %(phase)s.") % {"phase": self.state.get_phase_display().lower()},
                code="state.wrong_phase",
            )

    def transition(self, target: str) -> None:
        """Move to ``target`` if the phase table allows it, else refuse with a Conflict."""
        PHASES.move(self.state, target)
        self.changed_fields.add("phase")

    def set(self, **values) -> None:
        """Change other fields of the state (expert, current itinerary…)."""
        for name, value in values.items():
            setattr(self.state, name, value)
            self.changed_fields.add(name)

    def record(self, event_type: str, payload: dict | None = None, *, vendors: dict[int, dict] | None = None) -> None:
        """Name the single event of this command.

        ``vendors`` maps a vendor id to the part of the payload that vendor may see; only
        those vendors hear of the event.
        """
        if self.event_type is not None:
            raise RuntimeError("An engine command records exactly one event.")
        self.event_type = event_type
        self.payload = payload or {}
        self.vendor_payloads = vendors or {}

    def skip(self) -> None:
        """The command is already applied (idempotent retry): write nothing."""
        self.skipped = True


def _message(state: CoordinationState, event: Event, data: dict) -> dict:
    return {
        "type": "coordination.event",
        "state": state.pk,
        "request": state.request_id,
        "version": event.version,
        "event": event.type,
        "phase": state.phase,
        "data": data,
        "at": event.created_at.isoformat(),
    }


def _write_outbox(cmd: Command, event: Event) -> None:
    state = cmd.state
    full = _message(state, event, cmd.payload)
    rows = [OutboxMessage(event=event, group=f"request.{state.request_id}", payload=full),
            OutboxMessage(event=event, group="staff", payload=full)]
    stakeholders = {state.request.traveler_id}
    if state.expert_id:
        stakeholders.add(state.expert.user_id)
    rows += [OutboxMessage(event=event, group=f"user.{uid}", user_id=uid, payload=full) for uid in sorted(stakeholders)]
    # An expert this command removed hears that it happened (their feed drops the request),
    # but no longer sees its details.
    if cmd.expert_user_at_start and cmd.expert_user_at_start not in stakeholders:
        rows.append(OutboxMessage(event=event, group=f"user.{cmd.expert_user_at_start}",
                                  user_id=cmd.expert_user_at_start, payload=_message(state, event, {})))
    if cmd.vendor_payloads:
        from apps.vendors.models import Vendor

        owners = dict(Vendor.objects.filter(pk__in=cmd.vendor_payloads).values_list("pk", "user_id"))
        for vendor_id, data in sorted(cmd.vendor_payloads.items()):
            rows.append(OutboxMessage(event=event, group=f"vendor.{vendor_id}", user_id=owners.get(vendor_id),
                                      payload=_message(state, event, data)))
    OutboxMessage.objects.bulk_create(rows)


INSIGHTS_TASK = "apps.insights.tasks.on_event"


def _after_commit(event_id: int) -> None:
    """Publish the event, then queue what the platform learns from it (one task per event,
    when ``apps.insights`` is installed; one callback, so commands still add exactly one)."""
    from .relay import publish_event

    publish_event(event_id)
    if django_apps.is_installed("apps.insights"):
        send_task(INSIGHTS_TASK, event_id)


@contextmanager
def command(state_id: int, *, actor):
    """Run one engine command on the locked state row.

    The body receives a :class:`Command`; it raises :class:`DomainError` to refuse (the
    transaction rolls back, nothing is written), calls ``skip()`` when already applied,
    else calls ``record()`` once. On success the state's version is bumped by one, one
    event and its outbox rows are written, and publishing is scheduled after commit.
    """
    with transaction.atomic():
        state = (CoordinationState.objects.select_for_update(of=("self",))
                 .select_related("request", "expert").get(pk=state_id))
        cmd = Command(state=state, actor=actor if getattr(actor, "pk", None) else None,
                      expert_user_at_start=state.expert.user_id if state.expert_id else None)
        yield cmd
        if cmd.skipped:
            return
        if cmd.event_type is None:
            raise RuntimeError("An engine command must record an event or skip.")
        state.version += 1
        state.updated_at = timezone.now()
        state.save(update_fields=sorted(cmd.changed_fields | {"version", "updated_at"}))
        cmd.event = Event.objects.create(state=state, version=state.version, type=cmd.event_type, actor=cmd.actor,
                                         payload=cmd.payload)
        _write_outbox(cmd, cmd.event)
        after_commit(_after_commit, cmd.event.pk)
