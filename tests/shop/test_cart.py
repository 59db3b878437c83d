from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shop.cart import (
    CartError,
    add_to_cart,
    cart_lines,
    cart_totals,
    merge_carts,
    remove_line,
    set_quantity,
)
from shop.models import Cart, CartLine
from tests.factories.inventory import StockFactory
from tests.factories.shop import ProductFactory, VariantFactory


def _variant(*, price="52.00", on_hand=10, name="Linen Shirt", size="M", **fields):
    product = ProductFactory(name=name)
    variant = VariantFactory(
        product=product, price=Decimal(price), size=size, colour="Blue", **fields
    )
    StockFactory(variant=variant, quantity_on_hand=on_hand, backorderable=False)
    return variant


def _line_quantities(cart):
    return [(line.variant.sku, line.quantity) for line in cart_lines(cart)]


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _add(client, variant, quantity):
    # Following the redirect shows the cart page, which uses up the message.
    client.post(
        reverse("shop:cart-add"),
        {"variant": variant.pk, "quantity": quantity},
        follow=True,
    )


def _session_cart(client):
    return Cart.objects.get(pk=client.session["cart_id"])


@pytest.mark.django_db
def test_add_to_cart_adds_to_existing_line():
    cart = Cart.objects.create()
    variant = _variant(sku="SHIRT-M")

    add_to_cart(cart=cart, variant=variant, quantity=2)
    add_to_cart(cart=cart, variant=variant, quantity=3)

    assert _line_quantities(cart) == [("SHIRT-M", 5)]


@pytest.mark.django_db
def test_cart_totals_subtotal_to_the_cent():
    cart = Cart.objects.create()
    add_to_cart(cart=cart, variant=_variant(price="19.99"), quantity=3)
    add_to_cart(cart=cart, variant=_variant(price="0.35"), quantity=7)

    totals = cart_totals(cart_lines(cart))

    assert totals.quantity == 10
    assert totals.subtotal_amount == Decimal("62.42")


@pytest.mark.django_db
def test_set_quantity_changes_line_and_subtotal():
    cart = Cart.objects.create()
    line = add_to_cart(cart=cart, variant=_variant(price="12.50"), quantity=1)

    set_quantity(cart=cart, line_id=line.pk, quantity=4)

    assert cart_totals(cart_lines(cart)).subtotal_amount == Decimal("50.00")


@pytest.mark.django_db
def test_remove_line_leaves_other_lines():
    cart = Cart.objects.create()
    shirt = add_to_cart(cart=cart, variant=_variant(price="52.00"), quantity=1)
    add_to_cart(cart=cart, variant=_variant(price="8.25", sku="SOCKS"), quantity=2)

    remove_line(cart=cart, line_id=shirt.pk)

    assert _line_quantities(cart) == [("SOCKS", 2)]
    assert cart_totals(cart_lines(cart)).subtotal_amount == Decimal("16.50")


@pytest.mark.django_db
def test_add_to_cart_beyond_stock_is_rejected():
    cart = Cart.objects.create()
    variant = _variant(on_hand=3, sku="SHIRT-M")
    add_to_cart(cart=cart, variant=variant, quantity=2)

    with pytest.raises(CartError) as error:
        add_to_cart(cart=cart, variant=variant, quantity=2)

    assert error.value.message == (
        "Only 3 of Linen Shirt (M / Blue) are available and your cart already "
        "has 2, so you can add 1 more."
    )
    assert _line_quantities(cart) == [("SHIRT-M", 2)]


@pytest.mark.django_db
def test_set_quantity_beyond_stock_is_rejected():
    cart = Cart.objects.create()
    line = add_to_cart(cart=cart, variant=_variant(on_hand=3, sku="S1"), quantity=1)

    with pytest.raises(CartError) as error:
        set_quantity(cart=cart, line_id=line.pk, quantity=4)

    assert error.value.message == (
        "Only 3 of Linen Shirt (M / Blue) are available. You asked for 4."
    )
    assert _line_quantities(cart) == [("S1", 1)]


@pytest.mark.django_db
def test_view_add_puts_item_in_session_cart(client):
    variant = _variant(price="52.00")

    response = client.post(
        reverse("shop:cart-add"), {"variant": variant.pk, "quantity": "2"}
    )

    assert response.url == reverse("shop:cart")
    assert _line_quantities(_session_cart(client)) == [(variant.sku, 2)]
    assert _messages(response) == ["Added 2 × Linen Shirt (M / Blue) to your cart."]


