"""API for stockroom scanners: stock adjustments and purchase order receiving.

Thin adapters over inventory.services.adjust_stock and
inventory.purchasing.receive_purchase_order. They find the variant or the
purchase order line that a scanned SKU or barcode names, and call the
service. Its errors become 400 for input to fix and 409 for a purchase
order whose status does not allow receiving. An Idempotency-Key reused
with another adjustment gets 422.
"""

from collections import Counter

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shop.api.errors import Conflict, conflict_response, invalid
from shop.api.idempotency import (
    KEY_REUSED_RESPONSE,
    IdempotencyKeyReused,
    idempotency_key_parameter,
    read_idempotency_key,
    recorded_response,
)
from shop.api.permissions import require_permissions
from shop.models import Variant

from . import purchasing, services
from .models import (
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    StockMovement,
    default_location_id,
)

MAX_UNITS = 1_000_000
# A keyed adjustment stores its key in the movement's reference, so a retry
# finds it. The reference stores at most 100 characters and a key 64.
KEY_REFERENCE_PREFIX = "API "
RECEIVABLE_STATUSES = (PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTLY_RECEIVED)


def find_variant_for_stock(code: str) -> Variant:
    """Return the variant whose SKU (any case) or barcode is `code`.

    Inactive variants count too: their stock still needs correcting. A SKU
    match wins over a barcode. Raises a 400 ValidationError on `code` when
    nothing matches or the barcode is on several variants.
    """
    code = code.strip()
    variant = Variant.objects.filter(sku__iexact=code).first()
    if variant is not None:
        return variant
    matches = list(Variant.objects.filter(barcode=code).order_by("sku")[:3])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise invalid(
            f"No variant has SKU or barcode {code!r}; scan the barcode again or "
            "type the SKU from the label.",
            "code",
        )
    skus = ", ".join(variant.sku for variant in matches)
    raise invalid(
        f"Barcode {code!r} is on more than one variant ({skus}); send the SKU instead.",
        "code",
    )


class StockAdjustmentRequestSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64, help_text="The variant's SKU (any case) or barcode."
    )
    location = serializers.SlugField(
        max_length=20,
        required=False,
        help_text="Location code; the default location when omitted.",
    )
    quantity_change = serializers.IntegerField(
        min_value=-MAX_UNITS,
        max_value=MAX_UNITS,
        help_text="Units found (positive) or taken away (negative); not 0.",
    )
    reason = serializers.CharField(
        max_length=255, help_text="Why the count changed, e.g. 'damaged in store'."
    )

    def validate_location(self, code: str) -> str:
        location = Location.objects.filter(code=code).first()
        if location is None:
            codes = ", ".join(Location.objects.values_list("code", flat=True))
            raise serializers.ValidationError(
                f"No location has code {code!r}; use one of: {codes}."
            )
        # TODO: adjust_stock changes the default location's Stock row only;
        # accept other locations once the stock services take a location.
        if location.pk != default_location_id():
            raise serializers.ValidationError(
                f"Stock at {location.name} ({code}) cannot be adjusted through "
                "the API yet; leave the location out to adjust the default "
                "location."
            )
        return code

    def validate_quantity_change(self, quantity_change: int) -> int:
        if quantity_change == 0:
            raise serializers.ValidationError(
                "A change of 0 units records nothing; send the units found "
                "(positive) or taken away (negative)."
            )
        return quantity_change

    def validate(self, attrs: dict) -> dict:
        attrs["variant"] = find_variant_for_stock(attrs.pop("code"))
        attrs["reason"] = attrs["reason"].strip()
        attrs.pop("location", None)
        return attrs


class StockAdjustmentSerializer(serializers.Serializer):
    """The adjustment recorded and the stock after it."""

    movement_id = serializers.IntegerField(source="pk")
    sku = serializers.CharField(source="stock.variant.sku")
    location = serializers.CharField(source="stock.location.code")
    quantity_change = serializers.IntegerField(source="quantity")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    quantity_on_hand = serializers.IntegerField(
        source="stock.quantity_on_hand",
        help_text="Now; on a replayed request, as it is at the replay.",
    )
    quantity_allocated = serializers.IntegerField(
        source="stock.quantity_allocated",
        help_text="Units promised to paid orders, still on the shelf.",
    )
    quantity_available = serializers.IntegerField(
        source="stock.quantity_available", help_text="On hand less allocated."
    )


