"""Marking an order shipped: SHIPMENT movements, cost of goods sold, status."""

from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from inventory.allocation import AllocationError, ship_lines
from inventory.models import StockMovement
from orders.models import Order
from tests.inventory.allocation_setup import paid_order, stock_of, stocked_variant

pytestmark = pytest.mark.django_db


def test_ship_lines_takes_units_and_value_out():
    variant = stocked_variant(quantity=3, unit_cost="3.333")
    order = paid_order([(variant, 1)])

    [movement] = ship_lines(order=order, quantities=None, user=None)

    assert movement.kind == StockMovement.Kind.SHIPMENT
    assert movement.quantity == -1
    assert movement.quantity_allocated_change == -1
    assert movement.value_amount == Decimal("-3.33")
    assert movement.reference == str(order.number)
    stock = stock_of(variant)
    assert (stock.quantity_on_hand, stock.quantity_allocated) == (2, 0)
    assert stock.value_amount == Decimal("6.67")
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_shipped) == (0, 1)
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED


def test_ship_lines_posts_cost_of_goods_sold():
    variant = stocked_variant(quantity=5, unit_cost="23.40")
    order = paid_order([(variant, 2)])

    [movement] = ship_lines(order=order, quantities=None, user=None)

    entry = JournalEntry.objects.get(event_key=f"stock:movement:{movement.pk}")
    assert sorted(
        (line.account.key, line.debit, line.credit) for line in entry.lines.all()
    ) == [
        ("cost_of_goods_sold", Decimal("46.80"), Decimal("0.00")),
        ("inventory", Decimal("0.00"), Decimal("46.80")),
    ]


def test_ship_lines_leaves_partly_shipped_while_backordered():
    variant = stocked_variant(quantity=2)
    order = paid_order([(variant, 5)])

    ship_lines(order=order, quantities=None, user=None)

    line = order.lines.get()
    assert (line.quantity_shipped, line.quantity_backordered) == (2, 3)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTLY_SHIPPED


def test_ship_lines_ships_part_of_a_line():
    variant = stocked_variant(quantity=5)
    order = paid_order([(variant, 4)])
    line = order.lines.get()

    ship_lines(order=order, quantities={line.pk: 1}, user=None)

    line.refresh_from_db()
    assert (line.quantity_allocated, line.quantity_shipped) == (3, 1)
    assert stock_of(variant).quantity_on_hand == 4
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTLY_SHIPPED


def test_ship_lines_rejects_more_than_allocated():
    variant = stocked_variant(quantity=5, sku="MH01-M-Black")
    order = paid_order([(variant, 2)])
    line = order.lines.get()

    with pytest.raises(AllocationError) as error:
        ship_lines(order=order, quantities={line.pk: 3}, user=None)

    assert str(error.value) == (
        f"MH01-M-Black on order {order.number} has 2 allocated, so 3 cannot ship; "
        "enter 2 or fewer."
    )
    assert stock_of(variant).quantity_on_hand == 5
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_ship_lines_rejects_order_with_nothing_allocated():
    variant = stocked_variant(quantity=0)
    order = paid_order([(variant, 2)])

    with pytest.raises(AllocationError) as error:
        ship_lines(order=order, quantities=None, user=None)

    assert str(error.value) == (
        f"Order {order.number} has no allocated units to ship; receive stock "
        "for its backorders first."
    )
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
