"""Orders and their status for staff devices and other systems, read-only.

An order comes with the sections its reader may view in the admin: a user
without `orders.view_payment` gets no `payments`, one without
`fulfillment.view_shipment` no `shipments`, and so on (SECTION_PERMISSIONS).
A page costs the same number of queries whatever its size.
"""

import django_filters
from django.db.models import Prefetch, Q
from rest_framework import serializers, viewsets

from accounting.models import CreditNote, Invoice
from fulfillment.models import Shipment, ShipmentLine
from fulfillment.selectors import tracking_url
from shop.api.filters import ApiDateTimeFilter, UpdatedSinceFilterSet
from shop.money import CURRENCY

from .models import Order, OrderLine, OrderTax, Payment, Refund

# Order fields shown only to a user with the permission, and the
# prefetch each needs.
SECTION_PERMISSIONS = {
    "lines": ("orders.view_orderline", "lines"),
    "taxes": ("orders.view_ordertax", "taxes"),
    "payments": ("orders.view_payment", "payments"),
    "refunds": ("orders.view_refund", "refunds"),
    "shipments": (
        "fulfillment.view_shipment",
        Prefetch(
            "shipments",
            queryset=Shipment.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("lines", queryset=ShipmentLine.objects.order_by("id"))
            ),
        ),
    ),
    "invoice": ("accounting.view_invoice", None),
    "credit_notes": ("accounting.view_creditnote", "credit_notes"),
}


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "variant",
            "sku",
            "name",
            "options",
            "tax_class",
            "quantity",
            "unit_price",
            "subtotal_amount",
            "tax_amount",
            "quantity_allocated",
            "quantity_backordered",
            "quantity_shipped",
            "quantity_oversold",
            "backordered_at",
        ]


class OrderTaxSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderTax
        fields = ["code", "name", "rate", "taxable_amount", "amount", "shipping_amount"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "method",
            "status",
            "amount",
            "amount_tendered",
            "fee_amount",
            "card_brand",
            "card_last4",
            "stripe_payment_intent_id",
            "created_at",
            "succeeded_at",
        ]


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "payment", "amount", "status", "reason", "created_at"]


class ShipmentLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShipmentLine
        fields = ["order_line", "quantity"]


class ShipmentSerializer(serializers.ModelSerializer):
    tracking_url = serializers.SerializerMethodField(
        help_text="The carrier's public tracking page; empty when unknown."
    )
    lines = ShipmentLineSerializer(many=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "status",
            "carrier",
            "service_name",
            "tracking_number",
            "tracking_url",
            "created_at",
            "updated_at",
            "shipped_at",
            "delivered_at",
            "lines",
        ]

    def get_tracking_url(self, shipment: Shipment) -> str:
        return tracking_url(shipment)


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["number", "issued_at", "total_amount", "paid_at"]


class CreditNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNote
        fields = ["number", "issued_at", "refund", "reason", "total_amount"]


class ShipToSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_name")
    company = serializers.CharField(source="ship_company")
    line1 = serializers.CharField(source="ship_line1")
    line2 = serializers.CharField(source="ship_line2")
    city = serializers.CharField(source="ship_city")
    province = serializers.CharField(source="ship_province")
    postal_code = serializers.CharField(source="ship_postal_code")
    phone = serializers.CharField(source="ship_phone")


class OrderSerializer(serializers.ModelSerializer):
    currency = serializers.SerializerMethodField()
    ship_to = ShipToSerializer(source="*")
    lines = OrderLineSerializer(many=True, required=False)
    taxes = OrderTaxSerializer(many=True, required=False)
    payments = PaymentSerializer(many=True, required=False)
    refunds = RefundSerializer(many=True, required=False)
    shipments = ShipmentSerializer(many=True, required=False)
    invoice = InvoiceSerializer(
        allow_null=True, required=False, help_text="Null until invoiced."
    )
    credit_notes = CreditNoteSerializer(many=True, required=False)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "channel",
            "customer",
            "email",
            "shipping_preference",
            "ship_to",
            "shipping_method",
            "shipping_method_name",
            "currency",
            "subtotal_amount",
            "shipping_amount",
            "tax_amount",
            "cash_rounding_amount",
            "total_amount",
            "created_at",
            "updated_at",
            "paid_at",
            *SECTION_PERMISSIONS,
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        for name, (permission, _prefetch) in SECTION_PERMISSIONS.items():
            if not request.user.has_perm(permission):
                del fields[name]
        return fields

    def get_currency(self, order: Order) -> str:
        return CURRENCY


class OrderFilterSet(UpdatedSinceFilterSet):
    # Shipments, payments, refunds and documents change without touching
    # the order row, so their times count as changes of the order.
    updated_since_fields = (
        "updated_at",
        "shipments__updated_at",
        "payments__updated_at",
        "refunds__updated_at",
        "invoice__issued_at",
        "credit_notes__issued_at",
    )

    status = django_filters.MultipleChoiceFilter(
        choices=Order.Status.choices, help_text="Repeat to match any of several."
    )
    channel = django_filters.ChoiceFilter(choices=Order.Channel.choices)
    number = django_filters.NumberFilter()
    email = django_filters.CharFilter(
        method="filter_email",
        help_text="The order's or its customer's email, whole, any case.",
    )
    created_after = ApiDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Orders placed at or after this ISO 8601 time.",
    )
    created_before = ApiDateTimeFilter(
        field_name="created_at",
        lookup_expr="lt",
        help_text="Orders placed before this ISO 8601 time.",
    )

    class Meta:
        model = Order
        fields = ["status", "channel", "number", "email", "updated_since"]

    def filter_email(self, queryset, name, value):
        email = value.strip()
        return queryset.filter(
            Q(email__iexact=email) | Q(customer__email__iexact=email)
        )


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders with their lines, money, shipments and documents."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    ordering_fields = ["number", "created_at", "updated_at", "total_amount"]
    ordering = ["-number"]
    queryset = Order.objects.all()

    def get_queryset(self):
        orders = super().get_queryset()
        user = self.request.user
        for permission, prefetch in SECTION_PERMISSIONS.values():
            if prefetch is not None and user.has_perm(permission):
                orders = orders.prefetch_related(prefetch)
        if user.has_perm("accounting.view_invoice"):
            orders = orders.select_related("invoice")
        return orders
