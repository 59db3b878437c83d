"""Stocktakes: counted differences move stock and post shrinkage."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from accounting.models import JournalEntry
from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from inventory.stocktake import StocktakeError, record_stocktake
from tests.accounting.ledger_setup import entry_lines
from tests.factories.shop import VariantFactory


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("clerk", is_staff=True)


@pytest.fixture
def mugs(db):
    """10 mugs on hand at $4.00 each."""
    variant = VariantFactory(sku="MUG-BLUE", unit_cost=Decimal("4.00"))
    set_opening_stock(variant=variant, quantity=10)
    return variant


def test_stocktake_short_count_moves_stock(mugs, clerk):
    movements = record_stocktake(counts={mugs.pk: 7}, reason="Year-end", user=clerk)

    stock = Stock.objects.get(variant=mugs)
    assert stock.quantity_on_hand == 7
    assert stock.value_amount == Decimal("28.00")
    [movement] = movements
    assert movement.kind == StockMovement.Kind.STOCKTAKE
    assert (movement.quantity, movement.value_amount) == (-3, Decimal("-12.00"))
    assert movement.reason == "Year-end"
    assert movement.created_by == clerk


def test_stocktake_short_count_posts_shrinkage(mugs, clerk):
    [movement] = record_stocktake(counts={mugs.pk: 7}, reason="Year-end", user=clerk)

    entry = JournalEntry.objects.get(stock_movement=movement)
    assert entry_lines(entry) == [
        ("inventory", Decimal("0.00"), Decimal("12.00")),
        ("inventory_shrinkage", Decimal("12.00"), Decimal("0.00")),
    ]


def test_stocktake_found_units_come_in_at_cost(mugs, clerk):
    [movement] = record_stocktake(counts={mugs.pk: 12}, reason="Found box", user=clerk)

    assert (movement.quantity, movement.value_amount) == (2, Decimal("8.00"))
    entry = JournalEntry.objects.get(stock_movement=movement)
    assert entry_lines(entry) == [
        ("inventory", Decimal("8.00"), Decimal("0.00")),
        ("inventory_shrinkage", Decimal("0.00"), Decimal("8.00")),
    ]


def test_stocktake_matching_count_writes_nothing(mugs, clerk):
    movements = record_stocktake(counts={mugs.pk: 10}, reason="Year-end", user=clerk)

    assert movements == []
    assert StockMovement.objects.filter(kind=StockMovement.Kind.STOCKTAKE).count() == 0


def test_stocktake_below_allocated_refused(mugs, clerk):
    other = VariantFactory(sku="MUG-RED", unit_cost=Decimal("4.00"))
    set_opening_stock(variant=other, quantity=5)
    Stock.objects.filter(variant=mugs).update(quantity_allocated=4)

    with pytest.raises(StocktakeError) as error:
        record_stocktake(
            counts={other.pk: 3, mugs.pk: 3}, reason="Year-end", user=clerk
        )

    assert str(error.value) == (
        "MUG-BLUE is counted at 3 but 4 are allocated to paid orders; recount, "
        "or release or ship those orders first."
    )
    assert Stock.objects.get(variant=mugs).quantity_on_hand == 10
    assert Stock.objects.get(variant=other).quantity_on_hand == 5
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.STOCKTAKE)


def test_stocktake_negative_count_refused(mugs, clerk):
    with pytest.raises(StocktakeError) as error:
        record_stocktake(counts={mugs.pk: -1}, reason="Year-end", user=clerk)

    assert str(error.value) == "MUG-BLUE is counted at -1; enter 0 or more."
    assert Stock.objects.get(variant=mugs).quantity_on_hand == 10


def test_stocktake_blank_reason_refused(mugs, clerk):
    with pytest.raises(StocktakeError) as error:
        record_stocktake(counts={mugs.pk: 7}, reason="  ", user=clerk)

    assert str(error.value) == "Give a reason for the stocktake, such as 'Year-end'."
    assert Stock.objects.get(variant=mugs).quantity_on_hand == 10
