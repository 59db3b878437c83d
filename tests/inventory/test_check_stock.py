"""manage.py check_stock and the drift it looks for."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from inventory.allocation import release_allocation, ship_lines
from inventory.models import Stock
from inventory.services import adjust_stock, receive_stock, return_to_stock
from inventory.stock_check import LineDrift, StockDrift, find_stock_drift
from orders.models import OrderLine
from tests.inventory.allocation_setup import paid_order, stocked_variant

pytestmark = pytest.mark.django_db


def trade():
    """Run a mix of operations over two variants; return the first."""
    hoodie = stocked_variant(quantity=4, sku="MH01-M-Black", unit_cost="23.40")
    mug = stocked_variant(quantity=1, sku="MUG-1", backorderable=False)
    first = paid_order([(hoodie, 3), (mug, 2)])
    second = paid_order([(hoodie, 3)])
    ship_lines(order=first, quantities=None, user=None)
    receive_stock(
        variant=hoodie, quantity=5, unit_cost=Decimal("20.00"), reference="PO 7"
    )
    release_allocation(
        line=second.lines.get(), quantity=1, reason="Customer changed mind", user=None
    )
    return_to_stock(
        variant=hoodie, quantity=1, value_amount=Decimal("23.40"), reference="R1"
    )
    adjust_stock(variant=mug, quantity_change=2, reason="Found a box", user=None)
    return hoodie


def test_check_stock_finds_no_drift_after_trading():
    trade()

    report = find_stock_drift()

    assert report.stocks == []
    assert report.lines == []


def test_check_stock_command_reports_match():
    trade()
    out = StringIO()

    call_command("check_stock", stdout=out)

    assert out.getvalue() == "Stock, values and allocations match their movements.\n"


def test_check_stock_reports_injected_quantity_drift():
    hoodie = trade()
    stock = Stock.objects.get(variant=hoodie)
    Stock.objects.filter(pk=stock.pk).update(quantity_on_hand=F("quantity_on_hand") + 1)

    report = find_stock_drift()

    assert report.stocks == [
        StockDrift(
            stock_id=stock.pk,
            sku="MH01-M-Black",
            location="shop",
            field="quantity_on_hand",
            stored=stock.quantity_on_hand + 1,
            expected=stock.quantity_on_hand,
        )
    ]
    assert report.lines == []


def test_check_stock_reports_injected_value_drift():
    hoodie = trade()
    stock = Stock.objects.get(variant=hoodie)
    Stock.objects.filter(pk=stock.pk).update(value_amount=Decimal("1.00"))

    [drift] = find_stock_drift().stocks

    assert drift.field == "value_amount"
    assert drift.stored == Decimal("1.00")
    assert drift.expected == stock.value_amount


def test_check_stock_reports_injected_line_drift():
    hoodie = trade()
    line = OrderLine.objects.filter(variant=hoodie, quantity_allocated=2).get()
    OrderLine.objects.filter(pk=line.pk).update(quantity_allocated=1)

    report = find_stock_drift()

    assert report.stocks == []
    assert report.lines == [
        LineDrift(
            order_number=str(line.order.number),
            sku="MH01-M-Black",
            stored=1,
            expected=2,
        )
    ]


def test_check_stock_command_exits_1_on_drift():
    hoodie = trade()
    Stock.objects.filter(variant=hoodie).update(quantity_allocated=0)
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("check_stock", stdout=out)

    assert error.value.returncode == 1
    assert str(error.value) == (
        "1 stored figure(s) differ from the stock movements; each is listed above."
    )
    assert out.getvalue() == (
        "MH01-M-Black at shop: quantity_allocated is 0, but its movements add up to 2\n"
    )
