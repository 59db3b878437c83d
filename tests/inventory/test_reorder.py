from decimal import Decimal

import pytest

from inventory.models import Location, PurchaseOrder, Stock
from inventory.reorder import reorder_suggestions, suggested_quantity
from orders.models import Order
from tests.factories.inventory import SupplierFactory
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import VariantFactory
from tests.inventory.purchasing_setup import (
    open_purchase_order,
    stocked_variant,
    waiting_order_line,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("position", "reorder_point", "reorder_quantity", "expected"),
    [
        (5, 5, 12, 12),  # at the point: one case lifts it above
        (2, 5, 12, 12),  # below: 4 short, one case of 12
        (6, 5, 12, 0),  # above: nothing to order
        (0, 10, 6, 12),  # 11 short: two cases of 6
        (-1, 10, 6, 12),  # 12 short: exactly two cases
        (-2, 10, 6, 18),  # 13 short: three cases
        (2, 5, 0, 4),  # no case size: exactly what lifts it to 6
        (-3, 0, 0, 4),  # customers waiting, no point set
    ],
)
def test_suggested_quantity_table(position, reorder_point, reorder_quantity, expected):
    quantity = suggested_quantity(
        position=position,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
    )

    assert quantity == expected


def test_reorder_lists_variant_at_point():
    supplier = SupplierFactory(name="Harbour Pottery")
    variant = stocked_variant(
        on_hand=5, supplier=supplier, reorder_point=5, reorder_quantity=12
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.variant_id == variant.pk
    assert suggestion.supplier_id == supplier.pk
    assert suggestion.supplier_name == "Harbour Pottery"
    assert suggestion.available == 5
    assert suggestion.on_order == 0
    assert suggestion.backordered == 0
    assert suggestion.position == 5
    assert suggestion.reorder_point == 5
    assert suggestion.suggested_quantity == 12
    assert suggestion.unit_cost == Decimal("4.00")


def test_reorder_lists_variant_below_point():
    variant = stocked_variant(
        on_hand=2, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=12
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.variant_id == variant.pk
    assert suggestion.position == 2
    assert suggestion.suggested_quantity == 12


def test_reorder_skips_variant_above_point():
    stocked_variant(
        on_hand=6, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=12
    )

    assert reorder_suggestions() == []


def test_reorder_suggests_multiples_of_reorder_quantity():
    stocked_variant(
        on_hand=0, supplier=SupplierFactory(), reorder_point=10, reorder_quantity=6
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.suggested_quantity == 12


def test_reorder_quantity_zero_suggests_exact_shortfall():
    stocked_variant(
        on_hand=2, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=0
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.suggested_quantity == 4


def test_reorder_counts_outstanding_units_on_open_orders():
    supplier = SupplierFactory()
    variant = stocked_variant(
        on_hand=2, supplier=supplier, reorder_point=6, reorder_quantity=0
    )
    open_purchase_order(
        supplier=supplier,
        lines=[(variant, 4, 1, "4.00")],
        status=PurchaseOrder.Status.PARTLY_RECEIVED,
    )
    open_purchase_order(
        supplier=supplier,
        lines=[(variant, 1, 0, "4.00")],
        status=PurchaseOrder.Status.DRAFT,
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.on_order == 4
    assert suggestion.position == 6
    assert suggestion.suggested_quantity == 1


def test_reorder_ignores_cancelled_and_received_orders():
    supplier = SupplierFactory()
    variant = stocked_variant(
        on_hand=2, supplier=supplier, reorder_point=5, reorder_quantity=0
    )
    open_purchase_order(
        supplier=supplier,
        lines=[(variant, 10, 0, "4.00")],
        status=PurchaseOrder.Status.CANCELLED,
    )
    open_purchase_order(
        supplier=supplier,
        lines=[(variant, 10, 10, "4.00")],
        status=PurchaseOrder.Status.RECEIVED,
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.on_order == 0
    assert suggestion.suggested_quantity == 4


def test_reorder_open_order_lifts_variant_off_list():
    supplier = SupplierFactory()
    variant = stocked_variant(
        on_hand=2, supplier=supplier, reorder_point=5, reorder_quantity=12
    )
    open_purchase_order(supplier=supplier, lines=[(variant, 12, 0, "4.00")])

    assert reorder_suggestions() == []


def test_reorder_counts_backordered_units():
    variant = stocked_variant(
        on_hand=6, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=12
    )
    waiting_order_line(variant, quantity=3)

    [suggestion] = reorder_suggestions()

    assert suggestion.available == 6
    assert suggestion.backordered == 3
    assert suggestion.position == 3
    assert suggestion.suggested_quantity == 12


def test_reorder_ignores_backorders_of_cancelled_orders():
    variant = stocked_variant(
        on_hand=6, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=12
    )
    OrderLineFactory(
        order=OrderFactory(status=Order.Status.CANCELLED),
        variant=variant,
        quantity=3,
        quantity_backordered=3,
    )

    assert reorder_suggestions() == []


def test_reorder_point_zero_lists_only_waiting_customers():
    supplier = SupplierFactory()
    stocked_variant(on_hand=0, supplier=supplier)
    waited_for = stocked_variant(on_hand=0, supplier=supplier)
    waiting_order_line(waited_for, quantity=2)

    [suggestion] = reorder_suggestions()

    assert suggestion.variant_id == waited_for.pk
    assert suggestion.position == -2
    assert suggestion.suggested_quantity == 3


def test_reorder_lists_variant_without_supplier_last():
    with_supplier = stocked_variant(
        on_hand=0, supplier=SupplierFactory(name="Zed Supply"), reorder_point=1
    )
    without_supplier = stocked_variant(on_hand=0, reorder_point=1)

    suggestions = reorder_suggestions()

    assert [item.variant_id for item in suggestions] == [
        with_supplier.pk,
        without_supplier.pk,
    ]
    assert suggestions[1].supplier_id is None
    assert suggestions[1].supplier_name == ""


def test_reorder_skips_inactive_variant():
    variant = stocked_variant(on_hand=0, supplier=SupplierFactory(), reorder_point=3)
    variant.is_active = False
    variant.save()

    assert reorder_suggestions() == []


def warehouse_stock(variant, *, on_hand, allocated=0, **settings):
    """Create `variant`'s stock row at a second location, the warehouse."""
    warehouse, _ = Location.objects.get_or_create(
        code="warehouse", defaults={"name": "Warehouse"}
    )
    return Stock.objects.create(
        variant=variant,
        location=warehouse,
        quantity_on_hand=on_hand,
        quantity_allocated=allocated,
        **settings,
    )


def test_reorder_sums_available_over_locations():
    supplier = SupplierFactory(name="Harbour Pottery")
    variant = stocked_variant(
        on_hand=2, supplier=supplier, reorder_point=5, reorder_quantity=0
    )
    warehouse_stock(variant, on_hand=4, allocated=1)

    [suggestion] = reorder_suggestions()

    assert suggestion.available == 5
    assert suggestion.position == 5
    assert suggestion.suggested_quantity == 1


def test_reorder_reads_settings_at_default_location():
    supplier = SupplierFactory(name="Harbour Pottery")
    variant = stocked_variant(
        on_hand=0, supplier=supplier, reorder_point=3, reorder_quantity=6
    )
    warehouse_stock(
        variant,
        on_hand=1,
        supplier=SupplierFactory(name="Warehouse Supply"),
        reorder_point=40,
        reorder_quantity=100,
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.supplier_id == supplier.pk
    assert suggestion.reorder_point == 3
    assert suggestion.reorder_quantity == 6
    assert suggestion.suggested_quantity == 6


def test_reorder_skips_variant_stocked_only_elsewhere():
    variant = VariantFactory()
    warehouse_stock(variant, on_hand=0, supplier=SupplierFactory(), reorder_point=5)

    assert reorder_suggestions() == []


@pytest.mark.parametrize(
    "status",
    [
        Order.Status.PENDING_PAYMENT,
        Order.Status.SHIPPED,
        Order.Status.DELIVERED,
        Order.Status.COMPLETED,
    ],
)
def test_reorder_ignores_backorders_not_waiting(status):
    variant = stocked_variant(
        on_hand=6, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=12
    )
    OrderLineFactory(
        order=OrderFactory(status=status),
        variant=variant,
        quantity=3,
        quantity_backordered=3,
    )

    assert reorder_suggestions() == []


def test_reorder_counts_backorders_of_partly_shipped_orders():
    variant = stocked_variant(
        on_hand=6, supplier=SupplierFactory(), reorder_point=5, reorder_quantity=0
    )
    OrderLineFactory(
        order=OrderFactory(paid=True, status=Order.Status.PARTLY_SHIPPED),
        variant=variant,
        quantity=4,
        quantity_backordered=2,
    )

    [suggestion] = reorder_suggestions()

    assert suggestion.backordered == 2
    assert suggestion.position == 4
    assert suggestion.suggested_quantity == 2


def test_reorder_sums_each_table_once():
    # Two rows in each table: a join that multiplied them would double
    # every sum.
    supplier = SupplierFactory()
    variant = stocked_variant(on_hand=1, supplier=supplier)
    warehouse_stock(variant, on_hand=2)
    open_purchase_order(supplier=supplier, lines=[(variant, 2, 0, "4.00")])
    open_purchase_order(supplier=supplier, lines=[(variant, 3, 0, "4.00")])
    waiting_order_line(variant, quantity=4)
    waiting_order_line(variant, quantity=5, hours_after_first=1)

    [suggestion] = reorder_suggestions()

    assert suggestion.available == 3
    assert suggestion.on_order == 5
    assert suggestion.backordered == 9
    assert suggestion.position == -1
    assert suggestion.suggested_quantity == 2


def test_reorder_sorts_by_supplier_name_then_sku():
    birch = SupplierFactory(name="Birch Supply")
    alder = SupplierFactory(name="Alder Supply")
    stocked_variant(sku="B-2", supplier=birch, reorder_point=1)
    stocked_variant(sku="B-1", supplier=birch, reorder_point=1)
    stocked_variant(sku="A-1", supplier=alder, reorder_point=1)

    suggestions = reorder_suggestions()

    assert [item.sku for item in suggestions] == ["A-1", "B-1", "B-2"]
