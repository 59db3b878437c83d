import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import PurchaseOrder, PurchaseOrderLine, Stock
from inventory.services import adjust_stock
from shop.models import Product, Variant
from shop.roles import INVENTORY
from tests.factories.inventory import StockFactory, SupplierFactory
from tests.factories.shop import CategoryFactory, ProductFactory, VariantFactory

PRODUCTS = "/api/products/"
VARIANTS = "/api/variants/"
LOOKUP = "/api/variants/lookup/"
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def client(api_client_for):
    return api_client_for(INVENTORY)


def make_old(*querysets):
    """Set updated_at of every row to LONG_AGO, as if synced long ago."""
    for queryset in querysets:
        queryset.update(updated_at=LONG_AGO)


@pytest.mark.django_db
def test_product_lists_variants_with_stock(client):
    product = ProductFactory(sku="TEE", name="Harbour tee")
    stocked = VariantFactory(product=product, sku="TEE-M", price=Decimal("28.50"))
    VariantFactory(product=product, sku="TEE-L", barcode="0123456789012")
    StockFactory(variant=stocked, quantity_on_hand=10, quantity_allocated=3)

    response = client.get(f"{PRODUCTS}{product.pk}/")

    assert response.status_code == 200
    variants = response.json()["variants"]
    assert [variant["sku"] for variant in variants] == ["TEE-M", "TEE-L"]
    assert variants[0]["price"] == "28.50"
    assert variants[0]["availability"] == {
        "quantity_on_hand": 10,
        "quantity_allocated": 3,
        "quantity_available": 7,
        "status": "in_stock",
        "label": "In stock",
        "backorderable": True,
        "expected_ship_date": variants[0]["availability"]["expected_ship_date"],
        "stock_updated_at": variants[0]["availability"]["stock_updated_at"],
    }
    assert variants[1]["barcode"] == "0123456789012"


@pytest.mark.django_db
def test_variant_without_stock_is_sold_out(client):
    variant = VariantFactory(sku="MUG")

    availability = client.get(f"{VARIANTS}{variant.pk}/").json()["availability"]

    assert availability["quantity_on_hand"] == 0
    assert availability["quantity_available"] == 0
    assert availability["status"] == "sold_out"
    assert availability["backorderable"] is False
    assert availability["expected_ship_date"] is None
    assert availability["stock_updated_at"] is None


@pytest.mark.django_db
def test_backordered_variant_ships_with_purchase_order(client):
    supplier = SupplierFactory()
    stock = StockFactory(quantity_on_hand=2, quantity_allocated=2, supplier=supplier)
    purchase_order = PurchaseOrder.objects.create(
        number=7001,
        supplier=supplier,
        status=PurchaseOrder.Status.SENT,
        expected_date=datetime.date(2031, 3, 10),  # a Monday
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=stock.variant,
        quantity_ordered=12,
        unit_cost=Decimal("9.00"),
    )

    availability = client.get(f"{VARIANTS}{stock.variant.pk}/").json()["availability"]

    assert availability["quantity_available"] == 0
    assert availability["status"] == "backorder"
    assert availability["expected_ship_date"] == "2031-03-10"
    assert availability["label"] == (
        "On backorder: expected to ship around Monday 10 March"
    )


@pytest.mark.django_db
def test_variant_filter_by_sku_ignores_case(client):
    VariantFactory(sku="HOOD-BLK-M")
    VariantFactory(sku="HOOD-BLK-L")

    response = client.get(VARIANTS, {"sku": "hood-blk-m"})

    assert [row["sku"] for row in response.json()["results"]] == ["HOOD-BLK-M"]


@pytest.mark.django_db
def test_variant_filter_by_barcode(client):
    VariantFactory(sku="A", barcode="0700000000011")
    VariantFactory(sku="B", barcode="0700000000028")

    response = client.get(VARIANTS, {"barcode": "0700000000028"})

    assert [row["sku"] for row in response.json()["results"]] == ["B"]


@pytest.mark.django_db
def test_lookup_finds_variant_by_barcode(client):
    variant = VariantFactory(sku="CAP-RED", barcode="0628000000017")
    StockFactory(variant=variant, quantity_on_hand=4)

    response = client.get(LOOKUP, {"code": "0628000000017"})

    assert response.status_code == 200
    assert response.json()["sku"] == "CAP-RED"
    assert response.json()["availability"]["quantity_available"] == 4


@pytest.mark.django_db
def test_lookup_finds_variant_by_sku_any_case(client):
    VariantFactory(sku="CAP-RED")

    response = client.get(LOOKUP, {"code": " cap-red "})

    assert response.status_code == 200
    assert response.json()["sku"] == "CAP-RED"


@pytest.mark.django_db
def test_lookup_unknown_code_names_it(client):
    VariantFactory(sku="CAP-RED")

    response = client.get(LOOKUP, {"code": "999123"})

    assert response.status_code == 404
    assert response.json() == {"detail": "No variant has the SKU or barcode '999123'."}