@pytest.mark.django_db
def test_view_cart_page_shows_lines_and_subtotal(client, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    shirt = _variant(price="52.00", on_hand=10)
    socks = _variant(price="8.25", on_hand=3, name="Wool Socks", size="L")
    _add(client, shirt, "2")
    _add(client, socks, "3")

    response = client.get(reverse("shop:cart"))

    html = response.content.decode()
    assert response.context["totals"].subtotal_amount == Decimal("128.75")
    assert '<td class="num cart-subtotal">$128.75</td>' in html
    assert '<td class="num" data-label="Total">$104.00</td>' in html
    assert '<td class="num" data-label="Total">$24.75</td>' in html
    assert "Only 3 left" in html
    assert f'href="{reverse("orders:checkout")}"' in html
    assert "Subtotal (5 items)" in html


@pytest.mark.django_db
def test_view_change_quantity_updates_line(client):
    variant = _variant(price="52.00")
    _add(client, variant, "1")
    line = _session_cart(client).lines.get()

    response = client.post(
        reverse("shop:cart-line-update", args=[line.pk]), {"quantity": "3"}
    )

    assert _line_quantities(_session_cart(client)) == [(variant.sku, 3)]
    assert _messages(response) == ["Linen Shirt (M / Blue): quantity changed to 3."]


@pytest.mark.django_db
def test_view_remove_deletes_line(client):
    variant = _variant()
    _add(client, variant, "1")
    line = _session_cart(client).lines.get()

    response = client.post(reverse("shop:cart-line-remove", args=[line.pk]))

    assert _line_quantities(_session_cart(client)) == []
    assert _messages(response) == ["Removed Linen Shirt (M / Blue) from your cart."]


@pytest.mark.django_db
def test_view_header_counts_units_in_cart(client):
    variant = _variant()
    _add(client, variant, "4")

    response = client.get(reverse("shop:home"))

    assert response.context["cart_units"] == 4
    assert 'aria-label="4 items in cart">4</span>' in response.content.decode()


BAD_ADD_CASES = [
    (
        "0",
        "The quantity for Linen Shirt (M / Blue) must be at least 1, not 0. "
        "To take it out of your cart, use Remove.",
    ),
    (
        "-1",
        "The quantity for Linen Shirt (M / Blue) must be at least 1, not -1. "
        "To take it out of your cart, use Remove.",
    ),
    (
        "abc",
        "“abc” is not a valid quantity for Linen Shirt (M / Blue). "
        "Enter a whole number of 1 or more.",
    ),
    ("", "Enter a quantity of 1 or more."),
    ("  ", "Enter a quantity of 1 or more."),
    (
        "2.5",
        "“2.5” is not a valid quantity for Linen Shirt (M / Blue). "
        "Enter a whole number of 1 or more.",
    ),
    (
        "999999999",
        "Only 5 of Linen Shirt (M / Blue) are available and your cart already "
        "has 1, so you can add 4 more.",
    ),
    (
        "99999999999999999999999",
        "A quantity of 99999999999999999999999 is more than we can take; "
        "the most you can order is 5.",
    ),
    (
        "+0001000000000",
        "A quantity of 1000000000 is more than we can take; "
        "the most you can order is 5.",
    ),
    (
        "9" * 40,
        f"A quantity of {'9' * 25}… is more than we can take; "
        "the most you can order is 5.",
    ),
    (
        "-" + "9" * 40,
        "The quantity for Linen Shirt (M / Blue) must be at least 1, "
        f"not -{'9' * 24}…. To take it out of your cart, use Remove.",
    ),
    (
        "5",
        "Only 5 of Linen Shirt (M / Blue) are available and your cart already "
        "has 1, so you can add 4 more.",
    ),
]


@pytest.mark.parametrize(("quantity", "message"), BAD_ADD_CASES)
@pytest.mark.django_db
def test_view_add_bad_quantity_keeps_cart(client, quantity, message):
    variant = _variant(on_hand=5, sku="SHIRT-M")
    _add(client, variant, "1")

    response = client.post(
        reverse("shop:cart-add"),
        {"variant": variant.pk, "product": variant.product_id, "quantity": quantity},
    )

    assert response.status_code == 302
    assert response.url.startswith(variant.product.get_absolute_url())
    assert f"variant={variant.pk}" in response.url
    assert _messages(response) == [message]
    assert _line_quantities(_session_cart(client)) == [("SHIRT-M", 1)]


@pytest.mark.django_db
def test_view_add_sold_out_item_is_rejected(client):
    variant = _variant(on_hand=0)

    response = client.post(
        reverse("shop:cart-add"), {"variant": variant.pk, "quantity": "1"}
    )

    assert _messages(response) == [
        "Linen Shirt (M / Blue) is sold out, so it cannot be added to your cart."
    ]
    assert CartLine.objects.count() == 0


@pytest.mark.django_db
def test_view_add_inactive_product_is_rejected(client):
    variant = _variant()
    variant.product.is_active = False
    variant.product.save()

    response = client.post(
        reverse("shop:cart-add"), {"variant": variant.pk, "quantity": "1"}
    )

    assert response.url == reverse("shop:cart")
    assert _messages(response) == ["Linen Shirt (M / Blue) is no longer sold."]
    assert CartLine.objects.count() == 0


@pytest.mark.django_db
def test_view_add_without_variant_asks_for_choice(client):
    product = _variant().product

    response = client.post(
        reverse("shop:cart-add"), {"product": product.pk, "quantity": "1"}
    )

    assert response.url == product.get_absolute_url() + "?quantity=1"
    assert _messages(response) == ["Choose a size or colour, then add it to your cart."]
    assert CartLine.objects.count() == 0


@pytest.mark.django_db
def test_view_add_unknown_variant_is_rejected(client):
    response = client.post(reverse("shop:cart-add"), {"variant": "987654"})

    assert response.url == reverse("shop:cart")
    assert _messages(response) == [
        "Item 987654 is not in the catalog. Search for it again."
    ]
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (
            "0",
            "The quantity for Linen Shirt (M / Blue) must be at least 1, not 0. "
            "To take it out of your cart, use Remove.",
        ),
        (
            "abc",
            "“abc” is not a valid quantity for Linen Shirt (M / Blue). "
            "Enter a whole number of 1 or more.",
        ),
        ("6", "Only 5 of Linen Shirt (M / Blue) are available. You asked for 6."),
    ],
)
@pytest.mark.django_db
def test_view_change_bad_quantity_keeps_cart(client, quantity, message):
    variant = _variant(on_hand=5, sku="SHIRT-M")
    _add(client, variant, "2")
    line = _session_cart(client).lines.get()

    response = client.post(
        reverse("shop:cart-line-update", args=[line.pk]), {"quantity": quantity}
    )

    assert response.url == reverse("shop:cart")
    assert _messages(response) == [message]
    assert _line_quantities(_session_cart(client)) == [("SHIRT-M", 2)]


