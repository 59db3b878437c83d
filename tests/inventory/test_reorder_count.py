"""The reorder count of the dashboard and the queries of the reorder list."""

import pytest

from inventory.models import Location, PurchaseOrder, Stock
from inventory.reorder import count_reorder_suggestions, reorder_suggestions
from tests.factories.inventory import SupplierFactory
from tests.factories.shop import VariantFactory
from tests.inventory.purchasing_setup import (
    open_purchase_order,
    stocked_variant,
    waiting_order_line,
)

pytestmark = pytest.mark.django_db


def mixed_catalog(size: int = 1) -> None:
    """Create `size` variants of each kind, due for reordering or not.

    Due are a variant at its point and one with no point but customers
    waiting. Not due are a variant above its point, one lifted above it by
    an open purchase order, an inactive one and one stocked only away from
    the default location.
    """
    supplier = SupplierFactory()
    warehouse, _ = Location.objects.get_or_create(
        code="warehouse", defaults={"name": "Warehouse"}
    )
    for _ in range(size):
        stocked_variant(on_hand=5, supplier=supplier, reorder_point=5)
        waiting_order_line(stocked_variant(on_hand=1, supplier=supplier), quantity=3)

        stocked_variant(on_hand=6, supplier=supplier, reorder_point=5)
        lifted = stocked_variant(on_hand=2, supplier=supplier, reorder_point=5)
        open_purchase_order(
            supplier=supplier,
            lines=[(lifted, 10, 0, "4.00")],
            status=PurchaseOrder.Status.SENT,
        )
        inactive = stocked_variant(on_hand=0, supplier=supplier, reorder_point=5)
        inactive.is_active = False
        inactive.save()
        Stock.objects.create(
            variant=VariantFactory(), location=warehouse, reorder_point=5
        )


def test_count_matches_listed_suggestions():
    mixed_catalog()

    count = count_reorder_suggestions()

    assert count == 2
    assert count == len(reorder_suggestions())


def test_count_zero_when_nothing_due():
    stocked_variant(on_hand=6, supplier=SupplierFactory(), reorder_point=5)

    assert count_reorder_suggestions() == 0


@pytest.mark.parametrize("size", [1, 6])
def test_count_queries_fixed_whatever_size(django_assert_num_queries, size):
    mixed_catalog(size)

    with django_assert_num_queries(2):
        count = count_reorder_suggestions()

    assert count == 2 * size


@pytest.mark.parametrize("size", [1, 6])
def test_suggestion_queries_fixed_whatever_size(django_assert_num_queries, size):
    mixed_catalog(size)

    with django_assert_num_queries(3):
        suggestions = reorder_suggestions()

    assert len(suggestions) == 2 * size
    assert sum(item.backordered for item in suggestions) == 3 * size
