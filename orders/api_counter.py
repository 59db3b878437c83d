"""API for outside point-of-sale terminals: counter sales, recorded once.

POST /api/counter-sales/ is a thin adapter over
orders.counter.record_counter_sale, so a terminal's sale takes the path
of a sale at the admin counter. In one transaction it is priced from the
catalog and taxed in the store's province, its units leave stock, the
invoice is issued and the sale is posted to the ledger. Every line sells
at the variant's price, because the counter service takes no discounts.

The terminal sends an Idempotency-Key header, stored as the order's
client_key. The same key with the same sale returns the first sale (200);
the same key with a different sale is rejected (422).
"""

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets

from inventory.services import lock_stocks
from shop.api.errors import invalid
from shop.api.idempotency import (
    HEADER,
    KEY_REUSED_RESPONSE,
    REPLAYED_HEADER,
    IdempotencyKeyReused,
    idempotency_key_parameter,
    read_idempotency_key,
    recorded_response,
)
from shop.api.permissions import require_permissions
from shop.models import Customer

from .counter import (
    COUNTER_METHODS,
    CounterLine,
    CounterSaleError,
    find_variant,
    record_counter_sale,
)
from .counter_customers import find_or_create_customer
from .models import Order, OrderLine, OrderTax, Payment

# Maximum units of one line, as on the counter screen.
MAX_QUANTITY = 999


class CounterSaleLineRequestSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64, help_text="Barcode or SKU (any case) of a variant on sale."
    )
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "min_value": "Enter 1 or more units; leave the line out to sell none."
        },
    )


class CounterSaleRequestSerializer(serializers.Serializer):
    lines = CounterSaleLineRequestSerializer(
        many=True,
        allow_empty=False,
        help_text="Items sold at the catalog price. A code listed twice "
        "counts once with the quantities added.",
    )
    payment_method = serializers.ChoiceField(
        choices=[(method.value, method.label) for method in COUNTER_METHODS]
    )
    amount_tendered = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.00"),
        required=False,
        allow_null=True,
        help_text="Cash handed over, in CAD: required for cash, ignored "
        "otherwise. A cash total is rounded to the nickel.",
    )
    customer_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text="The customer's email. An unknown email adds a customer "
        "named customer_name. Omit it for a walk-in sale.",
    )
    customer_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="First and last name, used only to add a new customer.",
    )

    def validate(self, attrs: dict) -> dict:
        cash = attrs["payment_method"] == Payment.Method.CASH
        if cash and attrs.get("amount_tendered") is None:
            raise invalid(
                "A cash sale needs amount_tendered, the cash handed over, such "
                'as "60.00".',
                "amount_tendered",
            )
        if not cash:
            attrs["amount_tendered"] = None
        attrs["customer_email"] = attrs.get("customer_email", "").strip()
        attrs["customer_name"] = attrs.get("customer_name", "").strip()
        return attrs


class CounterSaleLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "sku",
            "name",
            "options",
            "quantity",
            "unit_price",
            "subtotal_amount",
            "tax_amount",
        ]


class CounterSaleTaxSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderTax
        fields = ["code", "name", "rate", "amount"]


class CounterSalePaymentSerializer(serializers.ModelSerializer):
    change_amount = serializers.SerializerMethodField(
        help_text="Cash to hand back; null for a card or debit payment."
    )

    class Meta:
        model = Payment
        fields = ["method", "amount", "amount_tendered", "change_amount"]

    @extend_schema_field(
        serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    )
    def get_change_amount(self, payment: Payment) -> str | None:
        if payment.amount_tendered is None:
            return None
        return str(payment.amount_tendered - payment.amount)


class CounterSaleSerializer(serializers.ModelSerializer):
    """A recorded counter sale, with what a receipt prints."""

    order_number = serializers.IntegerField(source="number")
    customer_email = serializers.CharField(
        source="email", help_text="Blank for a walk-in sale."
    )
    lines = CounterSaleLineSerializer(many=True)
    taxes = CounterSaleTaxSerializer(many=True)
    payment = serializers.SerializerMethodField()
    invoice_number = serializers.IntegerField(source="invoice.number")

    class Meta:
        model = Order
        fields = [
            "order_number",
            "status",
            "channel",
            "paid_at",
            "customer_email",
            "lines",
            "taxes",
            "subtotal_amount",
            "tax_amount",
            "total_amount",
            "cash_rounding_amount",
            "payment",
            "invoice_number",
        ]

    @extend_schema_field(CounterSalePaymentSerializer)
    def get_payment(self, order: Order) -> dict:
        return CounterSalePaymentSerializer(order.payments.all()[0]).data


