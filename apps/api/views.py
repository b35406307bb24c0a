from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.models import Role
from apps.coordination.access import (can_edit_itinerary_draft, events_visible_to, has_role, plans_as_draft,
                                      recommendations_visible_to, require, requests_fully_visible_to,
                                      requests_open_to_negotiation, requests_visible_to, sees_vendor_slice,
                                      shortlist_visible_to)
from apps.coordination.models import CoordinationState
from apps.coordination.services.browse import browse_start, plan_item_add, plan_item_remove
from apps.coordination.services.changes import requirements_change
from apps.coordination.services.experts import (consultation_book, consultation_times, expert_accept, expert_choose,
                                                expert_decline, request_matches, require_traveler)
from apps.coordination.services.intake import request_submit
from apps.coordination.services import drafts
from apps.coordination.services.lifecycle import cancellation_outcome, cancellation_preview, request_cancel
from apps.coordination.services.itinerary import (itinerary_approve, itinerary_change_accept, itinerary_generate,
                                                  itinerary_item_modify, itinerary_item_reject, itinerary_send)
from apps.coordination.services.recommendations import (recommendation_edit, recommendation_item_review,
                                                        recommendation_send)
from apps.coordination.services.weddings import negotiated_bookings_settle, price_accept, price_offer, shortlist_add
from apps.core.errors import DomainError, NotFound
from apps.core.ids import parse_int
from apps.experts.selectors import consultation_slot_list_free
from apps.itineraries.selectors import (draft_alternatives, itinerary_draft_for_request, itinerary_serialize,
                                       itinerary_with_days)
from apps.vendors.selectors import offering_search

from .itinerary_answer import itinerary_answer, visible_itinerary
from .serializers import (ID_PATTERN, INTAKE_FIELD_PATHS, ConsultationSlotOutput, DraftAddInput, DraftEntryInput,
                          DraftMoveInput, DraftNoteInput, DraftPinInput, EventOutputSerializer, ExpertChoiceInput,
                          GenerateInput,
                          IntakeInputSerializer, ItemModifyInput, ItemReviewInput, MatchOutputSerializer,
                          OfferingOutput, OfferingSearchInput, PlanItemInput, PriceOfferInput, ReasonInput,
                          RecommendationInput, RecommendationItemOutput, RecommendationOutput,
                          RequestOutputSerializer, RequirementsInput, SettleInput, ShortlistInput, ShortlistOutput,
                          SlotChoiceInput, VendorRequestOutput)


def _input(serializer_class, request, *, query: bool = False):
    data = serializer_class(data=request.query_params if query else request.data)
    data.is_valid(raise_exception=True)
    return data


