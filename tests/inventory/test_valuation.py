from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from inventory import services
from inventory.models import Stock, StockMovement
from tests.factories.shop import VariantFactory


@pytest.fixture
def lamp():
    # Three units worth $10.00 in all.
    variant = VariantFactory(unit_cost=Decimal("3.3333"))
    services.set_opening_stock(variant=variant, quantity=3)
    return variant


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk")


def sell(variant, units=1):
    services.record_sale(items=[(variant.pk, units)], reference="100042")
    return StockMovement.objects.filter(kind="sale").order_by("-pk").first()


def stock_value(variant) -> Decimal:
    return Stock.objects.get(variant=variant).value_amount


@pytest.mark.django_db
def test_opening_stock_valued_at_unit_cost(lamp):
    assert stock_value(lamp) == Decimal("10.00")
    assert StockMovement.objects.get().value_amount == Decimal("10.00")


@pytest.mark.django_db
def test_opening_stock_without_cost_has_no_value():
    variant = VariantFactory(unit_cost=None)

    movement = services.set_opening_stock(variant=variant, quantity=4)

    assert movement.value_amount == Decimal("0.00")
    assert stock_value(variant) == Decimal("0.00")


@pytest.mark.django_db
def test_units_out_take_average_and_last_takes_rest(lamp):
    values = [sell(lamp).value_amount for _ in range(3)]

    assert values == [Decimal("-3.33"), Decimal("-3.33"), Decimal("-3.34")]
    assert stock_value(lamp) == Decimal("0.00")


@pytest.mark.django_db
def test_receipt_between_sales_sets_new_average(lamp):
    sell(lamp)  # 2 units worth $6.67 left.

    services.receive_stock(
        variant=lamp, quantity=2, unit_cost=Decimal("4.00"), reference="PO-1"
    )
    values = [sell(lamp).value_amount for _ in range(4)]

    # 4 units worth $14.67: $3.6675 each, rounded half up.
    assert values == [
        Decimal("-3.67"),
        Decimal("-3.67"),
        Decimal("-3.67"),
        Decimal("-3.66"),
    ]
    assert stock_value(lamp) == Decimal("0.00")


@pytest.mark.django_db
def test_sale_of_several_units_rounds_once(lamp):
    movement = sell(lamp, units=2)

    assert movement.value_amount == Decimal("-6.67")
    assert stock_value(lamp) == Decimal("3.33")


@pytest.mark.django_db
def test_value_out_never_exceeds_value_left():
    # $0.05 over 7 units: each unit out rounds $0.00714 up to $0.01.
    variant = VariantFactory(unit_cost=None)
    services.receive_stock(
        variant=variant, quantity=7, unit_cost=Decimal("0.00714"), reference="PO-2"
    )
    values = [sell(variant).value_amount for _ in range(7)]

    assert sum(values) == Decimal("-0.05")
    assert all(value <= 0 for value in values)
    assert stock_value(variant) == Decimal("0.00")


@pytest.mark.django_db
def test_adjustment_in_takes_current_unit_cost(lamp, clerk):
    sell(lamp)

    movement = services.adjust_stock(
        variant=lamp, quantity_change=2, reason="Found in storage", user=clerk
    )

    assert movement.value_amount == Decimal("6.67")
    assert stock_value(lamp) == Decimal("13.34")


@pytest.mark.django_db
def test_adjustment_in_on_new_stock_takes_variant_cost(clerk):
    variant = VariantFactory(unit_cost=Decimal("2.50"))

    movement = services.adjust_stock(
        variant=variant, quantity_change=4, reason="Count", user=clerk
    )

    assert movement.value_amount == Decimal("10.00")


@pytest.mark.django_db
def test_adjustment_to_zero_takes_all_value(lamp, clerk):
    movement = services.adjust_stock(
        variant=lamp, quantity_change=-3, reason="Water damage", user=clerk
    )

    assert movement.value_amount == Decimal("-10.00")
    assert stock_value(lamp) == Decimal("0.00")


@pytest.mark.django_db
def test_return_adds_value_given(lamp):
    services.return_to_stock(
        variant=lamp, quantity=1, value_amount=Decimal("3.33"), reference="CN-1"
    )

    assert stock_value(lamp) == Decimal("13.33")


@pytest.mark.django_db
def test_stock_value_equals_sum_of_movements(lamp, clerk):
    sell(lamp)
    services.receive_stock(
        variant=lamp, quantity=5, unit_cost=Decimal("3.10"), reference="PO-3"
    )
    services.adjust_stock(variant=lamp, quantity_change=-1, reason="Lost", user=clerk)
    services.return_to_stock(
        variant=lamp, quantity=1, value_amount=Decimal("3.33"), reference="CN-2"
    )

    stock = Stock.objects.get(variant=lamp)
    moved = stock.movements.aggregate(value=Sum("value_amount"))["value"]
    # $10.00 - 3.33 + 15.50 - 3.17 (at $22.17 / 7) + 3.33
    assert stock.value_amount == moved == Decimal("22.33")


@pytest.mark.django_db
def test_receive_stock_rejects_negative_cost():
    variant = VariantFactory(sku="LAMP-2")

    with pytest.raises(ValueError, match=r"Unit cost of LAMP-2 is -1\.00; enter 0"):
        services.receive_stock(
            variant=variant, quantity=1, unit_cost=Decimal("-1.00"), reference="PO"
        )

    assert StockMovement.objects.count() == 0


@pytest.mark.django_db
def test_return_to_stock_rejects_zero_units(lamp):
    with pytest.raises(ValueError, match=f"Returned quantity of {lamp.sku} is 0"):
        services.return_to_stock(
            variant=lamp, quantity=0, value_amount=Decimal("1.00"), reference="CN"
        )

    assert StockMovement.objects.count() == 1
