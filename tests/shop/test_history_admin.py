"""Change history pages of products, variants and customers, read-only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shop.models import Variant
from tests.factories.shop import CustomerFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def product_post(product, variant, **variant_changes):
    """Return the product change form's data with one variant edited."""
    row = {
        "id": variant.pk,
        "product": product.pk,
        "sku": variant.sku,
        "size": variant.size,
        "colour": variant.colour,
        "price": variant.price,
        "barcode": variant.barcode,
        "is_active": "on",
        **variant_changes,
    }
    return {
        "category": product.category_id,
        "sku": product.sku,
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "tax_class": product.tax_class,
        "is_active": "on",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        **{f"variants-0-{name}": value for name, value in row.items()},
    }


def edit_price(staff_client, variant, price):
    product = variant.product
    url = reverse("admin:shop_product_change", args=[product.pk])
    response = staff_client.post(url, product_post(product, variant, price=price))
    assert response.status_code == 302, response.context["errors"]


def test_price_edit_records_staff_and_prices(staff_client, admin_user):
    variant = VariantFactory(sku="MH01-M-Black", price=Decimal("52.00"))
    before = timezone.now()

    edit_price(staff_client, variant, "60.00")

    latest, previous = Variant.history.filter(id=variant.pk)[:2]
    assert latest.history_user == admin_user
    assert before <= latest.history_date <= timezone.now()
    assert previous.price == Decimal("52.00")
    assert latest.price == Decimal("60.00")


def test_variant_history_shows_price_change(staff_client):
    variant = VariantFactory(sku="MH01-M-Black", price=Decimal("52.00"))
    edit_price(staff_client, variant, "60.00")

    response = staff_client.get(
        reverse("admin:shop_variant_history", args=[variant.pk])
    )

    changes = response.context["page_obj"][0].history_delta_changes
    assert changes == [{"field": "Price", "old": "$52.00", "new": "$60.00"}]
    assert "<strong>Price:</strong>\n                    $52.00" in response.text
    assert "admin" in response.text


def test_product_page_links_variant_history(staff_client):
    variant = VariantFactory(sku="MH01-M-Black")

    response = staff_client.get(
        reverse("admin:shop_product_change", args=[variant.product_id])
    )

    history_url = reverse("admin:shop_variant_history", args=[variant.pk])
    assert f'<a href="{history_url}">Price history</a>' in response.text


def test_product_name_change_in_history(staff_client, admin_user):
    product = ProductFactory(name="Chaz Hoodie")
    variant = VariantFactory(product=product)
    data = product_post(product, variant)
    data["name"] = "Chaz Kangeroo Hoodie"

    staff_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)

    response = staff_client.get(
        reverse("admin:shop_product_history", args=[product.pk])
    )
    changes = response.context["page_obj"][0].history_delta_changes
    assert changes == [
        {"field": "Name", "old": "Chaz Hoodie", "new": "Chaz Kangeroo Hoodie"}
    ]
    assert response.context["page_obj"][0].history_user == admin_user


def test_history_version_page_rejects_revert(staff_client):
    variant = VariantFactory(price=Decimal("52.00"))
    edit_price(staff_client, variant, "60.00")
    first = Variant.history.filter(id=variant.pk).earliest("history_date")
    url = reverse("admin:shop_variant_simple_history", args=[variant.pk, first.pk])

    response = staff_client.post(url, {"price": "52.00", "sku": variant.sku})

    assert response.status_code == 405
    variant.refresh_from_db()
    assert variant.price == Decimal("60.00")


def history_page_queries(staff_client, variant, changes):
    for cents in range(changes):
        variant.price = Decimal("10.00") + cents
        variant.save()
    url = reverse("admin:shop_variant_history", args=[variant.pk])
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url)
    assert len(response.context["page_obj"]) == changes + 1
    return len(queries)


def test_variant_history_page_queries_fixed(staff_client):
    few = history_page_queries(staff_client, VariantFactory(), 2)
    many = history_page_queries(staff_client, VariantFactory(), 8)

    assert few == many


def test_staff_email_change_in_history(staff_client, admin_user):
    ann = CustomerFactory(
        email="ann@example.com", first_name="Ann", last_name="Leblanc"
    )
    staff_client.post(
        reverse("admin:shop_customer_change", args=[ann.pk]),
        {
            "email": "ann.leblanc@example.com",
            "first_name": "Ann",
            "last_name": "Leblanc",
            "phone": "",
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
        },
    )

    response = staff_client.get(reverse("admin:shop_customer_history", args=[ann.pk]))

    latest = response.context["page_obj"][0]
    assert latest.history_user == admin_user
    assert latest.history_delta_changes == [
        {"field": "Email", "old": "ann@example.com", "new": "ann.leblanc@example.com"}
    ]
