"""Property test: any run of stock operations keeps stock equal to its ledger.

Hypothesis draws a sequence of operations on three variants (one not
backorderable) and runs each through the real services: opening stock,
receipts with backorder allocation, payments allocating, shipments,
releases, returns, adjustments and stocktake counts. An operation the
services reject (more removed than available, nothing to ship) is part of
the run: the rejection must change nothing. After every run the stored
quantities and values must equal the movement ledger (check_stock's
find_stock_drift) and no quantity may be negative.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inventory import services
from inventory.allocation import (
    AllocationError,
    allocate_backorders,
    release_allocation,
    ship_lines,
)
from inventory.models import Stock, StockMovement
from inventory.stock_check import find_stock_drift
from orders.models import Order, OrderLine
from orders.services import record_payment
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.inventory.allocation_setup import succeeded_intent

VARIANTS = 3

variant_index = st.integers(min_value=0, max_value=VARIANTS - 1)
units = st.integers(min_value=1, max_value=6)

operations = st.one_of(
    st.tuples(st.just("receive"), variant_index, units),
    st.tuples(st.just("pay"), variant_index, units),
    st.tuples(st.just("ship"), st.integers(min_value=0, max_value=20), st.just(0)),
    st.tuples(st.just("release"), st.integers(min_value=0, max_value=20), units),
    st.tuples(st.just("return"), variant_index, units),
    st.tuples(st.just("adjust"), variant_index, st.integers(min_value=-6, max_value=6)),
    st.tuples(st.just("count"), variant_index, st.integers(min_value=0, max_value=12)),
)


def make_variants(opening):
    variants = []
    for index, quantity in enumerate(opening):
        variant = VariantFactory(unit_cost=Decimal("3.33"))
        services.set_opening_stock(variant=variant, quantity=quantity)
        # The last variant sells out instead of taking backorders.
        Stock.objects.filter(variant=variant).update(backorderable=index < 2)
        variants.append(variant)
    return variants


def apply(operation, variants):
    """Run one operation; return False when it had nothing to act on."""
    kind, target, amount = operation
    if kind == "receive":
        services.receive_stock(
            variant=variants[target],
            quantity=amount,
            unit_cost=Decimal("2.50"),
            reference="PO",
        )
        allocate_backorders(variant_id=variants[target].pk)
    elif kind == "pay":
        order = order_with_lines(lines=[(variants[target], amount)])
        record_payment(order_id=order.pk, payment_intent=succeeded_intent(order))
    elif kind == "ship":
        orders = list(Order.objects.order_by("pk"))
        if not orders:
            return False
        ship_lines(order=orders[target % len(orders)], quantities=None, user=None)
    elif kind == "release":
        lines = list(OrderLine.objects.filter(quantity_allocated__gt=0).order_by("pk"))
        if not lines:
            return False
        line = lines[target % len(lines)]
        release_allocation(line=line, quantity=amount, reason="Test", user=None)
    elif kind == "return":
        services.return_to_stock(
            variant=variants[target],
            quantity=amount,
            value_amount=Decimal("3.33") * amount,
            reference="R",
        )
    elif kind == "adjust":
        if not amount:
            return False
        services.adjust_stock(
            variant=variants[target], quantity_change=amount, reason="Test", user=None
        )
    elif kind == "count":
        stock = Stock.objects.get(variant=variants[target])
        change = amount - stock.quantity_on_hand
        if not change:
            return False
        services.adjust_stock(
            variant=variants[target],
            quantity_change=change,
            reason="Count",
            user=None,
            kind=StockMovement.Kind.STOCKTAKE,
        )
    return True


def apply_or_reject(operation, variants):
    """Apply an operation; a rejected one must leave everything as it was."""
    before = snapshot()
    try:
        with transaction.atomic():
            acted = apply(operation, variants)
    except (AllocationError, services.InsufficientStockError):
        event(f"{operation[0]} rejected")
        assert snapshot() == before
    else:
        event(f"{operation[0]} {'applied' if acted else 'had nothing to do'}")


def released_units(line):
    """Return the units released from a line (each order has one line)."""
    movements = StockMovement.objects.filter(
        kind=StockMovement.Kind.RELEASE,
        reference=str(line.order.number),
        stock__variant=line.variant,
    )
    return -sum(movement.quantity_allocated_change for movement in movements)


def snapshot():
    return (
        list(Stock.objects.order_by("pk").values_list()),
        StockMovement.objects.count(),
        list(OrderLine.objects.order_by("pk").values_list()),
    )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    opening=st.lists(
        st.integers(min_value=0, max_value=8), min_size=VARIANTS, max_size=VARIANTS
    ),
    run=st.lists(operations, min_size=5, max_size=20),
)
def test_any_run_keeps_stock_equal_to_movements(opening, run):
    with transaction.atomic():
        variants = make_variants(opening)
        for operation in run:
            apply_or_reject(operation, variants)

        report = find_stock_drift()
        stocks = list(Stock.objects.filter(variant__in=variants))
        lines = [
            (line, released_units(line))
            for line in OrderLine.objects.filter(variant__in=variants)
        ]
        transaction.set_rollback(True)

    assert report.stocks == []
    assert report.lines == []
    for stock in stocks:
        assert stock.quantity_on_hand >= 0
        assert 0 <= stock.quantity_allocated <= stock.quantity_on_hand
        assert stock.value_amount >= 0
    for line, released in lines:
        placed = (
            line.quantity_allocated
            + line.quantity_backordered
            + line.quantity_shipped
            + line.quantity_oversold
        )
        assert placed + released == line.quantity
