"""The coordination engine: the only place where a request's coordination changes.

Every command runs inside :func:`command`: one transaction that locks the state row,
lets the command check its rules and apply its change, then bumps the version, appends
exactly one :class:`Event` and writes one outbox row per audience. The outbox is
published after commit (see :mod:`apps.coordination.relay`); a crash between commit and
publish loses nothing because the periodic relay picks the rows up again. Everything else
an event sets off (notifications, the apps subscribed in :mod:`.hooks`, the trip guard)
runs in one follow-up task per event (:func:`.flow_tasks.follow_up_event`), queued
right after the publish.

Slow work (the planner, providers, vendor inventories) never runs under the lock: the
caller reads a :func:`snapshot`, checks its rules and does the work on it, then applies
the result in ``command(..., expected_version=snapshot.version)``, which refuses with
``state.version_conflict`` if another command got in between.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.commit import after_commit, send_task
from apps.core.errors import Conflict, NotFound
from apps.core.requestlog import current_request_id

from . import checks
from .access import STAFF_GROUP, event_is_private, request_group, stakeholder_ids, user_group, vendor_group
from .clock import tick
from .models import CoordinationState, Event, OutboxMessage
from .phases import PHASES

FOLLOW_UP_TASK = "apps.coordination.flow_tasks.follow_up_event"


def require_phase(state: CoordinationState, *phases: str) -> None:
    """Refuse with ``state.wrong_phase`` unless the state is in one of ``phases``."""
    if state.phase not in phases:
        raise Conflict(
            _("Not possible while the request is %(phase)s.") % {"phase": state.get_phase_display().lower()},
            code="state.wrong_phase",
        )


@dataclass
class Command:
    """What one engine command does to the locked state; see :func:`command`."""

    state: CoordinationState
    actor: object | None
    event_type: str | None = None
    payload: dict = field(default_factory=dict)
    vendor_payloads: dict[int, dict] = field(default_factory=dict)
    vendor_users: dict[int, int | None] = field(default_factory=dict)
    changed_fields: set[str] = field(default_factory=set)
    skipped: bool = False
    event: Event | None = None
    expert_user_at_start: int | None = None

    def require_phase(self, *phases: str) -> None:
        require_phase(self.state, *phases)

    def transition(self, target: str) -> None:
        """Move to ``target`` if the phase table allows it, else refuse with a Conflict."""
        PHASES.move(self.state, target)
        self.changed_fields.add("phase")

    def set(self, **values) -> None:
        """Change other fields of the state (expert, current itinerary…)."""
        for name, value in values.items():
            setattr(self.state, name, value)
            self.changed_fields.add(name)

    def record(self, event_type: str, payload: dict | None = None, *, vendors: dict[int, dict] | None = None,
               vendor_users: dict[int, int | None] | None = None) -> None:
        """Name the single event of this command.

        ``vendors`` maps a vendor id to the part of the payload that vendor may see; only
        those vendors hear of the event. ``vendor_users`` (vendor id → its login's user id),
        when the caller has the vendors at hand, saves the engine looking their users up.
        """
        if self.event_type is not None:
            raise RuntimeError("An engine command records exactly one event.")
        self.event_type = event_type
        self.payload = payload or {}
        self.vendor_payloads = vendors or {}
        self.vendor_users = vendor_users or {}

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


def _write_outbox(cmd: Command, event: Event) -> list[OutboxMessage]:
    state = cmd.state
    full = _message(state, event, cmd.payload)
    if event_is_private(event.type):
        rows = [OutboxMessage(event=event, group=STAFF_GROUP, payload=full)]
        if state.expert_id:
            rows.append(OutboxMessage(event=event, group=user_group(state.expert.user_id),
                                      user_id=state.expert.user_id, payload=full))
        return OutboxMessage.objects.bulk_create(rows)
    rows = [OutboxMessage(event=event, group=request_group(state.request_id), payload=full),
            OutboxMessage(event=event, group=STAFF_GROUP, payload=full)]
    stakeholders = stakeholder_ids(state)
    rows += [OutboxMessage(event=event, group=user_group(uid), user_id=uid, payload=full) for uid in stakeholders]
    # An expert this command removed hears that it happened (their feed drops the request),
    # but no longer sees its details.
    if cmd.expert_user_at_start and cmd.expert_user_at_start not in stakeholders:
        rows.append(OutboxMessage(event=event, group=user_group(cmd.expert_user_at_start),
                                  user_id=cmd.expert_user_at_start, payload=_message(state, event, {})))
    if cmd.vendor_payloads:
        owners = dict(cmd.vendor_users)
        if not set(cmd.vendor_payloads) <= set(owners):
            from apps.vendors.models import Vendor

            owners = dict(Vendor.objects.filter(pk__in=cmd.vendor_payloads).values_list("pk", "user_id"))
        for vendor_id, data in sorted(cmd.vendor_payloads.items()):
            rows.append(OutboxMessage(event=event, group=vendor_group(vendor_id), user_id=owners.get(vendor_id),
                                      payload=_message(state, event, data)))
    return OutboxMessage.objects.bulk_create(rows)


def _tick(request_id: int, rows: list[OutboxMessage]) -> None:
    """The request's clock and those of the users whose own feed hears the event (:mod:`.clock`)."""
    tick(request_id=request_id, user_ids=(row.user_id for row in rows if row.user_id))


def _after_commit(event_id: int, rows: list[OutboxMessage], request_id: int,
                  guard_state_id: int | None = None) -> None:
    """Tick the clocks again (:func:`_tick`), publish the event's outbox rows as written
    (no read back), then queue the event's one follow-up task (notifications, :mod:`.hooks`
    subscribers and, after a command that changed what the trip guard judges, the guard);
    one callback, so a command still adds exactly one."""
    from .relay import publish_event

    _tick(request_id, rows)
    publish_event(event_id, rows=rows)
    send_task(FOLLOW_UP_TASK, event_id, guard_state_id)


def snapshot(state_id: int) -> CoordinationState:
    """The state as it is now, without a lock: what slow work is computed from.

    Every change of a state bumps its version, so rules checked on the snapshot still hold
    in ``command(..., expected_version=snapshot.version)``.
    """
    return CoordinationState.objects.select_related("request", "expert").get(pk=state_id)


@contextmanager
def command(state_id: int | None = None, *, actor, expected_version: int | None = None,
            request_id: int | None = None, missing_code: str = "request.not_found"):
    """Run one engine command on the locked state row (``state_id``, or the state of the
    request ``request_id``, which saves a caller that has only the request's id a look-up;
    no such request → NotFound ``missing_code``: the body checks who may act).

    The body receives a :class:`Command`; it raises :class:`DomainError` to refuse (the
    transaction rolls back, nothing is written), calls ``skip()`` when already applied,
    else calls ``record()`` once. On success the state's version is bumped by one, one
    event and its outbox rows are written, and publishing is scheduled after commit.
    With ``expected_version`` (the :func:`snapshot` the command was prepared from) a state
    changed meanwhile is refused with Conflict ``state.version_conflict`` before the body runs.
    """
    with transaction.atomic():
        locked = CoordinationState.objects.select_for_update(of=("self",)).select_related("request", "expert")
        if request_id is None:
            state = locked.get(pk=state_id)
        elif (state := locked.filter(request_id=request_id).first()) is None:
            raise NotFound(_("No such request."), code=missing_code)
        if expected_version is not None and state.version != expected_version:
            raise Conflict(_("The request changed while this was being prepared; please try again."),
                           code="state.version_conflict")
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
                                         payload=cmd.payload, request_id=current_request_id())
        rows = _write_outbox(cmd, cmd.event)
        _tick(state.request_id, rows)  # and again after the commit: see .clock
        after_commit(_after_commit, cmd.event.pk, rows, state.request_id,
                     state.pk if checks.guards(cmd.event_type, state) else None)
