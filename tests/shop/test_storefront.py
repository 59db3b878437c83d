from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.inventory import StockFactory
from tests.factories.shop import CategoryFactory, ProductFactory, VariantFactory


def _product_with_stock(*, quantity=10, price="52.00", **product_fields):
    product = ProductFactory(**product_fields)
    StockFactory(
        variant=VariantFactory(product=product, price=Decimal(price)),
        quantity_on_hand=quantity,
    )
    return product


def _names(response):
    return [product.name for product in response.context["page"].object_list]


@pytest.mark.django_db
def test_category_lists_products_of_descendants(client):
    clothing = CategoryFactory(name="Clothing")
    shirts = CategoryFactory(name="Shirts", parent=clothing)
    linen = CategoryFactory(name="Linen", parent=shirts)
    toys = CategoryFactory(name="Toys")
    _product_with_stock(name="Wool Coat", category=clothing)
    _product_with_stock(name="Oxford Shirt", category=shirts)
    _product_with_stock(name="Linen Shirt", category=linen)
    _product_with_stock(name="Kite", category=toys)

    response = client.get(reverse("shop:category", args=[clothing.slug]))

    assert _names(response) == ["Linen Shirt", "Oxford Shirt", "Wool Coat"]


@pytest.mark.django_db
def test_category_leaves_out_inactive_products(client):
    category = CategoryFactory()
    _product_with_stock(name="Kept", category=category)
    _product_with_stock(name="Retired", category=category, is_active=False)
    without_active_variant = ProductFactory(name="No variant", category=category)
    VariantFactory(product=without_active_variant, is_active=False)

    response = client.get(reverse("shop:category", args=[category.slug]))

    assert _names(response) == ["Kept"]


@pytest.mark.django_db
def test_category_paginates_by_page_size(client, settings):
    settings.SHOP_PAGE_SIZE = 2
    category = CategoryFactory()
    for name in ("Alder", "Birch", "Cedar", "Dogwood", "Elm"):
        _product_with_stock(name=name, category=category)
    url = reverse("shop:category", args=[category.slug])

    first = client.get(url)
    last = client.get(url, {"page": 3})
    beyond = client.get(url, {"page": "abc"})

    assert _names(first) == ["Alder", "Birch"]
    assert _names(last) == ["Elm"]
    assert first.context["page"].paginator.num_pages == 3
    assert _names(beyond) == ["Alder", "Birch"]
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.django_db
def test_category_shows_from_price_when_variants_differ(client):
    category = CategoryFactory()
    product = ProductFactory(name="Linen Shirt", category=category)
    for price in ("64.50", "52.00", "58.00"):
        StockFactory(variant=VariantFactory(product=product, price=Decimal(price)))
    _product_with_stock(name="Plain Tee", category=category, price="19.99")

    response = client.get(reverse("shop:category", args=[category.slug]))

    html = response.content.decode()
    assert '<p class="price">from $52.00</p>' in html
    assert '<p class="price">$19.99</p>' in html