def adjust_stock_once(
    *, variant: Variant, quantity_change: int, reason: str, key: str | None, user
) -> tuple[StockMovement, bool]:
    """Record an ADJUSTMENT, or return the one recorded earlier under `key`.

    Returns the movement and whether it was recorded now. Raises
    IdempotencyKeyReused when `key` was used for a different adjustment,
    and a 400 ValidationError for a change the stock cannot take.
    """
    reference = f"{KEY_REFERENCE_PREFIX}{key}" if key else ""
    with transaction.atomic():
        # A retry of the same scan waits here on the Stock row until the
        # first request commits, and then finds its movement.
        services.lock_stocks([variant.pk])
        if key:
            earlier = _keyed_adjustment(reference)
            if earlier is not None:
                _check_same_adjustment(earlier, variant, quantity_change, reason, key)
                return earlier, False
        try:
            movement = services.adjust_stock(
                variant=variant,
                quantity_change=quantity_change,
                reason=reason,
                user=user,
                reference=reference,
            )
        except services.InsufficientStockError as error:
            raise invalid(str(error), "quantity_change") from None
        except ValueError as error:
            raise invalid(str(error)) from None
    return movement, True


def _keyed_adjustment(reference: str) -> StockMovement | None:
    return (
        StockMovement.objects.select_related("stock__variant", "stock__location")
        .filter(kind=StockMovement.Kind.ADJUSTMENT, reference=reference)
        .first()
    )


def _check_same_adjustment(earlier, variant, quantity_change, reason, key) -> None:
    same = (
        earlier.stock.variant_id == variant.pk
        and earlier.quantity == quantity_change
        and earlier.reason == reason
    )
    if not same:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was used for adjustment {earlier.pk} "
            f"({earlier.stock.variant.sku} {earlier.quantity:+d}, "
            f"{earlier.reason!r}); send a new key for a new adjustment."
        )


class StockAdjustmentViewSet(viewsets.GenericViewSet):
    """Stock counted up or down by hand from a scanner."""

    permission_classes = [require_permissions("inventory.change_stock")]
    serializer_class = StockAdjustmentRequestSerializer

    @extend_schema(
        summary="Adjust a variant's stock",
        description=(
            "Record an ADJUSTMENT movement by the token's user, valued at the "
            "current unit cost and posted to inventory shrinkage. A change "
            "may remove at most the units available (on hand less "
            "allocated). With an Idempotency-Key, a retry returns the first "
            "adjustment (200) instead of counting again."
        ),
        parameters=[
            idempotency_key_parameter(
                required=False,
                description=(
                    "Optional: a new random key (such as a UUID) per "
                    "adjustment, resent unchanged on a retry."
                ),
            )
        ],
        request=StockAdjustmentRequestSerializer,
        responses={
            201: StockAdjustmentSerializer,
            200: OpenApiResponse(
                StockAdjustmentSerializer,
                description="Replay: the adjustment recorded earlier with the key.",
            ),
            422: KEY_REUSED_RESPONSE,
        },
    )
    def create(self, request):
        key = read_idempotency_key(request, required=False)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        movement, created = adjust_stock_once(
            key=key, user=request.user, **serializer.validated_data
        )

        return recorded_response(
            StockAdjustmentSerializer(movement).data, created=created
        )


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku")
    barcode = serializers.CharField(source="variant.barcode")
    name = serializers.CharField(source="variant.product.name")
    options = serializers.CharField(source="variant.option_label")
    quantity_outstanding = serializers.IntegerField(
        help_text="Ordered less received: the most a receipt may bring in."
    )

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "sku",
            "barcode",
            "name",
            "options",
            "quantity_ordered",
            "quantity_received",
            "quantity_outstanding",
            "unit_cost",
        ]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier = serializers.CharField(source="supplier.name")
    lines = PurchaseOrderLineSerializer(many=True)

    class Meta:
        model = PurchaseOrder
        fields = ["number", "supplier", "status", "expected_date", "sent_at", "lines"]


class ReceiptLineRequestSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64, help_text="SKU (any case) or barcode of a line's variant."
    )
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=MAX_UNITS,
        help_text="Units delivered now.",
        error_messages={
            "min_value": "Enter the units delivered now, 1 or more; leave out "
            "items that did not come."
        },
    )


class ReceiptRequestSerializer(serializers.Serializer):
    lines = ReceiptLineRequestSerializer(
        many=True,
        allow_empty=False,
        help_text="A code listed twice counts once with the quantities added.",
    )


class FilledBackorderSerializer(serializers.Serializer):
    order_number = serializers.IntegerField(source="order.number")
    sku = serializers.CharField()
    quantity_allocated = serializers.IntegerField(
        help_text="Units the line now holds on the shelf, this receipt's included."
    )
    quantity_backordered = serializers.IntegerField(
        help_text="Units the line still waits for."
    )


class ReceiptSerializer(serializers.Serializer):
    """A delivery taken into stock and the backorders it filled."""

    units_received = serializers.IntegerField()
    purchase_order = PurchaseOrderSerializer()
    filled_backorders = FilledBackorderSerializer(
        many=True,
        help_text="Paid order lines that got units, oldest backorder first; "
        "their shipments are planned.",
    )


class PurchaseOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase orders to receive: sent or partly received.

    The list contains only receivable orders. A single order is found by
    number in any status, so a receipt scanned for a closed order gets a
    409 that names its status rather than a 404.
    """

    serializer_class = PurchaseOrderSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["number", "expected_date"]
    ordering = ["expected_date", "number"]

    def get_queryset(self):
        lines = PurchaseOrderLine.objects.select_related("variant__product")
        queryset = PurchaseOrder.objects.select_related("supplier").prefetch_related(
            Prefetch("lines", queryset=lines)
        )
        if self.action == "list":
            queryset = queryset.filter(status__in=RECEIVABLE_STATUSES)
        return queryset

    @extend_schema(
        summary="Receive delivered units of a purchase order",
        description=(
            "Take the units into stock at each line's unit cost (RECEIPT "
            "movements posting Dr inventory, Cr goods received not billed) "
            "and give them to waiting backorders oldest first, as receiving "
            "in the admin does. Partial receipts are allowed; more units "
            "than a line has outstanding are rejected with nothing received."
        ),
        request=ReceiptRequestSerializer,
        responses={
            200: ReceiptSerializer,
            409: conflict_response(
                "The purchase order is a draft, received or cancelled."
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[require_permissions("inventory.change_purchaseorder")],
    )
    def receive(self, request, number=None):
        purchase_order = self.get_object()
        request_serializer = ReceiptRequestSerializer(data=request.data)
        request_serializer.is_valid(raise_exception=True)
        if purchase_order.status not in RECEIVABLE_STATUSES:
            raise Conflict(
                f"PO {purchase_order.number} is "
                f"{purchase_order.get_status_display().lower()}; only sent or "
                "partly received purchase orders can be received."
            )
        quantities = _quantities_by_line(
            purchase_order, request_serializer.validated_data["lines"]
        )

        try:
            receipt = purchasing.receive_purchase_order(
                purchase_order=purchase_order, quantities=quantities, user=request.user
            )
        except purchasing.PurchaseOrderError as error:
            raise invalid(str(error), "lines") from None

        data = {
            "units_received": sum(movement.quantity for movement in receipt.movements),
            "purchase_order": self.get_queryset().get(pk=purchase_order.pk),
            "filled_backorders": receipt.allocated_lines,
        }
        return Response(ReceiptSerializer(data).data)


def _quantities_by_line(purchase_order: PurchaseOrder, items) -> dict[int, int]:
    lines = list(purchase_order.lines.all())
    quantities: Counter[int] = Counter()
    for item in items:
        code = item["code"].strip()
        line = next((line for line in lines if _line_matches(line, code)), None)
        if line is None:
            raise invalid(
                f"PO {purchase_order.number} has no line with SKU or barcode "
                f"{code!r}; check the item against the packing list, and take "
                "up items not ordered with the supplier.",
                "lines",
            )
        quantities[line.pk] += item["quantity"]
    return dict(quantities)


def _line_matches(line: PurchaseOrderLine, code: str) -> bool:
    variant = line.variant
    return variant.sku.lower() == code.lower() or (
        bool(variant.barcode) and variant.barcode == code
    )
