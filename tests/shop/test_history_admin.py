"""Change history pages of products, variants and customers, read-only."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shop.catalog_import import import_catalog
from shop.demo_data import set_demo_unit_costs
from shop.models import Variant
from tests.factories.shop import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    VariantFactory,
)

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
    assert "<strong>Price:</strong> $52.00 &rarr; $60.00" in response.text
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


def variant_history(staff_client, variant):
    response = staff_client.get(
        reverse("admin:shop_variant_history", args=[variant.pk])
    )
    return response, list(response.context["page_obj"])


def test_first_change_after_catalog_import_shows_values(staff_client):
    CategoryFactory(name="Tops", slug="tops")
    catalog = "sku,name,category,price_cad\nMS04,Gobi Tee,Tops,29.00\n"
    import_catalog(catalog.splitlines(keepends=True))
    variant = Variant.objects.get(sku="MS04")

    edit_price(staff_client, variant, "33.00")

    _, (latest, created) = variant_history(staff_client, variant)
    assert latest.history_delta_changes == [
        {"field": "Price", "old": "$29.00", "new": "$33.00"}
    ]
    assert created.history_type == "+"
    assert created.history_change_reason == "Catalog import"


def test_first_change_after_demo_costs_shows_price_only(staff_client):
    CategoryFactory(name="Tops", slug="tops")
    import_catalog(["sku,name,category,price_cad\n", "MS04,Gobi Tee,Tops,29.00\n"])
    set_demo_unit_costs(list(Variant.objects.all()))
    variant = Variant.objects.get(sku="MS04")

    edit_price(staff_client, variant, "33.00")

    _, (latest, costed, _) = variant_history(staff_client, variant)
    assert latest.history_delta_changes == [
        {"field": "Price", "old": "$29.00", "new": "$33.00"}
    ]
    assert costed.history_change_reason == "Demo unit cost"


def test_catalog_import_update_records_history(staff_client):
    CategoryFactory(name="Tops", slug="tops")
    header = "sku,name,category,price_cad\n"
    import_catalog([header, "MS04,Gobi Tee,Tops,29.00\n"])

    import_catalog([header, "MS04,Gobi Tee,Tops,30.00\n"])

    variant = Variant.objects.get(sku="MS04")
    _, (latest, _) = variant_history(staff_client, variant)
    assert latest.history_delta_changes == [
        {"field": "Price", "old": "$29.00", "new": "$30.00"}
    ]


def test_oldest_entry_lists_created_values(staff_client):
    variant = VariantFactory(sku="MH01-M-Black", price=Decimal("52.00"), size="M")

    response, (created,) = variant_history(staff_client, variant)

    values = {
        change["field"]: change["new"] for change in created.history_initial_values
    }
    assert values["SKU"] == "MH01-M-Black"
    assert values["Price"] == "$52.00"
    assert values["Size"] == "M"
    assert "Created with:" in response.text
    assert "<strong>Price:</strong> $52.00</li>" in response.text


def test_unchanged_product_save_adds_no_entry(staff_client):
    variant = VariantFactory()
    product = variant.product
    entries = product.history.count()

    response = staff_client.post(
        reverse("admin:shop_product_change", args=[product.pk]),
        product_post(product, variant),
    )

    assert response.status_code == 302
    assert product.history.count() == entries
    assert Variant.history.filter(id=variant.pk).count() == 1


def test_change_without_user_shows_system(staff_client):
    variant = VariantFactory(price=Decimal("52.00"))
    variant.price = Decimal("55.00")
    variant.save()

    response, (latest, _) = variant_history(staff_client, variant)

    assert latest.history_user is None
    assert ">system</span>" in response.text
    assert 'title="Made by an import, a background task or a management command' in (
        response.text
    )
    assert ">None<" not in response.text


def test_datetime_change_in_shop_time_zone(staff_client, settings):
    settings.TIME_ZONE = "America/Halifax"
    ann = CustomerFactory(email="ann@example.com")
    ann.marketing_consent = True
    ann.marketing_consent_at = datetime(2026, 12, 4, 19, 49, 37, 363487, tzinfo=UTC)
    ann.save()

    response = staff_client.get(reverse("admin:shop_customer_history", args=[ann.pk]))

    changes = response.context["page_obj"][0].history_delta_changes
    assert {
        "field": "Marketing consent at",
        "old": "(empty)",
        "new": "2026-12-04 15:49:37 AST",
    } in changes
