"""Checkout with items on backorder: the shipping preference and its dates."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import PurchaseOrder, PurchaseOrderLine
from orders.checkout import CheckoutDetails, InsufficientStock, place_order
from orders.checkout_backorders import ShippingPreferenceRequired, plan_backorders
from orders.models import Order
from shop.cart import cart_lines
from tests.factories.inventory import SupplierFactory

from .addresses import ADDRESSES
from .checkout_setup import cart_with, hoodie
from .test_checkout_views import (
    REVIEW,
    SHIPPING,
    choose_shipping,
    enter_address,
    start_checkout,
)

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)
SHIP_AVAILABLE = Order.ShippingPreference.SHIP_AVAILABLE
SHIP_TOGETHER = Order.ShippingPreference.SHIP_TOGETHER
SHIP_AVAILABLE_LABEL = (
    "Ship what is in stock now and the rest when it arrives. "
    "In-stock items ship today, the rest around Friday 18 December."
)
SHIP_TOGETHER_LABEL = (
    "Wait and ship everything together. Everything ships around Friday 18 December."
)


@pytest.fixture(autouse=True)
def _today_is_thursday(monkeypatch, settings):
    settings.SHOP_DEFAULT_LEAD_TIME_DAYS = 3
    monkeypatch.setattr("inventory.selectors.shop_today", lambda: THURSDAY)
    monkeypatch.setattr("orders.checkout_backorders.shop_today", lambda: THURSDAY)


def details(shipping_preference="", province="QC"):
    return CheckoutDetails(
        **ADDRESSES[province],
        shipping_method="DOM.RP",
        shipping_preference=shipping_preference,
    )


def _on_purchase_order(variant, expected):
    purchase_order = PurchaseOrder.objects.create(
        number=PurchaseOrder.objects.count() + 1,
        supplier=SupplierFactory(),
        status=PurchaseOrder.Status.SENT,
        expected_date=expected,
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=variant,
        quantity_ordered=10,
        unit_cost=Decimal("20.00"),
    )


def _backorder_cart():
    """Return a cart of 3 hoodies with 1 in stock and 1 sweater not in stock.

    The hoodies still to come ship on Tuesday 8 December (three business
    days of lead time), the sweater when its purchase order arrives on
    Friday 18 December.
    """
    hoodies = hoodie(stock=1, backorderable=True)
    sweater = hoodie(
        stock=0, backorderable=True, sku="SW01-M-Grey", product__name="Grey Sweater"
    )
    _on_purchase_order(sweater, date(2026, 12, 18))
    return cart_with((hoodies, 3), (sweater, 1))


@pytest.mark.django_db
def test_plan_dates_in_stock_and_latest():
    cart = _backorder_cart()

    plan = plan_backorders(cart_lines(cart))

    assert plan is not None
    assert plan.in_stock_ship_date == THURSDAY
    assert plan.backorder_ship_date == date(2026, 12, 18)
    assert [(line.name, line.quantity_backordered) for line in plan.lines] == [
        ("Chaz Kangeroo Hoodie (M / Black)", 2),
        ("Grey Sweater (M / Black)", 1),
    ]
    assert [line.expected_ship_date for line in plan.lines] == [
        date(2026, 12, 8),
        date(2026, 12, 18),
    ]


@pytest.mark.django_db
def test_plan_on_weekend_ships_stock_monday():
    cart = cart_with((hoodie(stock=1, backorderable=True), 2))

    plan = plan_backorders(cart_lines(cart), today=SATURDAY)

    assert plan is not None
    assert plan.in_stock_ship_date == date(2026, 12, 7)
    assert plan.backorder_ship_date == date(2026, 12, 10)


@pytest.mark.django_db
def test_plan_none_without_backorders():
    cart = cart_with((hoodie(stock=5, backorderable=True), 5))

    assert plan_backorders(cart_lines(cart)) is None


@pytest.mark.parametrize("preference", [SHIP_AVAILABLE, SHIP_TOGETHER])
@pytest.mark.django_db
def test_place_order_stores_preference(preference):
    cart = _backorder_cart()

    order = place_order(cart=cart, details=details(preference))

    assert order.shipping_preference == preference
    assert [line.quantity for line in order.lines.order_by("sku")] == [3, 1]


@pytest.mark.django_db
def test_shipping_charged_same_for_both_choices():
    cart = _backorder_cart()

    available = place_order(cart=cart, details=details(SHIP_AVAILABLE))
    together = place_order(cart=cart, details=details(SHIP_TOGETHER))

    assert available.shipping_amount == Decimal("21.78")
    assert together.shipping_amount == Decimal("21.78")
    assert available.total_amount == together.total_amount


@pytest.mark.parametrize("preference", ["", "ship_whenever"])
@pytest.mark.django_db
def test_place_order_backorder_needs_preference(preference):
    cart = _backorder_cart()

    with pytest.raises(ShippingPreferenceRequired) as raised:
        place_order(cart=cart, details=details(preference))

    assert str(raised.value) == (
        f"Shipping preference {preference!r} is not valid. Some items are on "
        "backorder: choose to ship what is in stock now or to ship everything "
        "together."
    )
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_place_order_without_backorder_ignores_preference():
    cart = cart_with((hoodie(stock=5, backorderable=True), 2))

    order = place_order(cart=cart, details=details(""))

    assert order.shipping_preference == SHIP_AVAILABLE


@pytest.mark.django_db
def test_place_order_rejects_sold_out_shortfall():
    sold_out = hoodie(stock=2, sku="SW01-M-Grey", product__name="Grey Sweater")
    cart = cart_with((hoodie(stock=1, backorderable=True), 3), (sold_out, 3))

    with pytest.raises(InsufficientStock) as raised:
        place_order(cart=cart, details=details(SHIP_AVAILABLE))

    assert str(raised.value) == (
        "Only 2 of Grey Sweater M / Black are available; "
        "change the quantity in your cart."
    )
    assert raised.value.available == 2
    assert Order.objects.count() == 0


def test_shipping_step_offers_choice_with_dates(client, db):
    start_checkout(client, _backorder_cart())
    enter_address(client, "QC")

    response = client.get(SHIPPING)

    field = response.context["form"].fields["shipping_preference"]
    assert list(field.choices) == [
        (SHIP_AVAILABLE, SHIP_AVAILABLE_LABEL),
        (SHIP_TOGETHER, SHIP_TOGETHER_LABEL),
    ]
    html = response.content.decode()
    assert SHIP_AVAILABLE_LABEL in html
    assert "Shipping is charged once, whichever you choose." in html


def test_shipping_step_requires_choice(client, db):
    start_checkout(client, _backorder_cart())
    enter_address(client, "QC")

    response = choose_shipping(client)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "shipping_preference": ["Choose how to ship the items on backorder."]
    }
    assert client.session["checkout"]["shipping_method"] == "DOM.RP"


def test_review_without_choice_returns_to_shipping(client, db):
    start_checkout(client, _backorder_cart())
    enter_address(client, "QC")
    choose_shipping(client)

    response = client.post(REVIEW, follow=True)

    assert response.redirect_chain == [(SHIPPING, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Some items are on backorder. Choose how to ship them before you "
        "review your order."
    ]
    assert Order.objects.count() == 0


def test_checkout_stores_choice_on_order(client, db):
    start_checkout(client, _backorder_cart())
    enter_address(client, "QC")
    client.post(
        SHIPPING, {"shipping_method": "DOM.RP", "shipping_preference": SHIP_TOGETHER}
    )

    review = client.get(REVIEW)
    client.post(REVIEW)

    assert SHIP_TOGETHER_LABEL in review.content.decode()
    order = Order.objects.get()
    assert order.shipping_preference == SHIP_TOGETHER
    assert order.shipping_amount == Decimal("21.78")


def test_checkout_without_backorders_shows_no_choice(client, db):
    start_checkout(client, cart_with((hoodie(stock=5, backorderable=True), 2)))
    enter_address(client, "QC")

    shipping = client.get(SHIPPING)
    choose_shipping(client)
    review = client.get(REVIEW)
    client.post(REVIEW)

    assert "shipping_preference" not in shipping.context["form"].fields
    assert "Wait and ship everything together" not in shipping.content.decode()
    assert "Items on backorder" not in review.content.decode()
    assert Order.objects.get().shipping_preference == SHIP_AVAILABLE


def test_admin_shows_choice_read_only(client, admin_user):
    order = place_order(cart=_backorder_cart(), details=details(SHIP_TOGETHER))
    client.force_login(admin_user)

    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))

    html = response.content.decode()
    assert "Wait and ship everything together" in html
    assert 'name="shipping_preference"' not in html


def test_admin_filters_orders_by_choice(client, admin_user):
    cart = _backorder_cart()
    together = place_order(cart=cart, details=details(SHIP_TOGETHER))
    place_order(cart=cart, details=details(SHIP_AVAILABLE))
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:orders_order_changelist"),
        {"shipping_preference__exact": SHIP_TOGETHER},
    )

    assert [order.pk for order in response.context["cl"].result_list] == [together.pk]
