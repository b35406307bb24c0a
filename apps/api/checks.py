"""The trip guard over REST: ``requests/<id>/checks/`` (GET the findings: traveler, expert,
staff; a vendor only those about its own bookings), ``requests/<id>/checks/apply/``
(POST ``{"suggestion": id}``: traveler, accepted expert, staff) and
``requests/<id>/travel/`` (POST the arrival and/or departure: traveler, expert, staff)."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.coordination.access import checks_visible_to, requests_fully_visible_to, requests_visible_to
from apps.coordination.services.guard import checks_apply, travel_set

from .serializers import SuggestionInput, TravelInput


class FindingOutput(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    items = serializers.ListField(child=serializers.DictField())
    suggestion = serializers.DictField(allow_null=True)


def _state(user, request_id: int, *, whole: bool = True):
    scope = requests_fully_visible_to(user) if whole else requests_visible_to(user)
    return get_object_or_404(scope.select_related("coordination__request", "coordination__expert"),
                             pk=request_id).coordination


class RequestChecksView(APIView):
    @extend_schema(responses=FindingOutput(many=True))
    def get(self, request, request_id: int):
        state = _state(request.user, request_id, whole=False)
        return Response(checks_visible_to(request.user, state))


class ChecksApplyView(APIView):
    @extend_schema(request=SuggestionInput, responses=FindingOutput(many=True))
    def post(self, request, request_id: int):
        data = SuggestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        state = checks_apply(state_id=_state(request.user, request_id).pk, actor=request.user,
                             suggestion_id=data.validated_data["suggestion"])
        state.refresh_from_db(fields=["checks"])
        return Response(checks_visible_to(request.user, state))


class TravelView(APIView):
    @extend_schema(request=TravelInput, responses={200: dict})
    def post(self, request, request_id: int):
        data = TravelInput(data=request.data)
        data.is_valid(raise_exception=True)
        state = travel_set(state_id=_state(request.user, request_id).pk, actor=request.user, legs=data.to_legs())
        req = state.request
        return Response({"arrival": req.arrival, "departure": req.departure, "checks": list(state.checks)})