@pytest.mark.django_db
def test_lookup_shared_barcode_is_conflict(client):
    VariantFactory(sku="CAP-RED", barcode="0628000000017")
    VariantFactory(sku="CAP-BLU", barcode="0628000000017")

    response = client.get(LOOKUP, {"code": "0628000000017"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The code '0628000000017' is on several variants (CAP-RED, "
        "CAP-BLU); look one up by its SKU instead."
    }


@pytest.mark.django_db
def test_lookup_prefers_sku_over_barcode(client):
    VariantFactory(sku="0628000000017")
    VariantFactory(sku="CAP-BLU", barcode="0628000000017")

    response = client.get(LOOKUP, {"code": "0628000000017"})

    assert response.status_code == 200
    assert response.json()["sku"] == "0628000000017"


@pytest.mark.django_db
def test_lookup_without_code_is_rejected(client):
    response = client.get(LOOKUP)

    assert response.status_code == 400
    assert response.json() == {
        "code": ["The code is missing; send a SKU or barcode as `code`."]
    }


@pytest.mark.django_db
def test_variant_updated_since_includes_stock_change(client):
    moved = StockFactory(variant__sku="MOVED", quantity_on_hand=5)
    StockFactory(variant__sku="STILL", quantity_on_hand=5)
    make_old(Product.objects.all(), Variant.objects.all(), Stock.objects.all())
    since = timezone.now()

    adjust_stock(variant=moved.variant, quantity_change=-1, reason="Damaged", user=None)
    response = client.get(VARIANTS, {"updated_since": since.isoformat()})

    rows = response.json()["results"]
    assert [row["sku"] for row in rows] == ["MOVED"]
    assert rows[0]["availability"]["quantity_on_hand"] == 4


@pytest.mark.django_db
def test_variant_updated_since_includes_product_change(client):
    variant = VariantFactory(sku="RENAMED")
    VariantFactory(sku="SAME")
    make_old(Product.objects.all(), Variant.objects.all())
    since = timezone.now()

    variant.product.name = "Harbour tee, organic"
    variant.product.save()
    response = client.get(VARIANTS, {"updated_since": since.isoformat()})

    assert [row["sku"] for row in response.json()["results"]] == ["RENAMED"]


@pytest.mark.django_db
def test_product_updated_since_includes_stock_change(client):
    moved = StockFactory(variant__product__sku="MOVED", quantity_on_hand=5)
    StockFactory(variant__product__sku="STILL", quantity_on_hand=5)
    make_old(Product.objects.all(), Variant.objects.all(), Stock.objects.all())
    since = timezone.now()

    adjust_stock(variant=moved.variant, quantity_change=2, reason="Found", user=None)
    response = client.get(PRODUCTS, {"updated_since": since.isoformat()})

    assert [row["sku"] for row in response.json()["results"]] == ["MOVED"]


@pytest.mark.django_db
def test_updated_since_rejects_bad_time(client):
    response = client.get(VARIANTS, {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert response.json() == {
        "updated_since": [
            "'yesterday' is not an ISO 8601 time; send one with an offset, such "
            "as 2026-12-01T09:30:00Z."
        ]
    }


@pytest.mark.django_db
def test_updated_since_rejects_time_beyond_utc(client):
    response = client.get(VARIANTS, {"updated_since": "9999-12-31T23:00:00-05:00"})

    assert response.status_code == 400
    assert list(response.json()) == ["updated_since"]


@pytest.mark.django_db
def test_updated_since_accepts_any_offset(client):
    StockFactory(variant__sku="MOVED")

    response = client.get(VARIANTS, {"updated_since": "2000-01-01T00:00:00+23:30"})

    assert [row["sku"] for row in response.json()["results"]] == ["MOVED"]


@pytest.mark.django_db
def test_category_filter_includes_subcategories(client):
    apparel = CategoryFactory(slug="apparel")
    hoodies = CategoryFactory(slug="hoodies", parent=apparel)
    ProductFactory(sku="HOOD", category=hoodies)
    ProductFactory(sku="SHIRT", category=apparel)
    ProductFactory(sku="MUG", category=CategoryFactory(slug="kitchen"))

    response = client.get(PRODUCTS, {"category": "apparel", "ordering": "sku"})

    assert [row["sku"] for row in response.json()["results"]] == ["HOOD", "SHIRT"]


@pytest.mark.django_db
def test_category_filter_names_unknown_slug(client):
    response = client.get(VARIANTS, {"category": "garden"})

    assert response.status_code == 400
    assert response.json() == {
        "category": [
            "No category has the slug garden; use a slug from the catalog's categories."
        ]
    }


@pytest.mark.django_db
def test_active_filter_keeps_inactive_products_out(client):
    ProductFactory(sku="ON")
    ProductFactory(sku="OFF", is_active=False)

    response = client.get(PRODUCTS, {"active": "true"})

    assert [row["sku"] for row in response.json()["results"]] == ["ON"]


@pytest.mark.django_db
def test_product_search_matches_every_word(client):
    VariantFactory(product__name="Harbour hoodie", sku="HOOD-BLK")
    VariantFactory(product__name="Harbour tee", sku="TEE-BLK")
    VariantFactory(product__name="Island hoodie", sku="ISL-RED")

    response = client.get(PRODUCTS, {"q": "harbour blk hood"})

    assert [row["name"] for row in response.json()["results"]] == ["Harbour hoodie"]


@pytest.mark.django_db
def test_variant_search_matches_full_barcode(client):
    VariantFactory(sku="A", barcode="0628000000017")
    VariantFactory(sku="B", barcode="0628000000024")

    response = client.get(VARIANTS, {"q": "0628000000024"})

    assert [row["sku"] for row in response.json()["results"]] == ["B"]


def make_products(count: int) -> None:
    for _ in range(count):
        product = ProductFactory()
        for _ in range(2):
            StockFactory(variant__product=product, quantity_on_hand=3)


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [2, 8])
def test_product_page_query_count_is_fixed(
    client, django_assert_num_queries, page_size
):
    make_products(8)

    # Token, permissions (2), count, products, variants, availability.
    with django_assert_num_queries(7):
        response = client.get(PRODUCTS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [2, 8])
def test_variant_page_query_count_is_fixed(
    client, django_assert_num_queries, page_size
):
    make_products(4)

    # Token, permissions (2), count, variants, availability.
    with django_assert_num_queries(6):
        response = client.get(VARIANTS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
