"""API for handhelds in the packing area: pick lists, packing and shipping.

Thin adapters over fulfillment.services. Marking a shipment shipped takes
its units out of stock and posts cost of goods sold there, as the admin's
"Mark shipped" does. A change the shipment's status does not allow gets
409 with the service's message.
"""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory.allocation import AllocationError
from inventory.selectors import bin_locations
from shop.api.errors import Conflict, conflict_response
from shop.api.filters import UpdatedSinceFilterSet
from shop.api.permissions import require_permissions

from . import services
from .admin_forms import CARRIERS
from .models import Shipment, ShipmentLine
from .selectors import QUEUE_STATUSES
from .tracking_numbers import InvalidTrackingNumber, clean_tracking_number

SERVICE_ERRORS = (services.ShipmentError, AllocationError)
CHANGE_SHIPMENT = require_permissions("fulfillment.change_shipment")


class ShipmentLineSerializer(serializers.Serializer):
    """Units of one order line in the parcel, with where to pick them."""

    sku = serializers.CharField(source="order_line.sku")
    name = serializers.CharField(source="order_line.name")
    options = serializers.CharField(source="order_line.options")
    quantity = serializers.IntegerField()
    bin_location = serializers.SerializerMethodField(
        help_text="Shelf or bin at the default location; blank when unknown."
    )

    def get_bin_location(self, line: ShipmentLine) -> str:
        return self.context["bins"].get(line.order_line.variant_id, "")


class ShipmentSerializer(serializers.ModelSerializer):
    order_number = serializers.IntegerField(source="order.number")
    ship_name = serializers.CharField(source="order.ship_name")
    ship_city = serializers.CharField(source="order.ship_city")
    ship_province = serializers.CharField(source="order.ship_province")
    shipping_method_name = serializers.CharField(source="order.shipping_method_name")
    lines = ShipmentLineSerializer(many=True)

    class Meta:
        model = Shipment
        fields = [
            "number",
            "order_number",
            "status",
            "created_at",
            "packed_at",
            "shipped_at",
            "ship_name",
            "ship_city",
            "ship_province",
            "shipping_method_name",
            "carrier",
            "service_name",
            "tracking_number",
            "lines",
        ]


class ShipRequestSerializer(serializers.Serializer):
    """Carrier details of a parcel handed over; omitted ones keep the label's.

    Needs the shipment in the context, as "shipment".
    """

    tracking_number = serializers.CharField(
        max_length=40,
        required=False,
        help_text="As printed under the label's barcode. Omit to keep the "
        "tracking number of a bought label.",
    )
    carrier = serializers.ChoiceField(
        choices=CARRIERS,
        required=False,
        help_text="Omit to keep the carrier of a bought label.",
    )
    service_code = serializers.CharField(max_length=30, required=False)
    service_name = serializers.CharField(
        max_length=100, required=False, help_text="For example Expedited Parcel."
    )

    def validate(self, attrs: dict) -> dict:
        shipment = self.context["shipment"]
        carrier = attrs.get("carrier") or shipment.carrier
        entered = attrs.get("tracking_number") or shipment.tracking_number
        try:
            tracking_number = clean_tracking_number(entered, carrier=carrier)
        except InvalidTrackingNumber as error:
            raise serializers.ValidationError(
                {"tracking_number": [str(error)]}
            ) from None
        if not tracking_number:
            raise serializers.ValidationError(
                {
                    "tracking_number": [
                        f"Shipment {shipment.number} has no tracking number from a "
                        "bought label; send the one printed under its barcode."
                    ]
                }
            )
        return {**attrs, "tracking_number": tracking_number}


class ShipmentFilterSet(UpdatedSinceFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Shipment.Status.choices,
        help_text="Repeat for several. Without it, the list holds the "
        "shipments still to pack and hand over (ready, packed and labelled).",
    )

    class Meta:
        model = Shipment
        fields = ["status", "updated_since"]


class ShipmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Shipments to pick and pack, oldest first, each with its pick list."""

    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilterSet
    lookup_field = "number"
    # Shipment numbers are "<order number>-<sequence>", e.g. 100042-1.
    lookup_value_regex = "[0-9]+-[0-9]+"
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["created_at", "pk"]

    def get_queryset(self):
        lines = ShipmentLine.objects.select_related("order_line")
        queryset = Shipment.objects.select_related("order").prefetch_related(
            Prefetch("lines", queryset=lines)
        )
        if self.action == "list" and "status" not in self.request.query_params:
            queryset = queryset.filter(status__in=QUEUE_STATUSES)
        return queryset

    @extend_schema(summary="List shipments to pick and pack")
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize(self.get_object()))

    @extend_schema(
        summary="Mark a shipment packed",
        description=(
            "A ready shipment becomes packed. A labelled shipment not packed "
            "yet stays labelled and gets packed_at."
        ),
        request=None,
        responses={
            200: ShipmentSerializer,
            409: conflict_response(
                "The shipment is not waiting to be packed (already packed, "
                "shipped or cancelled)."
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CHANGE_SHIPMENT])
    def pack(self, request, number=None):
        shipment = self.get_object()
        try:
            services.mark_packed(shipment=shipment, user=request.user)
        except SERVICE_ERRORS as error:
            raise Conflict(str(error)) from None
        return Response(self._serialize(self.get_object()))

    @extend_schema(
        summary="Mark a shipment shipped",
        description=(
            "Hand the parcel to its carrier: its units leave stock (SHIPMENT "
            "movements posting cost of goods sold), the order becomes partly "
            "shipped or shipped, and the customer's tracking email is queued."
        ),
        request=ShipRequestSerializer,
        responses={
            200: ShipmentSerializer,
            409: conflict_response(
                "The shipment or its order cannot ship (already shipped, "
                "cancelled, or units no longer allocated)."
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CHANGE_SHIPMENT])
    def ship(self, request, number=None):
        shipment = self.get_object()
        request_serializer = ShipRequestSerializer(
            data=request.data, context={"shipment": shipment}
        )
        request_serializer.is_valid(raise_exception=True)
        carrier_fields = {
            "carrier": "",
            "service_code": "",
            "service_name": "",
            **request_serializer.validated_data,
        }
        try:
            services.mark_shipped(
                shipment=shipment, user=request.user, **carrier_fields
            )
        except SERVICE_ERRORS as error:
            raise Conflict(str(error)) from None
        return Response(self._serialize(self.get_object()))

    def _serialize(self, shipments, *, many=False):
        shipment_list = shipments if many else [shipments]
        variant_ids = {
            line.order_line.variant_id
            for shipment in shipment_list
            for line in shipment.lines.all()
            if line.order_line.variant_id
        }
        context = {**self.get_serializer_context(), "bins": bin_locations(variant_ids)}
        return ShipmentSerializer(shipments, many=many, context=context).data