class FlowActionsMixin:
    """The coordination flow on ``requests/<id>/``: matches, expert, consultations,
    recommendations, itinerary, browse wishes, changes of mind, wedding shortlist.

    Every action first finds the request among those the caller sees whole (404
    otherwise: a vendor's slice is not enough; vendors negotiate through the shortlist's
    own scope); the services then check the caller's role on it (403 for a visible request).
    """

    def _state(self, pk, *, negotiation: bool = False, lean: bool = False) -> CoordinationState:
        """``lean``: the state and its expert only, without the request's people (the scope's
        joins), for a read that needs no more: a narrower query is cheaper to compile."""
        user = self.request.user
        scope = requests_open_to_negotiation(user) if negotiation else requests_fully_visible_to(user)
        scope = scope.select_related(None).select_related("coordination__expert") if lean else (
            scope.select_related("coordination"))
        return get_object_or_404(scope, pk=pk).coordination

    def _request_out(self, pk) -> Response:
        return Response(RequestOutputSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(responses=MatchOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        state = self._state(pk)
        require_traveler(state, request.user)
        return Response([m.as_dict() for m in request_matches(state)])

    @extend_schema(request=ExpertChoiceInput, responses=RequestOutputSerializer)
    @action(detail=True, methods=["post"], url_path="expert")
    def expert(self, request, pk=None):
        data = _input(ExpertChoiceInput, request).validated_data
        expert_choose(state_id=self._state(pk).pk, actor=request.user, expert_id=data["expert"])
        return self._request_out(pk)

    @extend_schema(request=None, responses=RequestOutputSerializer)
    @action(detail=True, methods=["post"], url_path="expert/accept")
    def expert_accept(self, request, pk=None):
        expert_accept(state_id=self._state(pk).pk, actor=request.user)
        return self._request_out(pk)

    @extend_schema(request=ReasonInput, responses={204: None})
    @action(detail=True, methods=["post"], url_path="expert/decline")
    def expert_decline(self, request, pk=None):
        data = _input(ReasonInput, request).validated_data
        expert_decline(state_id=self._state(pk).pk, actor=request.user, reason=data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=ConsultationSlotOutput(many=True))
    @extend_schema(methods=["POST"], request=SlotChoiceInput, responses=RequestOutputSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consultations(self, request, pk=None):
        """GET: the accepted expert's free slots, in both time zones; POST ``{"slot"}`` books one."""
        state = self._state(pk)
        if request.method == "POST":
            data = _input(SlotChoiceInput, request).validated_data
            consultation_book(state_id=state.pk, actor=request.user, slot_id=data["slot"])
            return self._request_out(pk)
        slots = consultation_slot_list_free([state.expert_id]).select_related("expert") if state.expert_id else []
        return Response([{"id": slot.pk, **consultation_times(slot, state)} for slot in slots])

    @extend_schema(methods=["GET"], responses=RecommendationOutput(many=True))
    @extend_schema(methods=["POST"], request=RecommendationInput, responses={201: RecommendationOutput})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def recommendations(self, request, pk=None):
        """GET: the versions (drafts only for the expert and staff); POST: write the draft."""
        state = self._state(pk)
        if request.method == "POST":
            data = _input(RecommendationInput, request)
            draft = recommendation_edit(state_id=state.pk, actor=request.user,
                                        summary=data.validated_data["summary"], items=data.to_items())
            return Response(RecommendationOutput(draft).data, status=status.HTTP_201_CREATED)
        return Response(RecommendationOutput(recommendations_visible_to(request.user, state), many=True).data)

    @extend_schema(request=None, responses=RecommendationOutput)
    @action(detail=True, methods=["post"], url_path="recommendations/send")
    def recommendations_send(self, request, pk=None):
        sent = recommendation_send(state_id=self._state(pk).pk, actor=request.user)
        return Response(RecommendationOutput(sent).data)

    @extend_schema(request=ItemReviewInput, responses=RecommendationItemOutput)
    @action(detail=True, methods=["post"], url_path=rf"recommendations/items/(?P<item_id>{ID_PATTERN})/review")
    def recommendation_review(self, request, pk=None, item_id=None):
        data = _input(ItemReviewInput, request).validated_data
        item = recommendation_item_review(state_id=self._state(pk).pk, actor=request.user, item_id=int(item_id),
                                          action=data["action"], feedback=data["feedback"], changes=data["changes"])
        return Response(RecommendationItemOutput(item).data)

    @extend_schema(parameters=[OpenApiParameter("draft", bool, description="the expert's unsent draft")],
                   responses={200: dict})
    @action(detail=True, methods=["get"])
    def itinerary(self, request, pk=None):
        """The version the traveler sees, with the bookings made elsewhere (``external_bookings``,
        not managed here); ``?draft=1``: the expert's unsent draft (expert, staff) with the
        alternatives it could take in."""
        if request.query_params.get("draft") in ("1", "true"):
            return self._draft_out(self._state(pk, lean=True))
        return self._itinerary_out(pk, status.HTTP_200_OK)

    def _draft_out(self, state, code=status.HTTP_200_OK) -> Response:
        require(can_edit_itinerary_draft(self.request.user, state), self.request.user, state,
                _("Only the request's expert sees the draft."))
        draft = itinerary_draft_for_request(state.request_id)
        if draft is None:
            raise NotFound(_("There is no draft."), code="itinerary.no_draft")
        return Response({**itinerary_serialize(itinerary_with_days().get(pk=draft.pk)),
                         "alternatives": draft_alternatives(draft)}, status=code)

    @extend_schema(request=GenerateInput, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="itinerary/generate")
    def itinerary_generate(self, request, pk=None):
        """The expert's plan is a draft only they see (the draft JSON); the traveler's is
        their current version at once."""
        data = _input(GenerateInput, request).validated_data
        state = self._state(pk)
        itinerary_generate(state_id=state.pk, actor=request.user, seed=data["seed"])
        if plans_as_draft(request.user, state):
            return self._draft_out(state, status.HTTP_201_CREATED)
        return self._itinerary_out(pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="itinerary/send")
    def itinerary_send(self, request, pk=None):
        """The expert sends the draft: the traveler sees it (and is told)."""
        itinerary_send(state_id=self._state(pk).pk, actor=request.user)
        return self._itinerary_out(pk, status.HTTP_200_OK)

    @extend_schema(request=DraftAddInput, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="itinerary/draft/items")
    def draft_add(self, request, pk=None):
        """Add an offering or a place to the draft at a day and time."""
        data = _input(DraftAddInput, request).validated_data
        state = self._state(pk)
        drafts.draft_item_add(state_id=state.pk, actor=request.user, day=data["day"], time=data["time"],
                              offering_id=data["offering"], place_id=data["place"])
        return self._draft_out(state, status.HTTP_201_CREATED)

    @extend_schema(request=dict, responses={200: dict}, operation_id="v1_requests_itinerary_draft_items_edit")
    @action(detail=True, methods=["post"],
            url_path=rf"itinerary/draft/items/(?P<item_id>{ID_PATTERN})/(?P<verb>move|replace|remove|pin|note)")
    def draft_edit(self, request, pk=None, item_id=None, verb=None):
        """Edit one draft item: ``move`` {day, time}, ``replace`` {offering | place},
        ``remove`` {}, ``pin`` {pinned}, ``note`` {tips}; answers the draft."""
        state = self._state(pk)
        edit = {"state_id": state.pk, "actor": request.user, "item_id": int(item_id)}
        if verb == "move":
            drafts.draft_item_move(**edit, **_input(DraftMoveInput, request).validated_data)
        elif verb == "replace":
            data = _input(DraftEntryInput, request).validated_data
            drafts.draft_item_replace(**edit, offering_id=data["offering"], place_id=data["place"])
        elif verb == "remove":
            drafts.draft_item_remove(**edit)
        elif verb == "pin":
            drafts.draft_item_pin(**edit, **_input(DraftPinInput, request).validated_data)
        else:
            drafts.draft_item_note(**edit, **_input(DraftNoteInput, request).validated_data)
        return self._draft_out(state)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="itinerary/approve")
    def itinerary_approve(self, request, pk=None):
        state = itinerary_approve(state_id=self._state(pk).pk, actor=request.user)
        return Response({"status": state.phase, "version": state.version, "unbooked": state.unbooked})

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="itinerary/accept-change")
    def itinerary_change_accept(self, request, pk=None):
        """Accept the version re-planned around a booking that fell through, and book it."""
        state = itinerary_change_accept(state_id=self._state(pk).pk, actor=request.user)
        return Response({"status": state.phase, "version": state.version, "unbooked": state.unbooked})

    @extend_schema(request=ReasonInput, responses={201: dict})
    @action(detail=True, methods=["post"], url_path=rf"itinerary/items/(?P<item_id>{ID_PATTERN})/reject")
    def itinerary_item_reject(self, request, pk=None, item_id=None):
        data = _input(ReasonInput, request).validated_data
        itinerary_item_reject(state_id=self._state(pk).pk, actor=request.user, item_id=int(item_id),
                              reason=data["reason"])
        return self._itinerary_out(pk, status.HTTP_201_CREATED)

    @extend_schema(request=ItemModifyInput, responses={201: dict})
    @action(detail=True, methods=["post"], url_path=rf"itinerary/items/(?P<item_id>{ID_PATTERN})/modify")
    def itinerary_item_modify(self, request, pk=None, item_id=None):
        data = _input(ItemModifyInput, request).validated_data
        itinerary_item_modify(state_id=self._state(pk).pk, actor=request.user, item_id=int(item_id),
                              day=data["day"], time=data["time"], note=data["note"])
        return self._itinerary_out(pk, status.HTTP_201_CREATED)

    @extend_schema(request=ReasonInput, responses={200: dict})
    @action(detail=True, methods=["get", "post"])
    def cancel(self, request, pk=None):
        """GET: what cancelling the whole request now gives back, booking by booking (each
        vendor's policy); POST (``{"reason"}``): cancel it, answering the refunds given."""
        state = self._state(pk)
        preview = cancellation_preview(state_id=state.pk, actor=request.user)
        if request.method == "GET":
            return Response(preview)
        data = _input(ReasonInput, request).validated_data
        request_cancel(state_id=state.pk, actor=request.user, reason=data["reason"])
        return Response(cancellation_outcome(state_id=state.pk, booking_ids=[b["booking"] for b in preview["bookings"]]))

    def _itinerary_out(self, pk, code) -> HttpResponse:
        request_id = parse_int(pk)
        found = visible_itinerary(self.request.user, request_id) if request_id is not None else None
        if found is None:
            raise Http404
        state_id, version, itinerary_id = found
        if itinerary_id is None:
            raise NotFound(_("No itinerary yet."), code="itinerary.none")
        return itinerary_answer(self.request, state_id=state_id, version=version, itinerary_id=itinerary_id,
                                status=code)

    @extend_schema(parameters=[OfferingSearchInput], responses=OfferingOutput(many=True))
    @action(detail=True, methods=["get"])
    def offerings(self, request, pk=None):
        """Browse: offerings at the request's destination (dates default to the trip's)."""
        state = self._state(pk)
        data = _input(OfferingSearchInput, request, query=True).validated_data
        trip = state.request
        found = offering_search(
            city=trip.destination, kind=data["kind"], vendor_type=data["vendor_type"],
            date_from=data["date_from"] or trip.start_date, date_to=data["date_to"] or trip.end_date,
            time_zone=trip.time_zone, price_max=data["price_max"], currency=trip.currency,
            min_rating=data["min_rating"], interests=_csv(data["interests"]), dietary=_csv(data["dietary"]))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(OfferingOutput(page, many=True).data)

    @extend_schema(request=PlanItemInput, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="plan-items")
    def plan_items(self, request, pk=None):
        data = _input(PlanItemInput, request).validated_data
        wish = plan_item_add(state_id=self._state(pk).pk, actor=request.user, offering_id=data["offering"],
                             slot_id=data["slot"], note=data["note"])
        return Response({"id": wish.pk, "offering": wish.offering_id, "slot": wish.slot_id, "note": wish.note},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=rf"plan-items/(?P<wish_id>{ID_PATTERN})")
    def plan_item_remove(self, request, pk=None, wish_id=None):
        plan_item_remove(state_id=self._state(pk).pk, actor=request.user, wish_id=int(wish_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=RequestOutputSerializer)
    @action(detail=True, methods=["post"])
    def browse(self, request, pk=None):
        browse_start(state_id=self._state(pk).pk, actor=request.user)
        return self._request_out(pk)

    @extend_schema(request=RequirementsInput, responses=RequestOutputSerializer)
    @action(detail=True, methods=["post"])
    def requirements(self, request, pk=None):
        data = _input(RequirementsInput, request)
        try:
            requirements_change(state_id=self._state(pk).pk, actor=request.user, **data.to_changes())
        except DomainError as exc:
            exc.fields = {INTAKE_FIELD_PATHS.get(k, k): v for k, v in exc.fields.items()}
            raise
        return self._request_out(pk)

    @extend_schema(methods=["GET"], responses=ShortlistOutput(many=True))
    @extend_schema(methods=["POST"], request=ShortlistInput, responses={201: ShortlistOutput})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def shortlist(self, request, pk=None):
        state = self._state(pk, negotiation=request.method == "GET")
        if request.method == "POST":
            data = _input(ShortlistInput, request).validated_data
            entry = shortlist_add(state_id=state.pk, actor=request.user, offering_id=data["offering"],
                                  category=data["category"], slot_id=data["slot"], note=data["note"])
            return Response(ShortlistOutput(entry).data, status=status.HTTP_201_CREATED)
        return Response(ShortlistOutput(shortlist_visible_to(request.user, state), many=True).data)

    @extend_schema(request=PriceOfferInput, responses=ShortlistOutput)
    @action(detail=True, methods=["post"], url_path=rf"shortlist/(?P<entry_id>{ID_PATTERN})/offers")
    def shortlist_offer(self, request, pk=None, entry_id=None):
        data = _input(PriceOfferInput, request).validated_data
        state = self._state(pk, negotiation=True)
        price_offer(state_id=state.pk, actor=request.user, entry_id=int(entry_id), amount=data["amount"],
                    note=data["note"])
        return Response(ShortlistOutput(shortlist_visible_to(request.user, state).get(pk=entry_id)).data)

    @extend_schema(request=None, responses=ShortlistOutput)
    @action(detail=True, methods=["post"], url_path=rf"shortlist/(?P<entry_id>{ID_PATTERN})/accept")
    def shortlist_accept(self, request, pk=None, entry_id=None):
        entry = price_accept(state_id=self._state(pk, negotiation=True).pk, actor=request.user,
                             entry_id=int(entry_id))
        return Response(ShortlistOutput(entry).data)

    @extend_schema(request=SettleInput, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="shortlist/settle")
    def shortlist_settle(self, request, pk=None):
        data = _input(SettleInput, request).validated_data
        settled = negotiated_bookings_settle(state_id=self._state(pk).pk, actor=request.user, **data)
        return Response({"bookings": [{"id": b.pk, "status": b.status, "price": f"{b.price}",
                                       "currency": b.currency} for b in settled]})


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class RequestViewSet(FlowActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Experience requests, scoped to the caller. ``POST`` is the intake (travelers).
    A vendor lists and reads only the requests it serves, as its slice (``VendorRequestOutput``)."""

    serializer_class = RequestOutputSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return requests_visible_to(self.request.user).order_by("-created_at")

    def get_serializer_class(self):
        return VendorRequestOutput if sees_vendor_slice(self.request.user) else RequestOutputSerializer

    @extend_schema(request=IntakeInputSerializer, responses={201: RequestOutputSerializer})
    def create(self, request):
        if not has_role(request.user, Role.TRAVELER):
            raise DomainError("Only travelers submit requests.", code="permission_denied", status=403)
        data = IntakeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            state = request_submit(traveler=request.user, data=data.to_intake())
        except DomainError as exc:
            exc.fields = {INTAKE_FIELD_PATHS.get(k, k): v for k, v in exc.fields.items()}
            raise
        return Response(RequestOutputSerializer(self.get_queryset().get(pk=state.request_id)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        self._state(pk)  # the timeline is the whole request's: a vendor's slice gets 404
        events = events_visible_to(request.user, int(pk))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(EventOutputSerializer(page, many=True).data)