def record_counter_sale_once(*, sale: dict, key: str, user) -> tuple[Order, bool]:
    """Record the sale under `key`, or return the sale recorded with it before.

    `sale` is CounterSaleRequestSerializer's validated data. Returns the
    order and whether it was recorded now. Raises IdempotencyKeyReused
    when `key` belongs to a different sale, and a 400 ValidationError for
    a sale that cannot be made (an unknown code, too few units available,
    too little cash, an invalid email), with nothing written.
    """
    earlier = Order.objects.filter(client_key=key).first()
    if earlier is not None:
        check_same_sale(earlier, sale, key)
        return earlier, False
    lines = _counter_lines(sale["lines"])

    with transaction.atomic():
        # Two requests with the same sale lock the same Stock rows, so the
        # second waits here until the first commits, then finds its order.
        lock_stocks(line.variant_id for line in lines)
        earlier = Order.objects.filter(client_key=key).first()
        if earlier is not None:
            check_same_sale(earlier, sale, key)
            return earlier, False
        order = _record(lines, sale, key, user)
        # When a concurrent request with other items committed under this
        # key first, record_counter_sale returns that request's sale.
        check_same_sale(order, sale, key)
    return order, True


def check_same_sale(order: Order, sale: dict, key: str) -> None:
    """Raise IdempotencyKeyReused unless `sale` is the sale `order` records.

    Compares the lines (by SKU or barcode, quantities added up), the
    payment method, the cash tendered and the customer's email.
    """
    differences = _differences(order, sale)
    if differences:
        raise IdempotencyKeyReused(
            f"{HEADER} {key!r} was used for sale {order.number}, which differs "
            f"in {', '.join(differences)}; send a new key for a new sale, or "
            f"resend sale {order.number} unchanged."
        )


def _counter_lines(items: Sequence[dict]) -> list[CounterLine]:
    lines = []
    for number, item in enumerate(items, start=1):
        variant = find_variant(item["code"])
        if variant is None:
            raise invalid(
                f"Line {number}: no item on sale has barcode or SKU "
                f"{item['code']!r}; scan it again or type the SKU from the label.",
                "lines",
            )
        lines.append(CounterLine(variant.pk, item["quantity"]))
    return lines


def _record(lines: list[CounterLine], sale: dict, key: str, user) -> Order:
    try:
        return record_counter_sale(
            lines=lines,
            customer=_customer(sale),
            payment_method=sale["payment_method"],
            amount_tendered=sale["amount_tendered"],
            client_key=key,
            user=user,
        )
    except CounterSaleError as error:
        raise invalid(str(error)) from None


def _customer(sale: dict) -> Customer | None:
    if not sale["customer_email"]:
        return None
    return find_or_create_customer(
        name=sale["customer_name"], email=sale["customer_email"], phone=""
    )


def _differences(order: Order, sale: dict) -> list[str]:
    differences = []
    lines = list(order.lines.select_related("variant"))
    recorded = {line.pk: line.quantity for line in lines}
    if _requested_quantities(lines, sale["lines"]) != recorded:
        differences.append("lines")
    payment = order.payments.first()
    if payment is None or payment.method != sale["payment_method"]:
        differences.append("payment_method")
    elif payment.amount_tendered != sale["amount_tendered"]:
        differences.append("amount_tendered")
    if order.email.lower() != sale["customer_email"].lower():
        differences.append("customer_email")
    return differences


def _requested_quantities(
    lines: list[OrderLine], items: Sequence[dict]
) -> dict[int, int] | None:
    quantities: Counter[int] = Counter()
    for item in items:
        code = item["code"].strip()
        line = next((line for line in lines if _sold_as(line, code)), None)
        if line is None:
            return None
        quantities[line.pk] += item["quantity"]
    return dict(quantities)


def _sold_as(line: OrderLine, code: str) -> bool:
    barcode = line.variant.barcode if line.variant else ""
    return line.sku.lower() == code.lower() or (bool(barcode) and barcode == code)


class CounterSaleViewSet(viewsets.GenericViewSet):
    """Sales rung up on an outside point-of-sale terminal."""

    permission_classes = [require_permissions("orders.add_order")]
    serializer_class = CounterSaleRequestSerializer

    @extend_schema(
        summary="Record a counter sale",
        description=(
            "Record a paid in-store sale as the admin counter does: one "
            "transaction writes the completed order, takes the units out of "
            "online stock (IN_STORE_SALE movements), records the payment, "
            "issues the invoice and posts the sale. Units allocated to paid "
            "online orders cannot be sold. The invoice is emailed when the "
            "sale names a customer."
        ),
        parameters=[
            idempotency_key_parameter(
                required=True,
                description=(
                    "A new random key (such as a UUID) per sale, resent "
                    "unchanged when retrying it. Keys are shared by every "
                    "terminal, so never reuse one."
                ),
            )
        ],
        request=CounterSaleRequestSerializer,
        responses={
            201: CounterSaleSerializer,
            200: OpenApiResponse(
                CounterSaleSerializer,
                description=(
                    "Replay: the sale recorded earlier with this key, "
                    f"with the header {REPLAYED_HEADER}: true."
                ),
            ),
            422: KEY_REUSED_RESPONSE,
        },
    )
    def create(self, request):
        key = read_idempotency_key(request, required=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        order, created = record_counter_sale_once(
            sale=serializer.validated_data, key=key, user=request.user
        )

        order = (
            Order.objects.select_related("invoice")
            .prefetch_related("lines", "taxes", "payments")
            .get(pk=order.pk)
        )
        return recorded_response(CounterSaleSerializer(order).data, created=created)
