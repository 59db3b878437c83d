import pytest
from django.urls import reverse

from inventory.models import Stock
from tests.changelist_queries import PAGE_SIZES, set_page_size
from tests.factories.inventory import StockFactory, SupplierFactory
from tests.factories.shop import ProductFactory, VariantFactory

URL = reverse("admin:inventory_stock_changelist")


def create_stock(count: int) -> None:
    """Create stock rows of one product's variants, spread over 3 suppliers."""
    product = ProductFactory(name="Harbour mug")
    suppliers = SupplierFactory.create_batch(3)
    for index in range(count):
        StockFactory(
            variant=VariantFactory(product=product, size=f"{index}"),
            supplier=suppliers[index % 3],
            reorder_point=5,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "per_page"), PAGE_SIZES)
@pytest.mark.parametrize("query", ["", "?q=Harbour", "?backorderable__exact=1"])
def test_stock_changelist_queries_fixed(
    admin_client, django_assert_num_queries, monkeypatch, rows, per_page, query
):
    create_stock(rows)
    set_page_size(monkeypatch, Stock, per_page)

    with django_assert_num_queries(8):
        response = admin_client.get(URL + query)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == per_page
