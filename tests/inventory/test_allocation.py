"""Allocation at payment, backorders, releases and oversold lines."""

from decimal import Decimal

import pytest
from django.db import transaction

from inventory.allocation import (
    AllocationError,
    allocate_backorders,
    allocate_order,
    backorder_oversold_line,
    cancel_oversold_line,
    cancel_unshipped_units,
    release_allocation,
    ship_lines,
)
from inventory.models import StockMovement
from inventory.services import InsufficientStockError, adjust_stock, receive_stock
from orders.models import Order
from orders.services import record_payment
from tests.factories.orders import order_with_lines
from tests.inventory.allocation_setup import (
    paid_order,
    stock_of,
    stocked_variant,
    succeeded_intent,
)

pytestmark = pytest.mark.django_db


def test_payment_allocates_units_in_stock():
    variant = stocked_variant(quantity=10)

    order = paid_order([(variant, 3)])

    line = order.lines.get()
    assert line.quantity_allocated == 3
    assert line.quantity_backordered == 0
    assert stock_of(variant).quantity_on_hand == 10
    assert stock_of(variant).quantity_allocated == 3
    movement = StockMovement.objects.get(kind=StockMovement.Kind.ALLOCATION)
    assert movement.quantity == 0
    assert movement.quantity_allocated_change == 3
    assert movement.value_amount == Decimal("0.00")
    assert movement.reference == str(order.number)


def test_payment_backorders_shortfall():
    variant = stocked_variant(quantity=3)

    order = paid_order([(variant, 5)])

    line = order.lines.get()
    assert line.quantity_allocated == 3
    assert line.quantity_backordered == 2
    assert line.quantity_oversold == 0
    assert line.backordered_at is not None
    assert stock_of(variant).quantity_allocated == 3


def test_payment_marks_shortfall_oversold_when_not_backorderable():
    variant = stocked_variant(quantity=3, backorderable=False)

    order = paid_order([(variant, 5)])

    line = order.lines.get()
    assert line.quantity_allocated == 3
    assert line.quantity_oversold == 2
    assert line.quantity_backordered == 0
    assert line.backordered_at is None
    assert stock_of(variant).quantity_allocated == 3


def test_payment_without_stock_backorders_all():
    variant = stocked_variant(quantity=0)

    order = paid_order([(variant, 2)])

    line = order.lines.get()
    assert line.quantity_allocated == 0
    assert line.quantity_backordered == 2
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION)


def test_allocate_order_twice_allocates_once():
    variant = stocked_variant(quantity=10)
    order = paid_order([(variant, 3)])

    allocate_order(order=order)

    assert order.lines.get().quantity_allocated == 3
    assert stock_of(variant).quantity_allocated == 3
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION).count() == 1


def test_payment_recorded_twice_allocates_once():
    variant = stocked_variant(quantity=10)
    order = order_with_lines(lines=[(variant, 3)])
    intent = succeeded_intent(order)

    with transaction.atomic():
        record_payment(order_id=order.pk, payment_intent=intent)
    with transaction.atomic():
        record_payment(order_id=order.pk, payment_intent=intent)

    assert order.lines.get().quantity_allocated == 3
    assert stock_of(variant).quantity_allocated == 3
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION).count() == 1


def test_allocate_backorders_serves_oldest_first():
    variant = stocked_variant(quantity=0)
    first = paid_order([(variant, 2)])
    second = paid_order([(variant, 3)])
    receive_stock(
        variant=variant, quantity=4, unit_cost=Decimal("10.00"), reference="PO 1"
    )

    served = allocate_backorders(variant_id=variant.pk)

    assert [line.order_id for line in served] == [first.pk, second.pk]
    first_line, second_line = first.lines.get(), second.lines.get()
    assert (first_line.quantity_allocated, first_line.quantity_backordered) == (2, 0)
    assert first_line.backordered_at is None
    assert (second_line.quantity_allocated, second_line.quantity_backordered) == (2, 1)
    assert second_line.backordered_at is not None
    assert stock_of(variant).quantity_allocated == 4


def test_allocate_backorders_skips_unpaid_orders():
    variant = stocked_variant(quantity=0)
    order = paid_order([(variant, 2)])
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    receive_stock(
        variant=variant, quantity=4, unit_cost=Decimal("10.00"), reference="PO 1"
    )

    served = allocate_backorders(variant_id=variant.pk)

    assert served == []
    assert stock_of(variant).quantity_allocated == 0


