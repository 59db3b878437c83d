"""Builders for shipment tests: a paid order half in stock, half waiting."""

from datetime import date

from django.db import transaction

from inventory import purchasing
from tests.inventory.allocation_setup import paid_order, stocked_variant
from tests.inventory.purchasing_setup import open_purchase_order

EXPECTED_DATE = date(2099, 3, 13)


def half_stocked_order(**order_fields):
    """Pay an order of 2 in-stock mugs and 3 teapots waiting for a purchase.

    Returns (order, purchase order of the teapots).
    """
    mug = stocked_variant(quantity=5, sku="MUG-OAT", unit_cost="6.50")
    teapot = stocked_variant(quantity=0, sku="POT-BLUE", unit_cost="21.00")
    purchase_order = open_purchase_order(lines=[(teapot, 3, 0, "21.00")])
    purchase_order.expected_date = EXPECTED_DATE
    purchase_order.save(update_fields=["expected_date"])
    order = paid_order([(mug, 2), (teapot, 3)], **order_fields)
    return order, purchase_order


def receive_all(purchase_order):
    """Receive every outstanding unit of `purchase_order`."""
    quantities = {line.pk: line.quantity_ordered for line in purchase_order.lines.all()}
    with transaction.atomic():
        return purchasing.receive_purchase_order(
            purchase_order=purchase_order, quantities=quantities, user=None
        )


def line_units(shipment):
    """Return a shipment's contents as sorted (sku, quantity) pairs."""
    return sorted(
        (line.order_line.sku, line.quantity)
        for line in shipment.lines.select_related("order_line")
    )
