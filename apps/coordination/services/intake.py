from django.db import transaction

from apps.requests.services import IntakeData, request_create

from .. import engine
from ..models import CoordinationState


def request_submit(*, traveler, data: IntakeData) -> CoordinationState:
    """Intake: store the request and open its coordination state (phase ``matching``).

    Raises DomainError (with ``fields``) on invalid input; nothing is written then.
    Emits ``request.submitted`` (version 1).
    """
    with transaction.atomic():
        request = request_create(traveler=traveler, data=data)
        state = CoordinationState.objects.create(request=request)
        with engine.command(state.pk, actor=traveler) as cmd:
            cmd.record("request.submitted", {
                "destination": request.destination, "experience_type": request.experience_type,
                "start": request.start_date.isoformat(), "end": request.end_date.isoformat(), "path": request.path,
            })
        return cmd.state
