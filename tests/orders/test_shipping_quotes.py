"""Checkout shipping from Canada Post's Get Rates, or from the rate table.

The local Canada Post server returns the sample rate-response.xml for
every rate request. Pre-tax prices (due less HST) per parcel: Expedited
Parcel and Regular Parcel $10.21, Xpresspost $13.64, Priority $25.20. The
$52.00 hoodie (600 g) costs $17.08 by Regular Parcel from the rate table
to Ontario (central zone).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.checkout import CheckoutDetails, place_order
from orders.models import Order
from orders.shipping_quotes import quote_shipping
from orders.views.checkout import SESSION_KEY
from shipping.models import PackagingBox
from shop.cart import SESSION_KEY as CART_SESSION_KEY
from shop.cart import cart_lines

from .addresses import ADDRESSES
from .checkout_setup import cart_with, hoodie

CHECKOUT = reverse("orders:checkout")
SHIPPING = reverse("orders:checkout-shipping")
ONTARIO = ADDRESSES["ON"]


def start_checkout(client, cart):
    session = client.session
    session[CART_SESSION_KEY] = cart.pk
    session.save()
    response = client.post(CHECKOUT, ONTARIO)
    assert response.status_code == 302


def quote(lines):
    return quote_shipping(
        lines=lines, province="ON", postal_code=ONTARIO["ship_postal_code"]
    )


def summary(options):
    return [(o.code, o.amount, o.delivery_date) for o in options]


@pytest.mark.django_db
def test_shipping_step_offers_canadapost_services(client, canadapost):
    start_checkout(client, cart_with((hoodie(), 1)))

    response = client.get(SHIPPING)

    assert summary(response.context["quote"].shipping_options) == [
        ("DOM.EP", Decimal("10.21"), date(2026, 12, 9)),
        ("DOM.RP", Decimal("10.21"), date(2026, 12, 11)),
        ("DOM.XP", Decimal("13.64"), date(2026, 12, 9)),
        ("DOM.PC", Decimal("25.20"), date(2026, 12, 8)),
    ]
    page = response.content.decode()
    assert "Expedited Parcel: $10.21, expected Wednesday, December 9" in page
    assert "Priority: $25.20, expected Tuesday, December 8" in page
    assert len(canadapost.requests) == 1


@pytest.mark.django_db
def test_place_order_charges_canadapost_price(canadapost):
    cart = cart_with((hoodie(), 1))
    details = CheckoutDetails(**ONTARIO, shipping_method="DOM.XP")

    order = place_order(cart=cart, details=details)

    assert order.shipping_method == "DOM.XP"
    assert order.shipping_method_name == "Xpresspost"
    assert order.shipping_amount == Decimal("13.64")
    assert order.tax_amount == Decimal("8.53")
    assert order.total_amount == Decimal("74.17")


@pytest.mark.django_db
def test_delayed_canadapost_falls_back_to_rate_table(canadapost, settings):
    settings.CANADAPOST_TIMEOUT = 0.5
    canadapost.delay_seconds = 1
    lines = cart_lines(cart_with((hoodie(), 1)))

    options = quote(lines)

    regular = next(option for option in options if option.code == "DOM.RP")
    assert regular.amount == Decimal("17.08")
    assert regular.name == "Regular Parcel"
    assert len(canadapost.requests) == 1


@pytest.mark.django_db
def test_no_credentials_never_calls_canadapost(canadapost_server, settings):
    canadapost_server.reset()
    settings.CANADAPOST_API_BASE = canadapost_server.url
    settings.CANADAPOST_USERNAME = ""
    lines = cart_lines(cart_with((hoodie(), 1)))

    options = quote(lines)

    regular = next(option for option in options if option.code == "DOM.RP")
    assert regular.amount == Decimal("17.08")
    assert canadapost_server.requests == []


@pytest.mark.django_db
def test_combined_parcel_without_boxes(canadapost):
    lines = cart_lines(cart_with((hoodie(), 1)))

    quote(lines)

    body = canadapost.requests[0].body.decode()
    assert "<weight>0.600</weight>" in body
    # A cube of the hoodie's 3,000 cm3, rounded up to the millimetre.
    assert "<length>14.5</length>" in body
    assert "<height>14.5</height>" in body


@pytest.mark.django_db
def test_prices_summed_over_boxes(canadapost):
    PackagingBox.objects.create(
        name="Hoodie mailer",
        inner_length_cm=Decimal("31.0"),
        inner_width_cm=Decimal("26.0"),
        inner_height_cm=Decimal("5.0"),
        outer_length_cm=Decimal("32.0"),
        outer_width_cm=Decimal("27.0"),
        outer_height_cm=Decimal("6.0"),
        empty_weight_g=100,
        max_weight_g=1000,
    )
    lines = cart_lines(cart_with((hoodie(), 2)))

    options = quote(lines)

    assert summary(options)[0] == ("DOM.EP", Decimal("20.42"), date(2026, 12, 9))
    assert len(canadapost.requests) == 2
    body = canadapost.requests[0].body.decode()
    assert "<weight>0.700</weight>" in body
    assert "<length>32.0</length>" in body


@pytest.mark.django_db
def test_rejected_request_explained_on_shipping(client, canadapost, settings):
    settings.CANADAPOST_CUSTOMER_NUMBER = "0009999999"
    start_checkout(client, cart_with((hoodie(), 1)))

    response = client.get(SHIPPING)

    assert response.status_code == 302
    assert response.url == CHECKOUT
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Shipping could not be quoted: Canada Post could not quote delivery "
        f"to postal code {ONTARIO['ship_postal_code']}: You cannot mail on "
        "behalf of the requested customer. Check the postal code, or contact us."
    ]
    assert (
        client.session[SESSION_KEY]["address"]["ship_postal_code"]
        == (ONTARIO["ship_postal_code"])
    )
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_rejected_request_explained_on_review(client, canadapost, settings):
    start_checkout(client, cart_with((hoodie(), 1)))
    client.post(SHIPPING, {"shipping_method": "DOM.EP"})
    settings.CANADAPOST_CUSTOMER_NUMBER = "0009999999"

    response = client.get(reverse("orders:checkout-review"))

    assert response.status_code == 302
    assert response.url == CHECKOUT
    assert Order.objects.count() == 0
