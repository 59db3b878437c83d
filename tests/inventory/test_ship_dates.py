"""Expected ship dates of backordered items, counted in business days."""

from datetime import date
from decimal import Decimal

import pytest

from inventory.models import PurchaseOrder, PurchaseOrderLine
from inventory.selectors import availability_for, expected_ship_date
from tests.factories.inventory import StockFactory, SupplierFactory

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)


def _purchase_order(stock, *, expected, ordered=5, received=0, status="sent"):
    purchase_order = PurchaseOrder.objects.create(
        number=PurchaseOrder.objects.count() + 1,
        supplier=stock.supplier or SupplierFactory(),
        status=status,
        expected_date=expected,
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=stock.variant,
        quantity_ordered=ordered,
        quantity_received=received,
        unit_cost=Decimal("4.00"),
    )
    return purchase_order


@pytest.mark.django_db
def test_lead_time_skips_weekend():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory(lead_time_days=3))

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 8)


@pytest.mark.django_db
def test_lead_time_from_saturday_counts_from_monday():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory(lead_time_days=1))

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=date(2026, 12, 5))

    assert ship_date == date(2026, 12, 8)


@pytest.mark.django_db
def test_purchase_order_before_lead_time_wins():
    stock = StockFactory(
        quantity_on_hand=0, supplier=SupplierFactory(lead_time_days=10)
    )
    _purchase_order(stock, expected=date(2026, 12, 9))

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 9)


@pytest.mark.django_db
def test_earliest_open_purchase_order_wins():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory())
    _purchase_order(stock, expected=date(2026, 12, 16))
    _purchase_order(stock, expected=date(2026, 12, 10))

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 10)


@pytest.mark.parametrize(
    ("status", "ordered", "received"),
    [("received", 5, 5), ("cancelled", 5, 0), ("partly_received", 5, 5)],
)
@pytest.mark.django_db
def test_purchase_order_without_units_to_come_is_ignored(status, ordered, received):
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory(lead_time_days=3))
    _purchase_order(
        stock,
        expected=date(2026, 12, 4),
        ordered=ordered,
        received=received,
        status=status,
    )

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 8)


@pytest.mark.django_db
def test_partly_received_purchase_order_still_counts():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory(lead_time_days=3))
    _purchase_order(
        stock, expected=date(2026, 12, 7), received=2, status="partly_received"
    )

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 7)


@pytest.mark.django_db
def test_late_purchase_order_ships_next_business_day():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory(lead_time_days=3))
    _purchase_order(stock, expected=date(2026, 11, 27))

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == FRIDAY


@pytest.mark.django_db
def test_purchase_order_due_on_saturday_ships_monday():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory())
    _purchase_order(stock, expected=date(2026, 12, 12))

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 14)


@pytest.mark.django_db
def test_no_supplier_uses_default_lead_time(settings):
    settings.SHOP_DEFAULT_LEAD_TIME_DAYS = 2
    stock = StockFactory(quantity_on_hand=0, supplier=None)

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)

    assert ship_date == date(2026, 12, 7)


@pytest.mark.django_db
def test_sold_out_item_has_no_ship_date():
    stock = StockFactory(quantity_on_hand=0, backorderable=False)

    ship_date = expected_ship_date(variant_id=stock.variant_id, today=THURSDAY)
    availability = availability_for([stock.variant_id], today=THURSDAY)

    assert ship_date is None
    assert availability[stock.variant_id].status == "sold_out"
    assert availability[stock.variant_id].label == "Sold out"
    assert availability[stock.variant_id].expected_ship_date is None


@pytest.mark.django_db
def test_backorder_label_names_day_and_date():
    stock = StockFactory(quantity_on_hand=0, supplier=SupplierFactory())
    _purchase_order(stock, expected=date(2026, 12, 18))

    availability = availability_for([stock.variant_id], today=THURSDAY)

    assert availability[stock.variant_id].status == "backorder"
    assert availability[stock.variant_id].label == (
        "On backorder: expected to ship around Friday 18 December"
    )
    assert availability[stock.variant_id].expected_ship_date == date(2026, 12, 18)


@pytest.mark.django_db
def test_stock_all_allocated_is_on_backorder():
    stock = StockFactory(
        quantity_on_hand=4,
        quantity_allocated=4,
        supplier=SupplierFactory(lead_time_days=3),
    )

    availability = availability_for([stock.variant_id], today=THURSDAY)

    assert availability[stock.variant_id].status == "backorder"
    assert availability[stock.variant_id].expected_ship_date == date(2026, 12, 8)


@pytest.mark.django_db
def test_in_stock_item_carries_restock_date():
    stock = StockFactory(quantity_on_hand=2, supplier=SupplierFactory(lead_time_days=3))

    availability = availability_for([stock.variant_id], today=THURSDAY)

    assert availability[stock.variant_id].label == "Only 2 left"
    assert availability[stock.variant_id].backordered_units(5) == 3
    assert availability[stock.variant_id].expected_ship_date == date(2026, 12, 8)


@pytest.mark.django_db
def test_ship_dates_for_many_variants_run_one_query(django_assert_num_queries):
    supplier = SupplierFactory(lead_time_days=3)
    stocks = [StockFactory(quantity_on_hand=0, supplier=supplier) for _ in range(4)]
    _purchase_order(stocks[0], expected=date(2026, 12, 9))

    with django_assert_num_queries(1):
        availability = availability_for(
            [stock.variant_id for stock in stocks], today=THURSDAY
        )

    assert [availability[s.variant_id].expected_ship_date for s in stocks] == [
        date(2026, 12, 9),
        date(2026, 12, 8),
        date(2026, 12, 8),
        date(2026, 12, 8),
    ]
