"""``/api/v1/vendors/``: public vendor fields and free slots; the owner adds slots."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import Forbidden
from apps.core.ids import parse_int
from apps.vendors.models import Slot, Vendor
from apps.vendors.selectors import slot_list_free, vendor_list_public, vendor_of_user
from apps.vendors.services import MAX_SLOT_CAPACITY, slot_create

from .serializers import ID_PATTERN, IdField


class VendorOutput(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "vendor_type", "city", "country", "time_zone", "rating", "confirmation",
                  "min_notice_hours", "response_deadline_hours", "cancellation_tiers"]
        read_only_fields = fields


class SlotOutput(serializers.ModelSerializer):
    offering_title = serializers.CharField(source="offering.title", read_only=True)

    class Meta:
        model = Slot
        fields = ["id", "offering", "offering_title", "start", "end", "capacity_total", "capacity_available", "price",
                  "currency", "is_stale"]
        read_only_fields = fields


class SlotCreateInput(serializers.Serializer):
    offering = IdField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_SLOT_CAPACITY)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)


class VendorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VendorOutput
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return vendor_list_public()

    @extend_schema(methods=["GET"], responses=SlotOutput(many=True))
    @extend_schema(methods=["POST"], request=SlotCreateInput, responses={201: SlotOutput})
    @action(detail=True, methods=["get", "post"])
    def slots(self, request, pk=None):
        """GET: future slots with free seats (``?offering=``). POST: the vendor adds a slot."""
        vendor = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            own = vendor_of_user(request.user)
            if own is None or own.pk != vendor.pk:
                raise Forbidden(_("Only the vendor manages its slots."), code="slot.owner_only")
            data = SlotCreateInput(data=request.data)
            data.is_valid(raise_exception=True)
            slot = slot_create(vendor=vendor, offering_id=data.validated_data["offering"],
                               start=data.validated_data["start"], end=data.validated_data["end"],
                               capacity=data.validated_data["capacity"], price=data.validated_data["price"])
            return Response(SlotOutput(slot).data, status=status.HTTP_201_CREATED)
        slots = slot_list_free(vendor_id=vendor.pk, offering_id=parse_int(request.query_params.get("offering")))
        page = self.paginate_queryset(slots)
        return self.get_paginated_response(SlotOutput(page, many=True).data)
