"""Helpers for allocation tests: stocked variants and paid orders."""

from decimal import Decimal

from django.db import transaction

from inventory.models import Stock
from inventory.services import set_opening_stock
from orders.services import record_payment
from orders.stripe_gateway import to_minor_units
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory


def stocked_variant(*, quantity, sku=None, unit_cost="10.00", backorderable=True):
    """Create a variant with `quantity` units of opening stock."""
    fields = {"sku": sku} if sku else {}
    variant = VariantFactory(unit_cost=Decimal(unit_cost), **fields)
    set_opening_stock(variant=variant, quantity=quantity)
    Stock.objects.filter(variant=variant).update(backorderable=backorderable)
    return variant


def succeeded_intent(order, *, intent_id=""):
    cents = to_minor_units(order.total_amount)
    return {
        "id": intent_id or f"pi_order_{order.pk}",
        "status": "succeeded",
        "amount": cents,
        "amount_received": cents,
    }


def paid_order(lines, **fields):
    """Create an order of (variant, quantity) lines and pay it."""
    order = order_with_lines(lines=lines, **fields)
    with transaction.atomic():
        record_payment(order_id=order.pk, payment_intent=succeeded_intent(order))
    order.refresh_from_db()
    return order


def stock_of(variant):
    return Stock.objects.get(variant=variant)
