import logging
from decimal import Decimal

import pytest

from orders.packaging import FALLBACK_PACKAGING, parcel_items
from shipping.parcels import ParcelItem
from shop.models import CartLine
from tests.factories.shop import CategoryFactory, ProductFactory, VariantFactory

NO_PACKAGING = {
    "default_weight_g": None,
    "default_length_cm": None,
    "default_width_cm": None,
    "default_height_cm": None,
}


def cart_line(variant, quantity=1):
    """An unsaved cart line: parcel_items reads only variant and quantity."""
    return CartLine(variant=variant, quantity=quantity)


@pytest.mark.django_db
def test_parcel_items_use_variant_packaging():
    variant = VariantFactory(
        weight_g=700,
        length_cm=Decimal("35.0"),
        width_cm=Decimal("28.0"),
        height_cm=Decimal("8.0"),
    )

    items = parcel_items([cart_line(variant, quantity=2)])

    assert items == [
        ParcelItem(
            weight_g=700,
            length_cm=Decimal("35.0"),
            width_cm=Decimal("28.0"),
            height_cm=Decimal("8.0"),
            quantity=2,
        )
    ]


@pytest.mark.django_db
def test_parcel_items_use_category_defaults():
    variant = VariantFactory(product__category=CategoryFactory(default_weight_g=450))

    items = parcel_items([cart_line(variant)])

    assert items == [
        ParcelItem(
            weight_g=450,
            length_cm=Decimal("30.0"),
            width_cm=Decimal("25.0"),
            height_cm=Decimal("5.0"),
            quantity=1,
        )
    ]


@pytest.mark.django_db
def test_parcel_items_keep_variant_weight_without_dimensions():
    variant = VariantFactory(weight_g=820)

    items = parcel_items([cart_line(variant)])

    assert items[0].weight_g == 820
    assert items[0].length_cm == Decimal("30.0")


@pytest.mark.django_db
def test_parcel_items_use_nearest_ancestor_defaults():
    men = CategoryFactory(default_weight_g=900)
    tops = CategoryFactory(parent=men, default_weight_g=600)
    hoodies = CategoryFactory(parent=tops, **NO_PACKAGING)
    variant = VariantFactory(product=ProductFactory(category=hoodies))

    items = parcel_items([cart_line(variant)])

    assert items[0].weight_g == 600


@pytest.mark.django_db
def test_parcel_items_skip_partial_category_defaults():
    men = CategoryFactory(default_weight_g=900)
    hoodies = CategoryFactory(parent=men, **{**NO_PACKAGING, "default_weight_g": 300})
    variant = VariantFactory(product=ProductFactory(category=hoodies))

    items = parcel_items([cart_line(variant)])

    assert items[0].weight_g == 900


@pytest.mark.django_db
def test_parcel_items_fall_back_with_warning(caplog):
    variant = VariantFactory(
        sku="MH01-M-Black", product__category=CategoryFactory(**NO_PACKAGING)
    )

    with caplog.at_level(logging.WARNING, logger="orders.packaging"):
        items = parcel_items([cart_line(variant, quantity=3)])

    assert items == [
        ParcelItem(
            weight_g=FALLBACK_PACKAGING.weight_g,
            length_cm=FALLBACK_PACKAGING.length_cm,
            width_cm=FALLBACK_PACKAGING.width_cm,
            height_cm=FALLBACK_PACKAGING.height_cm,
            quantity=3,
        )
    ]
    assert [record.sku for record in caplog.records] == ["MH01-M-Black"]