@pytest.mark.django_db
def test_category_shows_availability_of_products(client, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    category = CategoryFactory()
    _product_with_stock(name="Plenty", category=category, quantity=10)
    _product_with_stock(name="Few", category=category, quantity=3)
    _product_with_stock(name="None", category=category, quantity=0)

    response = client.get(reverse("shop:category", args=[category.slug]))

    labels = {
        product.name: product.availability.label
        for product in response.context["page"].object_list
    }
    assert labels == {
        "Plenty": "In stock",
        "Few": "Only 3 left",
        "None": "On backorder",
    }


@pytest.mark.django_db
def test_category_unknown_slug_is_404(client):
    response = client.get(reverse("shop:category", args=["no-such-category"]))

    assert response.status_code == 404


@pytest.mark.parametrize("product_count", [3, 30])
@pytest.mark.django_db
def test_category_query_count_is_fixed(
    client, settings, django_assert_num_queries, product_count
):
    settings.SHOP_PAGE_SIZE = 50
    shirts = CategoryFactory(parent=CategoryFactory())
    linen = CategoryFactory(parent=shirts)
    for index in range(product_count):
        category = linen if index % 2 else shirts
        product = _product_with_stock(category=category)
        StockFactory(variant=VariantFactory(product=product, price=Decimal("60.00")))
    url = reverse("shop:category", args=[shirts.slug])

    # category, ancestors, subcategories, count, page of products, top
    # categories in the header; the visitor has no cart yet.
    with django_assert_num_queries(6):
        response = client.get(url)

    assert len(response.context["page"].object_list) == product_count


@pytest.mark.django_db
def test_product_page_labels_each_variant(client, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    product = ProductFactory(name="Linen Shirt")
    for size, quantity in (("S", 10), ("M", 3), ("L", 0)):
        StockFactory(
            variant=VariantFactory(product=product, size=size, colour="Blue"),
            quantity_on_hand=quantity,
            backorderable=False,
        )

    response = client.get(product.get_absolute_url())

    labels = [
        (variant.option_label, variant.availability.label)
        for variant in response.context["product"].active_variants
    ]
    assert labels == [
        ("S / Blue", "In stock"),
        ("M / Blue", "Only 3 left"),
        ("L / Blue", "Sold out"),
    ]
    html = response.content.decode()
    assert "Only 3 left" in html
    assert "Sold out" in html


@pytest.mark.django_db
def test_product_page_chooses_variant_from_url(client):
    product = ProductFactory()
    small = StockFactory(variant=VariantFactory(product=product, size="S")).variant
    large = StockFactory(variant=VariantFactory(product=product, size="L")).variant

    default = client.get(product.get_absolute_url())
    chosen = client.get(product.get_absolute_url(), {"variant": large.pk})

    assert default.context["chosen"] == small
    assert chosen.context["chosen"] == large
    assert f'value="{large.pk}" checked' in chosen.content.decode()


@pytest.mark.django_db
def test_product_page_defaults_to_variant_in_stock(client):
    product = ProductFactory()
    StockFactory(variant=VariantFactory(product=product, size="S"), quantity_on_hand=0)
    medium = StockFactory(variant=VariantFactory(product=product, size="M")).variant

    response = client.get(product.get_absolute_url())

    assert response.context["chosen"] == medium


@pytest.mark.django_db
def test_product_page_shows_from_price(client):
    product = ProductFactory()
    VariantFactory(product=product, price=Decimal("64.50"))
    VariantFactory(product=product, price=Decimal("1052.00"))

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    assert "from $64.50" in html
    assert "$1,052.00" in html


@pytest.mark.django_db
def test_product_page_inactive_product_is_404(client):
    product = _product_with_stock(is_active=False)

    response = client.get(product.get_absolute_url())

    assert response.status_code == 404


@pytest.mark.parametrize("variant_count", [2, 20])
@pytest.mark.django_db
def test_product_page_query_count_is_fixed(
    client, django_assert_num_queries, variant_count
):
    parent = CategoryFactory()
    product = ProductFactory(category=CategoryFactory(parent=parent))
    for index in range(variant_count):
        StockFactory(variant=VariantFactory(product=product, size=f"Size {index}"))

    # product with category, variants, stock, ancestors, top categories.
    with django_assert_num_queries(5):
        response = client.get(product.get_absolute_url())

    assert len(response.context["product"].active_variants) == variant_count


@pytest.mark.django_db
def test_search_matches_every_word_ignoring_case(client):
    _product_with_stock(name="Blue Linen Shirt")
    _product_with_stock(name="Linen Trousers")
    _product_with_stock(name="Blue Wool Shirt")

    response = client.get(reverse("shop:search"), {"q": "  linen   SHIRT "})

    assert _names(response) == ["Blue Linen Shirt"]


@pytest.mark.django_db
def test_search_variant_sku_opens_product_with_variant(client):
    product = ProductFactory()
    VariantFactory(product=product, sku="SHIRT-S")
    medium = VariantFactory(product=product, sku="SHIRT-M")

    response = client.get(reverse("shop:search"), {"q": "shirt-m"})

    assert response.status_code == 302
    assert response.url == f"{product.get_absolute_url()}?variant={medium.pk}"


@pytest.mark.django_db
def test_search_barcode_opens_product_with_variant(client):
    product = ProductFactory()
    variant = VariantFactory(product=product, barcode="0123456789012")

    response = client.get(reverse("shop:search"), {"q": " 0123456789012 "})

    assert response.status_code == 302
    assert response.url == f"{product.get_absolute_url()}?variant={variant.pk}"


@pytest.mark.django_db
def test_search_code_of_inactive_product_finds_nothing(client):
    VariantFactory(product=ProductFactory(is_active=False), sku="GONE-1")

    response = client.get(reverse("shop:search"), {"q": "GONE-1"})

    assert response.status_code == 200
    assert _names(response) == []
    assert "No products match “GONE-1”" in response.content.decode()


@pytest.mark.django_db
def test_search_shared_barcode_lists_products(client):
    first = _product_with_stock(name="Mug, red")
    second = _product_with_stock(name="Mug, blue")
    first.variants.update(barcode="777")
    second.variants.update(barcode="777")

    response = client.get(reverse("shop:search"), {"q": "777"})

    assert response.status_code == 200
    assert _names(response) == ["Mug, blue", "Mug, red"]


@pytest.mark.django_db
def test_search_empty_query_asks_for_text(client):
    _product_with_stock(name="Kite")

    response = client.get(reverse("shop:search"), {"q": "   "})

    assert response.context["page"] is None
    assert "Type a product name, a SKU or a barcode" in response.content.decode()


@pytest.mark.django_db
def test_home_lists_newest_products(client):
    _product_with_stock(name="Older")
    _product_with_stock(name="Newer")

    response = client.get(reverse("shop:home"))

    assert [product.name for product in response.context["products"]] == [
        "Newer",
        "Older",
    ]
