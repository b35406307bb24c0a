"""The trip check panel, a portal-agnostic live fragment (``live:checks``) on the traveler's
and the expert's request pages: the guard's findings (scoped by the access policy), a
button per suggestion, and the arrival and departure form. GET renders it; POST
``suggestion`` applies one, POST ``travel`` sets the legs; either answers the panel again
(a refused command with its message). The page re-fetches it on ``checks.changed``."""
from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views import View

from apps.coordination.access import can_plan, can_view_request, checks_visible_to, live_access
from apps.coordination.phases import OPEN_PHASES, Phase
from apps.coordination.services.guard import checks_apply, travel_set
from apps.core.errors import DomainError
from apps.requests.legs import MODES, Leg, leg_from_local

LEGS = ("arrival", "departure")


def _leg_input(post, name: str) -> dict | None:
    return leg_from_local(post.get(f"{name}_at", ""), post.get(f"{name}_place", ""), post.get(f"{name}_mode", ""),
                          post.get(f"{name}_reference", ""))


def _initial(leg: dict | None) -> dict:
    if not leg:
        return {"mode": "flight"}
    return {"at": Leg.from_json(leg).local.strftime("%Y-%m-%dT%H:%M"), "mode": leg["mode"], "place": leg["place"],
            "reference": leg.get("reference", "")}


class ChecksView(LoginRequiredMixin, View):
    def _state(self, request, request_id: int):
        access = live_access(request.user, request_id)
        if access is None:
            raise Http404
        return access.state

    def _render(self, request, request_id: int, *, error: str = "", errors: dict | None = None, status: int = 200):
        state = self._state(request, request_id)
        state.refresh_from_db(fields=["checks", "phase", "version"])
        full = can_view_request(request.user, state)
        findings = checks_visible_to(request.user, state)
        context = {
            "findings": findings, "errors_count": sum(f["severity"] == "error" for f in findings),
            "can_apply": can_plan(request.user, state) and state.phase == Phase.PLANNING,
            "can_edit_travel": full and state.phase in OPEN_PHASES, "checks_url": reverse("live:checks", args=[request_id]),
            "legs": [(name, _initial(getattr(state.request, name))) for name in LEGS] if full else [],
            "modes": MODES, "error": error, "errors": errors or {}, "time_zone": state.request.time_zone,
        }
        return render(request, "components/_checks.html", context, status=status)

    def get(self, request, request_id: int):
        return self._render(request, request_id)

    def post(self, request, request_id: int):
        state = self._state(request, request_id)
        try:
            if "suggestion" in request.POST:
                checks_apply(state_id=state.pk, actor=request.user, suggestion_id=request.POST["suggestion"][:64])
            else:
                travel_set(state_id=state.pk, actor=request.user,
                           legs={name: _leg_input(request.POST, name) for name in LEGS})
        except DomainError as exc:
            return self._render(request, request_id, error=exc.message, errors=exc.fields,
                                status=exc.status)
        return self._render(request, request_id)


urlpatterns = [path("requests/<id:request_id>/checks/", ChecksView.as_view(), name="checks")]
