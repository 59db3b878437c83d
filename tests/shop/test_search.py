from decimal import Decimal

import pytest
from django.urls import reverse

from shop.text import strip_control_characters
from tests.factories.inventory import StockFactory
from tests.factories.shop import ProductFactory, VariantFactory


def _hoodie(name, *variants):
    product = ProductFactory(name=name)
    for sku, size, colour in variants:
        StockFactory(
            variant=VariantFactory(
                product=product, sku=sku, size=size, colour=colour, price=Decimal("52")
            )
        )
    return product


def _names(response):
    return [product.name for product in response.context["page"].object_list]


@pytest.mark.django_db
def test_search_nul_byte_is_dropped(client):
    _hoodie("Ab Hoodie", ("AB-1", "M", "Grey"))

    response = client.get(reverse("shop:search"), {"q": "a\x00b"})

    assert response.status_code == 200
    assert response.context["query"] == "ab"
    assert _names(response) == ["Ab Hoodie"]


@pytest.mark.django_db
def test_search_words_match_name_or_colour(client):
    _hoodie("Chaz Hoodie", ("CH-M-BLK", "M", "Black"), ("CH-M-ORG", "M", "Orange"))
    _hoodie("Bruno Hoodie", ("BR-M-ORG", "M", "Orange"))
    _hoodie("Black Tee", ("BT-M", "M", "White"))

    response = client.get(reverse("shop:search"), {"q": "hoodie black"})

    assert _names(response) == ["Chaz Hoodie"]


@pytest.mark.django_db
def test_search_words_match_size_exactly(client):
    _hoodie("Chaz Hoodie", ("CH-7", "XL", "Orange"))
    _hoodie("Bruno Hoodie", ("BR-8", "L", "Orange"))

    response = client.get(reverse("shop:search"), {"q": "hoodie l"})

    assert _names(response) == ["Bruno Hoodie"]


@pytest.mark.django_db
def test_search_words_match_part_of_sku(client):
    _hoodie("Chaz Hoodie", ("MH01-M-Black", "M", "Black"))
    _hoodie("Bruno Hoodie", ("MH02-M-Black", "M", "Black"))

    response = client.get(reverse("shop:search"), {"q": "mh01 hoodie"})

    assert _names(response) == ["Chaz Hoodie"]


@pytest.mark.django_db
def test_search_ignores_options_of_inactive_variants(client):
    product = _hoodie("Chaz Hoodie", ("CH-M-ORG", "M", "Orange"))
    VariantFactory(product=product, sku="CH-M-BLK", colour="Black", is_active=False)

    response = client.get(reverse("shop:search"), {"q": "hoodie black"})

    assert _names(response) == []


@pytest.mark.django_db
def test_search_query_count_is_fixed(client, settings, django_assert_num_queries):
    settings.SHOP_PAGE_SIZE = 50
    for index in range(6):
        _hoodie(f"Hoodie {index}", (f"H{index}-BLK", "M", "Black"))

    # variant code lookup, count, page of products, top categories; the
    # visitor has no cart yet.
    with django_assert_num_queries(4):
        response = client.get(reverse("shop:search"), {"q": "hoodie black"})

    assert len(_names(response)) == 6


def test_strip_control_characters_keeps_words_apart():
    assert strip_control_characters("a\x00b\tc\r\nd\x1be\x7f\x9f") == "ab c  de"