def test_release_allocation_frees_units_for_backorders():
    variant = stocked_variant(quantity=2)
    first = paid_order([(variant, 2)])
    waiting = paid_order([(variant, 1)])

    movement = release_allocation(
        line=first.lines.get(), quantity=2, reason="Cancelled by phone", user=None
    )

    assert movement.kind == StockMovement.Kind.RELEASE
    assert movement.quantity_allocated_change == -2
    assert first.lines.get().quantity_allocated == 0
    assert waiting.lines.get().quantity_allocated == 1
    assert waiting.lines.get().quantity_backordered == 0
    assert stock_of(variant).quantity_allocated == 1


def test_release_allocation_rejects_more_than_allocated():
    variant = stocked_variant(quantity=5, sku="MH01-M-Black")
    order = paid_order([(variant, 2)])

    with pytest.raises(AllocationError) as error:
        release_allocation(line=order.lines.get(), quantity=3, reason="x", user=None)

    assert str(error.value) == (
        f"MH01-M-Black on order {order.number} has 2 allocated, so 3 cannot be "
        "released; enter 1 to 2."
    )
    assert order.lines.get().quantity_allocated == 2
    assert stock_of(variant).quantity_allocated == 2


def test_backorder_oversold_line_allocates_what_arrived():
    variant = stocked_variant(quantity=3, backorderable=False)
    order = paid_order([(variant, 5)])
    receive_stock(
        variant=variant, quantity=1, unit_cost=Decimal("10.00"), reference="PO 2"
    )

    line = backorder_oversold_line(line=order.lines.get(), user=None)

    assert line.quantity_oversold == 0
    assert line.quantity_allocated == 4
    assert line.quantity_backordered == 1
    assert line.backordered_at is not None
    assert stock_of(variant).quantity_allocated == 4


def test_backorder_oversold_line_rejects_line_without_oversold():
    variant = stocked_variant(quantity=5, sku="MH01-M-Black")
    order = paid_order([(variant, 2)])

    with pytest.raises(AllocationError) as error:
        backorder_oversold_line(line=order.lines.get(), user=None)

    assert str(error.value) == (
        f"MH01-M-Black on order {order.number} has no oversold units; "
        "nothing to change."
    )


def test_cancel_oversold_line_clears_oversold():
    variant = stocked_variant(quantity=3, backorderable=False)
    order = paid_order([(variant, 5)])

    line = cancel_oversold_line(line=order.lines.get(), user=None)

    assert line.quantity_oversold == 0
    assert line.quantity_allocated == 3
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_adjust_stock_refuses_removing_allocated_units():
    variant = stocked_variant(quantity=5, sku="MH01-M-Black")
    paid_order([(variant, 3)])

    with pytest.raises(InsufficientStockError) as error:
        adjust_stock(variant=variant, quantity_change=-3, reason="Damaged", user=None)

    assert str(error.value) == (
        "MH01-M-Black has 5 on hand and 3 allocated to paid orders, so at most 2 "
        "can be removed."
    )
    assert stock_of(variant).quantity_on_hand == 5
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ADJUSTMENT).count() == 0


def test_adjust_stock_removes_available_units():
    variant = stocked_variant(quantity=5)
    paid_order([(variant, 3)])

    adjust_stock(variant=variant, quantity_change=-2, reason="Damaged", user=None)

    assert stock_of(variant).quantity_on_hand == 3
    assert stock_of(variant).quantity_allocated == 3


def test_cancel_unshipped_units_takes_oversold_then_allocated():
    variant = stocked_variant(quantity=2, backorderable=False)
    order = paid_order([(variant, 3)])
    line = order.lines.get()

    cancelled = cancel_unshipped_units(
        line=line, quantity=2, reason="Refunded", user=None
    )

    assert cancelled == 2
    line.refresh_from_db()
    assert (line.quantity_oversold, line.quantity_allocated) == (0, 1)
    assert stock_of(variant).quantity_allocated == 1
    release = StockMovement.objects.get(kind=StockMovement.Kind.RELEASE)
    assert release.quantity_allocated_change == -1


def test_cancel_unshipped_units_leaves_shipped_units():
    variant = stocked_variant(quantity=5)
    order = paid_order([(variant, 2)])
    ship_lines(order=order, quantities=None, user=None)

    cancelled = cancel_unshipped_units(
        line=order.lines.get(), quantity=2, reason="Refunded", user=None
    )

    assert cancelled == 0
    assert order.lines.get().quantity_shipped == 2
    assert stock_of(variant).quantity_on_hand == 3