@pytest.mark.django_db
def test_view_change_line_of_other_cart_is_rejected(client):
    other_cart = Cart.objects.create()
    other_line = add_to_cart(cart=other_cart, variant=_variant(sku="X1"), quantity=1)

    response = client.post(
        reverse("shop:cart-line-update", args=[other_line.pk]), {"quantity": "3"}
    )

    assert _messages(response) == ["That item is no longer in your cart."]
    assert _line_quantities(other_cart) == [("X1", 1)]


@pytest.mark.django_db
def test_view_add_requires_post(client):
    variant = _variant()

    response = client.get(reverse("shop:cart-add"), {"variant": variant.pk})

    assert response.status_code == 405
    assert CartLine.objects.count() == 0


@pytest.mark.django_db
def test_merge_carts_adds_quantities_capped_at_stock():
    shirt = _variant(on_hand=5, sku="SHIRT")
    socks = _variant(on_hand=10, sku="SOCKS", name="Wool Socks", size="L")
    mug = _variant(on_hand=4, sku="MUG", name="Mug", size="")
    source, target = Cart.objects.create(), Cart.objects.create()
    add_to_cart(cart=target, variant=shirt, quantity=3)
    add_to_cart(cart=target, variant=mug, quantity=1)
    add_to_cart(cart=source, variant=shirt, quantity=4)
    add_to_cart(cart=source, variant=socks, quantity=2)

    notes = merge_carts(source=source, target=target)

    assert _line_quantities(target) == [("SHIRT", 5), ("MUG", 1), ("SOCKS", 2)]
    assert notes == [
        "Only 5 of Linen Shirt (M / Blue) are available, so your cart has 5 "
        "instead of 7."
    ]
    assert not Cart.objects.filter(pk=source.pk).exists()


@pytest.mark.django_db
def test_merge_carts_drops_sold_out_and_retired_items():
    sold_out = _variant(on_hand=1, sku="LAST")
    retired = _variant(sku="OLD", name="Old Hat", size="")
    source, target = Cart.objects.create(), Cart.objects.create()
    add_to_cart(cart=source, variant=sold_out, quantity=1)
    add_to_cart(cart=source, variant=retired, quantity=1)
    sold_out.stock_levels.update(quantity_on_hand=0)
    retired.product.is_active = False
    retired.product.save()

    notes = merge_carts(source=source, target=target)

    assert _line_quantities(target) == []
    assert notes == [
        "Linen Shirt (M / Blue) is sold out, so it was left out.",
        "Old Hat (Blue) is no longer sold, so it was left out.",
    ]
