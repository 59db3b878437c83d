from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shop.models import Cart, CartLine
from tests.factories.inventory import StockFactory
from tests.factories.shop import ProductFactory, VariantFactory


def _variant(*, on_hand=10, name="Linen Shirt", sku="SHIRT-M"):
    variant = VariantFactory(
        product=ProductFactory(name=name),
        sku=sku,
        size="M",
        colour="Blue",
        price=Decimal("52.00"),
    )
    StockFactory(variant=variant, quantity_on_hand=on_hand, backorderable=False)
    return variant


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _session_cart_with(client, *lines):
    cart = Cart.objects.create()
    for variant, quantity in lines:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    session = client.session
    session["cart_id"] = cart.pk
    session.save()
    return cart


@pytest.mark.django_db
def test_cart_page_marks_inactive_variant(client):
    variant = _variant()
    _session_cart_with(client, (variant, 1))
    variant.is_active = False
    variant.save()

    response = client.get(reverse("shop:cart"))

    page = response.content.decode()
    assert "No longer sold — remove it" in page
    assert "In stock" not in page
    assert response.context["has_problem_lines"] is True


@pytest.mark.django_db
def test_cart_page_marks_inactive_product(client):
    variant = _variant()
    _session_cart_with(client, (variant, 1))
    variant.product.is_active = False
    variant.product.save()

    response = client.get(reverse("shop:cart"))

    assert "No longer sold — remove it" in response.content.decode()
    assert response.context["lines"][0].is_short is False


@pytest.mark.django_db
def test_change_empty_quantity_asks_for_one(client):
    cart = _session_cart_with(client, (_variant(), 2))
    line = cart.lines.get()

    response = client.post(
        reverse("shop:cart-line-update", args=[line.pk]), {"quantity": ""}
    )

    assert _messages(response) == ["Enter a quantity of 1 or more."]
    line.refresh_from_db()
    assert line.quantity == 2


@pytest.mark.django_db
def test_change_huge_quantity_names_stock(client):
    cart = _session_cart_with(client, (_variant(on_hand=33), 2))
    line = cart.lines.get()

    response = client.post(
        reverse("shop:cart-line-update", args=[line.pk]),
        {"quantity": "99999999999999999999999"},
    )

    assert _messages(response) == [
        "A quantity of 99999999999999999999999 is more than we can take; "
        "the most you can order is 33."
    ]
    line.refresh_from_db()
    assert line.quantity == 2


@pytest.mark.django_db
def test_add_huge_quantity_of_sold_out_item(client):
    variant = _variant(on_hand=0)

    response = client.post(
        reverse("shop:cart-add"),
        {"variant": variant.pk, "quantity": "99999999999999999999999"},
    )

    assert _messages(response) == ["Linen Shirt (M / Blue) is sold out."]
    assert CartLine.objects.count() == 0


@pytest.mark.django_db
def test_add_variant_of_other_product_is_rejected(client):
    shirt = _variant()
    hat = _variant(name="Sun Hat", sku="HAT-M")

    response = client.post(
        reverse("shop:cart-add"),
        {"product": shirt.product_id, "variant": hat.pk, "quantity": "1"},
    )

    assert response.url == shirt.product.get_absolute_url() + "?quantity=1"
    assert _messages(response) == [
        "Sun Hat (M / Blue) is not an option of this product. "
        "Choose one of the options listed."
    ]
    assert CartLine.objects.count() == 0
