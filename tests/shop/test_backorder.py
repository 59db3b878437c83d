"""What the product page and the cart say about items not in stock."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.models import PurchaseOrder, PurchaseOrderLine
from shop.cart import add_to_cart, cart_lines, list_line_problems, merge_carts
from shop.models import Cart, CartLine
from tests.factories.inventory import StockFactory, SupplierFactory
from tests.factories.shop import ProductFactory, VariantFactory

THURSDAY = date(2026, 12, 3)
SOLD_OUT_BUTTON = "disabled>Sold out</button>"
ADD_BUTTON = 'data-out-label="Sold out">Add to cart</button>'


@pytest.fixture(autouse=True)
def _today_is_thursday(monkeypatch):
    monkeypatch.setattr("inventory.selectors.shop_today", lambda: THURSDAY)


def _variant(*, on_hand, backorderable=True, lead_time_days=3, name="Linen Shirt"):
    product = ProductFactory(name=name)
    variant = VariantFactory(
        product=product, size="M", colour="Blue", price=Decimal("52.00")
    )
    StockFactory(
        variant=variant,
        quantity_on_hand=on_hand,
        backorderable=backorderable,
        supplier=SupplierFactory(lead_time_days=lead_time_days),
    )
    return variant


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _session_cart_with(client, variant, quantity):
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    session = client.session
    session["cart_id"] = cart.pk
    session.save()
    return cart


@pytest.mark.django_db
def test_product_page_shows_purchase_order_date(client):
    variant = _variant(on_hand=0)
    purchase_order = PurchaseOrder.objects.create(
        number=1, supplier=SupplierFactory(), expected_date=date(2026, 12, 18)
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=variant,
        quantity_ordered=12,
        unit_cost=Decimal("20.00"),
    )

    html = client.get(variant.product.get_absolute_url()).content.decode()

    assert "On backorder: expected to ship around Friday 18 December" in html
    assert ADD_BUTTON in html


@pytest.mark.django_db
def test_product_page_shows_lead_time_date(client):
    variant = _variant(on_hand=0, lead_time_days=3)

    html = client.get(variant.product.get_absolute_url()).content.decode()

    assert "On backorder: expected to ship around Tuesday 8 December" in html


@pytest.mark.django_db
def test_product_page_sold_out_disables_button(client):
    variant = _variant(on_hand=0, backorderable=False)

    html = client.get(variant.product.get_absolute_url()).content.decode()

    assert '<p class="availability availability--sold_out">Sold out</p>' in html
    assert SOLD_OUT_BUTTON in html
    assert ADD_BUTTON not in html
    assert "expected to ship" not in html


@pytest.mark.django_db
def test_product_page_marks_variants_for_script(client):
    product = ProductFactory()
    for size, backorderable in (("S", True), ("L", False)):
        variant = VariantFactory(product=product, size=size)
        StockFactory(variant=variant, quantity_on_hand=0, backorderable=backorderable)

    html = client.get(product.get_absolute_url()).content.decode()

    assert html.count('data-orderable="true"') == 1
    assert html.count('data-orderable="false"') == 1


@pytest.mark.django_db
def test_cart_shows_backorder_date(client):
    variant = _variant(on_hand=0)
    _session_cart_with(client, variant, 2)

    html = client.get(reverse("shop:cart")).content.decode()

    assert "On backorder: expected to ship around Tuesday 8 December" in html
    assert "lower the quantity" not in html


@pytest.mark.django_db
def test_cart_splits_partly_backordered_line(client):
    variant = _variant(on_hand=2)
    _session_cart_with(client, variant, 5)

    html = client.get(reverse("shop:cart")).content.decode()

    assert (
        "2 in stock; 3 on backorder: expected to ship around Tuesday 8 December"
    ) in html
    assert "lower the quantity" not in html


@pytest.mark.django_db
def test_cart_flags_sold_out_line(client):
    variant = _variant(on_hand=0, backorderable=False)
    _session_cart_with(client, variant, 1)

    html = client.get(reverse("shop:cart")).content.decode()

    assert "Sold out: remove it before checkout." in html


@pytest.mark.django_db
def test_add_backorderable_beyond_stock():
    cart = Cart.objects.create()
    variant = _variant(on_hand=2)

    add_to_cart(cart=cart, variant=variant, quantity=5)

    assert [line.quantity for line in cart_lines(cart)] == [5]


@pytest.mark.django_db
def test_add_sold_out_refused_cart_unchanged(client):
    in_stock = _variant(on_hand=4, name="Wool Socks")
    sold_out = _variant(on_hand=0, backorderable=False)
    cart = _session_cart_with(client, in_stock, 1)

    response = client.post(
        reverse("shop:cart-add"), {"variant": sold_out.pk, "quantity": "1"}
    )

    assert _messages(response) == [
        "Linen Shirt (M / Blue) is sold out, so it cannot be added to your cart."
    ]
    assert (
        response.url
        == f"{sold_out.product.get_absolute_url()}?quantity=1&variant={sold_out.pk}"
    )
    assert [(line.variant_id, line.quantity) for line in cart_lines(cart)] == [
        (in_stock.pk, 1)
    ]


@pytest.mark.django_db
def test_line_problems_allow_backorder():
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=_variant(on_hand=1), quantity=4)

    problems = list_line_problems(cart_lines(cart))

    assert problems == []


@pytest.mark.django_db
def test_line_problems_name_sold_out_item():
    cart = Cart.objects.create()
    variant = _variant(on_hand=0, backorderable=False)
    CartLine.objects.create(cart=cart, variant=variant, quantity=1)

    problems = list_line_problems(cart_lines(cart))

    assert problems == ["Linen Shirt (M / Blue) is sold out; remove it from your cart."]


@pytest.mark.django_db
def test_merge_carts_keeps_backordered_quantity():
    variant = _variant(on_hand=1)
    source, target = Cart.objects.create(), Cart.objects.create()
    CartLine.objects.create(cart=source, variant=variant, quantity=2)
    CartLine.objects.create(cart=target, variant=variant, quantity=3)

    notes = merge_carts(source=source, target=target)

    assert notes == []
    assert [line.quantity for line in cart_lines(target)] == [5]
