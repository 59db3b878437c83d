"""quote_checkout for a $52.00 hoodie (600 g, 30 x 25 x 4 cm).

The hoodie bills as 1 kg with every service, so shipping is the 1 kg price
of shipping/data/rates.csv for the zone: Regular Parcel (DOM.RP) costs
$14.05 to PE (atlantic), $17.08 to QC (central) and $21.13 to BC (west).
The test settings register the shop for QST and BC PST.
"""

from datetime import date
from decimal import Decimal

import pytest

from orders.checkout import quote_checkout
from orders.forms import shipping_option_label
from shipping.rates import ShippingOption
from shop.cart import cart_lines
from tests.factories.shop import VariantFactory

from .checkout_setup import cart_with, hoodie


def quote_for(province, shipping_method="DOM.RP", lines=None):
    lines = lines or cart_lines(cart_with((hoodie(), 1)))
    return quote_checkout(
        lines=lines, province=province, shipping_method=shipping_method
    )


@pytest.mark.django_db
def test_quote_prince_edward_island_hst():
    quote = quote_for("PE")

    assert quote.subtotal_amount == Decimal("52.00")
    assert quote.shipping_amount == Decimal("14.05")
    assert [(t.label, t.amount) for t in quote.tax_lines] == [
        ("HST 15%", Decimal("9.91")),
    ]
    assert quote.tax_amount == Decimal("9.91")
    assert quote.total_amount == Decimal("75.96")


@pytest.mark.django_db
def test_quote_quebec_gst_and_qst():
    quote = quote_for("QC")

    assert quote.shipping_amount == Decimal("17.08")
    assert [(t.label, t.amount) for t in quote.tax_lines] == [
        ("GST 5%", Decimal("3.45")),
        ("QST 9.975%", Decimal("6.89")),
    ]
    assert quote.total_amount == Decimal("79.42")


@pytest.mark.django_db
def test_quote_british_columbia_gst_and_pst():
    quote = quote_for("BC")

    assert quote.shipping_amount == Decimal("21.13")
    assert [(t.label, t.amount) for t in quote.tax_lines] == [
        ("GST 5%", Decimal("3.66")),
        ("PST 7%", Decimal("5.12")),
    ]
    assert quote.total_amount == Decimal("81.91")


@pytest.mark.django_db
def test_quote_lists_services_cheapest_first():
    quote = quote_for("ON", shipping_method=None)

    assert [(o.code, o.amount) for o in quote.shipping_options] == [
        ("DOM.RP", Decimal("17.08")),
        ("DOM.EP", Decimal("18.48")),
        ("DOM.XP", Decimal("23.55")),
    ]


@pytest.mark.django_db
def test_quote_without_method_leaves_shipping_out():
    quote = quote_for("ON", shipping_method=None)

    assert quote.shipping_option is None
    assert quote.shipping_amount == Decimal("0.00")
    assert quote.tax_amount == Decimal("6.76")
    assert quote.total_amount == Decimal("58.76")


@pytest.mark.django_db
def test_quote_unknown_method_leaves_shipping_out():
    quote = quote_for("ON", shipping_method="DOM.PC")

    assert quote.shipping_option is None
    assert quote.total_amount == Decimal("58.76")


@pytest.mark.django_db
def test_quote_mixed_cart_line_taxes_add_up():
    # 3 hoodies and 2 books (category packaging, 500 g) bill as 3 kg: $14.25
    # local Regular Parcel, split by value $11.34 hoodies and $2.91 books.
    # HST 14% on 167.34 is 23.43; books pay GST only: 5% on 42.89 is 2.14.
    book = VariantFactory(product__book=True, price=Decimal("19.99"))
    cart = cart_with((hoodie(), 3), (book, 2))

    quote = quote_for("NS", lines=cart_lines(cart))

    assert quote.shipping_amount == Decimal("14.25")
    assert [(t.label, t.amount) for t in quote.tax_lines] == [
        ("GST 5%", Decimal("2.14")),
        ("HST 14%", Decimal("23.43")),
    ]
    assert [line.tax_amount for line in quote.lines] == [
        Decimal("23.43"),
        Decimal("2.14"),
    ]
    assert quote.tax_amount == Decimal("25.57")
    assert quote.total_amount == Decimal("235.80")


def test_shipping_option_label_shows_price_and_date():
    option = ShippingOption(
        code="DOM.EP",
        name="Expedited Parcel",
        amount=Decimal("18.48"),
        transit_days=4,
        delivery_date=date(2026, 3, 12),
    )

    assert shipping_option_label(option) == (
        "Expedited Parcel: $18.48, expected Thursday, March 12"
    )
