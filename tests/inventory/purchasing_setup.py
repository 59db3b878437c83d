"""Builders shared by the purchasing and reorder tests."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from accounting.models import JournalLine
from inventory import purchasing
from inventory.models import PurchaseOrder, PurchaseOrderLine, Stock
from inventory.services import set_opening_stock
from tests.factories.inventory import SupplierFactory
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import VariantFactory

# Backorders start waiting at this moment, one hour apart.
FIRST_BACKORDER_AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def stocked_variant(
    *,
    on_hand=0,
    supplier=None,
    reorder_point=0,
    reorder_quantity=0,
    unit_cost="4.00",
    sku=None,
):
    """Create a variant with `on_hand` units valued at `unit_cost` each."""
    fields = {"sku": sku} if sku else {}
    variant = VariantFactory(unit_cost=Decimal(unit_cost), **fields)
    Stock.objects.create(
        variant=variant,
        supplier=supplier,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
    )
    if on_hand:
        set_opening_stock(variant=variant, quantity=on_hand)
    return variant


def open_purchase_order(*, lines, supplier=None, status=PurchaseOrder.Status.SENT):
    """Create a purchase order of (variant, ordered, received, cost) lines."""
    with transaction.atomic():
        purchase_order = purchasing.create_purchase_order(
            supplier=supplier or SupplierFactory(), user=None
        )
    purchase_order.status = status
    purchase_order.save(update_fields=["status"])
    for variant, ordered, received, unit_cost in lines:
        PurchaseOrderLine.objects.create(
            purchase_order=purchase_order,
            variant=variant,
            quantity_ordered=ordered,
            quantity_received=received,
            unit_cost=Decimal(unit_cost),
        )
    return purchase_order


def waiting_order_line(variant, *, quantity, hours_after_first=0):
    """Create a paid order whose line waits for `quantity` units."""
    line = OrderLineFactory(
        order=OrderFactory(paid=True),
        variant=variant,
        quantity=quantity,
        quantity_backordered=quantity,
        backordered_at=FIRST_BACKORDER_AT + timedelta(hours=hours_after_first),
    )
    return line


def balance(key):
    """Return an account's debits less its credits."""
    totals = JournalLine.objects.filter(account__key=key).aggregate(
        debits=Sum("debit"), credits=Sum("credit")
    )
    return (totals["debits"] or Decimal("0")) - (totals["credits"] or Decimal("0"))


def line_for(purchase_order, variant):
    return purchase_order.lines.get(variant=variant)
