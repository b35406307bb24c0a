"""Feedback and suggestions on one request: ``requests/<id>/reviews/`` (GET the request's
reviews; POST one after the trip, traveler only) and ``requests/<id>/suggestions/``
("travelers like you also booked", with reasons). Traveler, expert and staff of the
request only: anyone else (vendors included) gets 404."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.coordination.access import requests_fully_visible_to
from apps.coordination.models import Review
from apps.coordination.services.reviews import MAX_COMMENT, review_submit
from apps.insights.recommend import also_booked_for_request

from .serializers import IdField


class ReviewInputSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Review.Target.values)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=MAX_COMMENT, required=False, allow_blank=True, default="")
    expert = IdField(required=False, allow_null=True, default=None)
    vendor = IdField(required=False, allow_null=True, default=None)


class ReviewOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "target", "expert", "vendor", "rating", "comment", "created_at"]


class SuggestionOutputSerializer(serializers.Serializer):
    offering = serializers.IntegerField()
    title = serializers.CharField()
    vendor = serializers.CharField()
    score = serializers.FloatField()
    booked_together = serializers.IntegerField()
    partner = serializers.IntegerField(help_text="The picked offering it was most often booked with")
    reason = serializers.CharField()


def _state(user, request_id: int):
    """The request's coordination state if ``user`` sees the whole request, else 404."""
    experience = requests_fully_visible_to(user).filter(pk=request_id).first()
    if experience is None:
        raise Http404
    return experience.coordination


class RequestReviewsView(GenericAPIView):
    serializer_class = ReviewOutputSerializer
    pagination_class = None

    @extend_schema(responses=ReviewOutputSerializer(many=True))
    def get(self, request, request_id: int):
        state = _state(request.user, request_id)
        return Response(ReviewOutputSerializer(Review.objects.filter(state=state).order_by("pk"), many=True).data)

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewOutputSerializer})
    def post(self, request, request_id: int):
        state = _state(request.user, request_id)
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        review = review_submit(state_id=state.pk, actor=request.user, target=values["target"],
                               rating=values["rating"], comment=values["comment"], expert_id=values["expert"],
                               vendor_id=values["vendor"])
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


class RequestSuggestionsView(GenericAPIView):
    serializer_class = SuggestionOutputSerializer
    pagination_class = None

    @extend_schema(responses=SuggestionOutputSerializer(many=True))
    def get(self, request, request_id: int):
        state = _state(request.user, request_id)
        return Response([s.as_dict() for s in also_booked_for_request(state)])
