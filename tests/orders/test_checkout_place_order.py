from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from orders.checkout import CheckoutDetails, InsufficientStock, place_order
from orders.models import Order, OrderLine, OrderTax
from shop.models import Customer
from tests.factories.shop import CustomerFactory

from .addresses import ADDRESSES
from .checkout_setup import cart_with, hoodie


def details(province="QC", shipping_method="DOM.RP", **fields):
    return CheckoutDetails(
        **{**ADDRESSES[province], **fields}, shipping_method=shipping_method
    )


@pytest.mark.django_db
def test_place_order_writes_pending_order():
    cart = cart_with((hoodie(), 1))

    order = place_order(cart=cart, details=details("QC"))

    assert order.number == 100001
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.email == "kenji.leblanc17@example.com"
    assert order.ship_line2 == "App. 17C"
    assert order.ship_postal_code == "H2X 7V4"
    assert order.shipping_method == "DOM.RP"
    assert order.shipping_method_name == "Regular Parcel"
    assert order.subtotal_amount == Decimal("52.00")
    assert order.shipping_amount == Decimal("17.08")
    assert order.tax_amount == Decimal("10.34")
    assert order.total_amount == Decimal("79.42")


@pytest.mark.django_db
def test_place_order_writes_each_tax():
    cart = cart_with((hoodie(), 1))

    order = place_order(cart=cart, details=details("QC"))

    taxes = list(
        OrderTax.objects.filter(order=order).values_list(
            "code", "rate", "taxable_amount", "amount", "shipping_amount"
        )
    )
    assert taxes == [
        ("GST", Decimal("0.05000"), Decimal("69.08"), Decimal("3.45"), Decimal("0.85")),
        (
            "QST",
            Decimal("0.09975"),
            Decimal("69.08"),
            Decimal("6.89"),
            Decimal("1.70"),
        ),
    ]


@pytest.mark.django_db
def test_place_order_snapshots_lines():
    variant = hoodie()
    cart = cart_with((variant, 2))

    order = place_order(cart=cart, details=details("BC"))
    variant.price = Decimal("60.00")
    variant.sku = "MH01-M-Black-2"
    variant.save()

    line = OrderLine.objects.get(order=order)
    assert line.sku == "MH01-M-Black"
    assert line.name == "Chaz Kangeroo Hoodie"
    assert line.options == "M / Black"
    assert line.tax_class == "standard"
    assert line.quantity == 2
    assert line.unit_price == Decimal("52.00")
    assert line.subtotal_amount == Decimal("104.00")


@pytest.mark.django_db
def test_place_order_line_taxes_add_up():
    cart = cart_with((hoodie(), 1), (hoodie(sku="MH01-L-Black", size="L"), 2))

    order = place_order(cart=cart, details=details("PE"))

    line_taxes = [line.tax_amount for line in order.lines.all()]
    assert sum(line_taxes) == order.tax_amount
    assert order.tax_amount == sum(tax.amount for tax in order.taxes.all())


@pytest.mark.django_db
def test_place_order_numbers_increase():
    first = place_order(cart=cart_with((hoodie(), 1)), details=details("QC"))
    second = place_order(
        cart=cart_with((hoodie(sku="MH01-L-Black"), 1)), details=details("ON")
    )

    assert (first.number, second.number) == (100001, 100002)


@pytest.mark.django_db
def test_place_order_rewrites_unpaid_order():
    cart = cart_with((hoodie(), 1))
    first = place_order(cart=cart, details=details("QC"))
    cart.lines.update(quantity=3)

    again = place_order(cart=cart, details=details("BC"), order=first)

    assert again.pk == first.pk
    assert again.number == 100001
    assert again.access_token == first.access_token
    assert Order.objects.count() == 1
    assert list(again.lines.values_list("quantity", flat=True)) == [3]
    assert list(again.taxes.values_list("code", flat=True)) == ["GST", "PST"]
    assert again.ship_province == "BC"
    # 3 hoodies bill as 1.8 kg: $24.58 Regular Parcel to BC. GST 5% and PST
    # 7% on 180.58 are 9.03 and 12.64.
    assert again.total_amount == Decimal("202.25")


