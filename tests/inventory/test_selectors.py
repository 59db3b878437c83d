import pytest

from inventory.selectors import Availability, availability_for
from tests.factories.inventory import StockFactory
from tests.factories.shop import VariantFactory


@pytest.mark.parametrize(
    ("on_hand", "expected"),
    [
        (10, Availability(quantity=10, status="in_stock", label="In stock")),
        (6, Availability(quantity=6, status="in_stock", label="In stock")),
        (5, Availability(quantity=5, status="low", label="Only 5 left")),
        (3, Availability(quantity=3, status="low", label="Only 3 left")),
        (1, Availability(quantity=1, status="low", label="Only 1 left")),
        (0, Availability(quantity=0, status="sold_out", label="Sold out")),
    ],
)
@pytest.mark.django_db
def test_availability_for_labels_by_quantity(settings, on_hand, expected):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    stock = StockFactory(quantity_on_hand=on_hand, backorderable=False)

    availability = availability_for([stock.variant_id])

    assert availability == {stock.variant_id: expected}


@pytest.mark.django_db
def test_availability_for_subtracts_allocated_units():
    stock = StockFactory(quantity_on_hand=10, quantity_allocated=7)

    availability = availability_for([stock.variant_id])

    assert availability[stock.variant_id].quantity == 3


@pytest.mark.django_db
def test_availability_for_variant_without_stock_row_is_sold_out():
    variant = VariantFactory()

    availability = availability_for([variant.pk])

    assert availability[variant.pk].status == "sold_out"
    assert availability[variant.pk].quantity == 0
    assert availability[variant.pk].expected_ship_date is None


@pytest.mark.django_db
def test_availability_for_threshold_follows_setting(settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 2
    stock = StockFactory(quantity_on_hand=3)

    availability = availability_for([stock.variant_id])

    assert availability[stock.variant_id].label == "In stock"


@pytest.mark.django_db
def test_availability_for_runs_one_query(django_assert_num_queries):
    variant_ids = [StockFactory(quantity_on_hand=n).variant_id for n in (0, 3, 10)]

    with django_assert_num_queries(1):
        availability = availability_for(variant_ids)

    assert [availability[pk].quantity for pk in variant_ids] == [0, 3, 10]


@pytest.mark.django_db
def test_availability_for_no_ids_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert availability_for([]) == {}
