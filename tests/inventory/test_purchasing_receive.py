from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from inventory import purchasing
from inventory.models import PurchaseOrder, Stock, StockMovement
from inventory.purchasing import PurchaseOrderError
from tests.inventory.purchasing_setup import (
    balance,
    line_for,
    open_purchase_order,
    stocked_variant,
    waiting_order_line,
)

pytestmark = pytest.mark.django_db

Status = PurchaseOrder.Status


def receive(purchase_order, quantities):
    return purchasing.receive_purchase_order(
        purchase_order=purchase_order,
        quantities={line.pk: units for line, units in quantities},
        user=None,
    )


def test_receive_part_sets_partly_received_and_values_stock():
    variant = stocked_variant(on_hand=3, unit_cost="4.00")
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])
    line = line_for(purchase_order, variant)

    receipt = receive(purchase_order, [(line, 4)])

    purchase_order.refresh_from_db()
    line.refresh_from_db()
    stock = Stock.objects.get(variant=variant)
    [movement] = receipt.movements
    assert purchase_order.status == Status.PARTLY_RECEIVED
    assert line.quantity_received == 4
    assert stock.quantity_on_hand == 7
    assert stock.value_amount == Decimal("29.00")
    assert movement.kind == StockMovement.Kind.RECEIPT
    assert movement.quantity == 4
    assert movement.value_amount == Decimal("17.00")
    assert movement.reference == f"PO {purchase_order.number}"
    assert StockMovement.objects.get(pk=movement.pk).purchase_order_line == line


def test_receive_rest_sets_received():
    variant = stocked_variant(on_hand=3, unit_cost="4.00")
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])
    line = line_for(purchase_order, variant)
    receive(purchase_order, [(line, 4)])

    receive(purchase_order, [(line, 6)])

    purchase_order.refresh_from_db()
    line.refresh_from_db()
    stock = Stock.objects.get(variant=variant)
    assert purchase_order.status == Status.RECEIVED
    assert line.quantity_received == 10
    assert stock.quantity_on_hand == 13
    assert stock.value_amount == Decimal("54.50")


def test_receive_posts_inventory_and_goods_received_not_billed():
    variant = stocked_variant(unit_cost="4.00")
    other = stocked_variant(unit_cost="9.00")
    purchase_order = open_purchase_order(
        lines=[(variant, 10, 0, "4.25"), (other, 3, 0, "8.99")]
    )

    receive(
        purchase_order,
        [(line_for(purchase_order, variant), 4), (line_for(purchase_order, other), 3)],
    )

    # 4 x $4.25 = $17.00 and 3 x $8.99 = $26.97.
    assert balance("inventory") == Decimal("43.97")
    assert balance("goods_received_not_billed") == Decimal("-43.97")
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.PARTLY_RECEIVED


def test_receive_more_than_outstanding_changes_nothing():
    variant = stocked_variant(sku="MUG-BLUE", on_hand=3)
    other = stocked_variant()
    purchase_order = open_purchase_order(
        lines=[(other, 5, 0, "2.00"), (variant, 10, 4, "4.25")],
        status=Status.PARTLY_RECEIVED,
    )
    movements_before = StockMovement.objects.count()
    entries_before = JournalEntry.objects.count()

    with pytest.raises(PurchaseOrderError) as error:
        receive(
            purchase_order,
            [
                (line_for(purchase_order, other), 5),
                (line_for(purchase_order, variant), 7),
            ],
        )

    assert str(error.value) == (
        f"MUG-BLUE on PO {purchase_order.number}: 7 units received but only 6 "
        "outstanding; enter at most 6, and take up the extra units with the "
        "supplier."
    )
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.PARTLY_RECEIVED
    assert line_for(purchase_order, other).quantity_received == 0
    assert line_for(purchase_order, variant).quantity_received == 4
    assert Stock.objects.get(variant=variant).quantity_on_hand == 3
    assert Stock.objects.get(variant=other).quantity_on_hand == 0
    assert StockMovement.objects.count() == movements_before
    assert JournalEntry.objects.count() == entries_before


def test_receive_nothing_is_refused():
    variant = stocked_variant()
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])

    with pytest.raises(PurchaseOrderError) as error:
        receive(purchase_order, [(line_for(purchase_order, variant), 0)])

    assert str(error.value) == (
        f"No units entered for PO {purchase_order.number}; enter the units "
        "delivered on at least one line."
    )


def test_receive_negative_units_is_refused():
    variant = stocked_variant(sku="TOWEL-01")
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])

    with pytest.raises(PurchaseOrderError) as error:
        receive(purchase_order, [(line_for(purchase_order, variant), -2)])

    assert str(error.value) == (
        f"TOWEL-01 on PO {purchase_order.number}: -2 units received; enter 0 or more."
    )


def test_receive_line_of_other_order_is_refused():
    variant = stocked_variant()
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])
    other_order = open_purchase_order(lines=[(variant, 5, 0, "4.25")])
    foreign_line = line_for(other_order, variant)

    with pytest.raises(PurchaseOrderError) as error:
        receive(purchase_order, [(foreign_line, 1)])

    assert str(error.value) == (
        f"Line {foreign_line.pk} is not on PO {purchase_order.number}; reload "
        "the receiving form and enter the quantities again."
    )
    assert Stock.objects.get(variant=variant).quantity_on_hand == 0


def test_receive_draft_is_refused():
    variant = stocked_variant()
    purchase_order = open_purchase_order(
        lines=[(variant, 10, 0, "4.25")], status=Status.DRAFT
    )

    with pytest.raises(PurchaseOrderError) as error:
        receive(purchase_order, [(line_for(purchase_order, variant), 1)])

    assert str(error.value) == (
        f"PO {purchase_order.number} is draft, so it cannot be received; "
        "send it to the supplier first."
    )
    assert Stock.objects.get(variant=variant).quantity_on_hand == 0


def test_receive_releases_backorders_oldest_first():
    variant = stocked_variant(on_hand=0)
    newest = waiting_order_line(variant, quantity=1, hours_after_first=2)
    oldest = waiting_order_line(variant, quantity=1, hours_after_first=0)
    middle = waiting_order_line(variant, quantity=1, hours_after_first=1)
    purchase_order = open_purchase_order(lines=[(variant, 2, 0, "4.25")])

    receipt = receive(purchase_order, [(line_for(purchase_order, variant), 2)])

    assert receipt.allocated_lines == [oldest, middle]
    for line in (oldest, middle, newest):
        line.refresh_from_db()
    assert (oldest.quantity_allocated, oldest.quantity_backordered) == (1, 0)
    assert (middle.quantity_allocated, middle.quantity_backordered) == (1, 0)
    assert (newest.quantity_allocated, newest.quantity_backordered) == (0, 1)
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 2
    assert stock.quantity_allocated == 2


def test_receive_fills_part_of_a_backorder():
    variant = stocked_variant(on_hand=0)
    waiting = waiting_order_line(variant, quantity=5)
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])

    receive(purchase_order, [(line_for(purchase_order, variant), 3)])

    waiting.refresh_from_db()
    assert waiting.quantity_allocated == 3
    assert waiting.quantity_backordered == 2