@pytest.mark.django_db
def test_place_order_new_order_when_previous_paid():
    cart = cart_with((hoodie(), 1))
    paid = place_order(cart=cart, details=details("QC"))
    Order.objects.filter(pk=paid.pk).update(status=Order.Status.PAID)

    order = place_order(cart=cart, details=details("BC"), order=paid)

    paid.refresh_from_db()
    assert order.number == 100002
    assert paid.ship_province == "QC"
    assert paid.total_amount == Decimal("79.42")


@pytest.mark.django_db
def test_place_order_rejects_more_than_on_hand():
    cart = cart_with((hoodie(stock=2), 3))

    with pytest.raises(InsufficientStock) as raised:
        place_order(cart=cart, details=details("QC"))

    assert str(raised.value) == (
        "Only 2 of Chaz Kangeroo Hoodie M / Black are available; "
        "change the quantity in your cart."
    )
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_place_order_rejects_sold_out_item():
    cart = cart_with((hoodie(stock=0), 1))

    with pytest.raises(InsufficientStock) as raised:
        place_order(cart=cart, details=details("QC"))

    assert str(raised.value) == (
        "Chaz Kangeroo Hoodie M / Black is sold out; remove it from your cart."
    )
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_place_order_unchanged_order_on_refusal():
    variant = hoodie(stock=5)
    cart = cart_with((variant, 1))
    order = place_order(cart=cart, details=details("QC"))
    cart.lines.update(quantity=6)

    with pytest.raises(InsufficientStock):
        place_order(cart=cart, details=details("BC"), order=order)

    order.refresh_from_db()
    assert order.ship_province == "QC"
    assert list(order.lines.values_list("quantity", flat=True)) == [1]


@pytest.mark.django_db
def test_place_order_finds_customer_ignoring_case():
    customer = CustomerFactory(email="kenji.leblanc17@example.com")

    order = place_order(
        cart=cart_with((hoodie(), 1)),
        details=details("QC", email="  Kenji.LeBlanc17@Example.com "),
    )

    assert order.customer == customer
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_place_order_creates_customer_from_address():
    order = place_order(cart=cart_with((hoodie(), 1)), details=details("QC"))

    customer = order.customer
    assert customer.email == "kenji.leblanc17@example.com"
    assert (customer.first_name, customer.last_name) == ("Kenji", "Leblanc")
    assert customer.phone == "+1-514-555-0106"


@pytest.mark.django_db
def test_place_order_links_signed_in_user():
    user = get_user_model().objects.create_user(
        "kenji", email="Kenji.Leblanc17@example.com"
    )
    customer = CustomerFactory(email="kenji.leblanc17@example.com")

    order = place_order(
        cart=cart_with((hoodie(), 1), user=user), details=details("QC"), user=user
    )

    customer.refresh_from_db()
    assert order.customer == customer
    assert customer.user == user


@pytest.mark.django_db
def test_place_order_does_not_link_other_email():
    user = get_user_model().objects.create_user("avery", email="avery@example.com")
    customer = CustomerFactory(email="kenji.leblanc17@example.com")

    order = place_order(
        cart=cart_with((hoodie(), 1), user=user), details=details("QC"), user=user
    )

    customer.refresh_from_db()
    assert order.customer == customer
    assert customer.user is None


@pytest.mark.django_db
def test_place_order_rejects_unoffered_method():
    cart = cart_with((hoodie(), 1))

    with pytest.raises(ValueError) as raised:
        place_order(cart=cart, details=details("QC", shipping_method="DOM.PC"))

    assert str(raised.value) == (
        "Shipping method 'DOM.PC' is not offered for QC; "
        "choose one of the methods listed."
    )
    assert Order.objects.count() == 0
