from django.db import transaction

from apps.core.commit import enqueue
from apps.requests.models import Path
from apps.requests.services import IntakeData, request_create

from .. import engine
from ..models import CoordinationState
from ..phases import Phase


def request_submit(*, traveler, data: IntakeData) -> CoordinationState:
    """Intake: store the request and open its coordination state: phase ``matching`` on the
    expert path, ``planning`` on the browse path (no expert).

    Raises DomainError (with ``fields``) on invalid input; nothing is written then.
    Emits ``request.submitted`` (version 1, with the phase). On the expert path, after
    commit, a task checks whether any expert fits (else the fallback: queue + own plan).
    """
    with transaction.atomic():
        request = request_create(traveler=traveler, data=data)
        state = CoordinationState.objects.create(request=request)
        with engine.command(state.pk, actor=traveler) as cmd:
            if request.path == Path.BROWSE:
                cmd.transition(Phase.PLANNING)
            else:
                enqueue("apps.coordination.flow_tasks.match_or_fallback", state.pk)
            cmd.record("request.submitted", {
                "destination": request.destination, "experience_type": request.experience_type,
                "start": request.start_date.isoformat(), "end": request.end_date.isoformat(), "path": request.path,
                "phase": cmd.state.phase,
            })
        return cmd.state
