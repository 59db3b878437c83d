from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import Order
from orders.views.checkout import PENDING_ORDER_SESSION_KEY, SESSION_KEY
from shop.cart import SESSION_KEY as CART_SESSION_KEY
from tests.factories.shop import CustomerFactory

from .addresses import ADDRESSES
from .checkout_setup import cart_with, hoodie

CHECKOUT = reverse("orders:checkout")
SHIPPING = reverse("orders:checkout-shipping")
REVIEW = reverse("orders:checkout-review")


def start_checkout(client, cart):
    session = client.session
    session[CART_SESSION_KEY] = cart.pk
    session.save()


def enter_address(client, province):
    response = client.post(CHECKOUT, ADDRESSES[province])
    assert response.status_code == 302, response.context["form"].errors
    return response


def choose_shipping(client, method="DOM.RP"):
    return client.post(SHIPPING, {"shipping_method": method})


@pytest.fixture
def hoodie_cart(client, db):
    cart = cart_with((hoodie(), 1))
    start_checkout(client, cart)
    return cart


@pytest.mark.parametrize(
    ("province", "shipping", "taxes", "total"),
    [
        ("PE", "14.05", [("HST 15%", "9.91")], "75.96"),
        ("QC", "17.08", [("GST 5%", "3.45"), ("QST 9.975%", "6.89")], "79.42"),
        ("BC", "21.13", [("GST 5%", "3.66"), ("PST 7%", "5.12")], "81.91"),
    ],
)
def test_review_shows_taxes_and_total(
    client, hoodie_cart, province, shipping, taxes, total
):
    enter_address(client, province)
    choose_shipping(client)

    response = client.get(REVIEW)

    quote = response.context["quote"]
    assert quote.subtotal_amount == Decimal("52.00")
    assert quote.shipping_amount == Decimal(shipping)
    assert [(t.label, str(t.amount)) for t in quote.tax_lines] == taxes
    assert quote.total_amount == Decimal(total)
    page = response.content.decode()
    for label, amount in taxes:
        assert f'<th scope="row" colspan="3">{label}</th><td>${amount}</td>' in page
    assert f"<td>${total}</td>" in page
    assert "Continue to payment" in page


def test_address_mismatch_keeps_everything_typed(client, hoodie_cart):
    typed = {**ADDRESSES["QC"], "ship_postal_code": "K1A 0B1"}

    response = client.post(CHECKOUT, typed)

    assert response.status_code == 200
    assert response.context["form"].errors["ship_postal_code"] == [
        "Postal code K1A 0B1 is in Ontario, not Quebec. "
        "Check the province or the postal code."
    ]
    assert response.context["form"].data.dict() == typed
    assert client.session[SESSION_KEY]["address"] == typed
    assert Order.objects.count() == 0


def test_going_back_shows_what_was_typed(client, hoodie_cart):
    typed = {**ADDRESSES["QC"], "ship_postal_code": "K1A 0B1"}
    client.post(CHECKOUT, typed)

    response = client.get(CHECKOUT)

    assert response.context["form"].initial == typed
    assert 'value="153, avenue des Pins"' in response.content.decode()


def test_address_saved_normalised(client, hoodie_cart):
    client.post(CHECKOUT, {**ADDRESSES["ON"], "ship_postal_code": "k1p0x5"})

    assert client.session[SESSION_KEY]["address"]["ship_postal_code"] == "K1P 0X5"


def test_empty_cart_returns_to_cart(client, db):
    response = client.get(CHECKOUT, follow=True)

    assert response.redirect_chain == [(reverse("shop:cart"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Your cart is empty. Add a product before checking out."
    ]


def test_shipping_step_needs_address(client, hoodie_cart):
    response = client.get(SHIPPING)

    assert response["Location"] == CHECKOUT


def test_shipping_step_offers_rate_table(client, hoodie_cart):
    enter_address(client, "QC")

    response = client.get(SHIPPING)

    choices = response.context["form"].fields["shipping_method"].choices
    assert [code for code, label in choices] == ["DOM.RP", "DOM.EP", "DOM.XP"]
    assert choices[0][1].startswith("Regular Parcel: $17.08, expected ")


def test_review_needs_shipping_method(client, hoodie_cart):
    enter_address(client, "QC")

    response = client.get(REVIEW)

    assert response["Location"] == SHIPPING


def test_continue_to_payment_places_order(client, hoodie_cart):
    enter_address(client, "QC")
    choose_shipping(client)

    response = client.post(REVIEW)

    order = Order.objects.get()
    assert response["Location"] == reverse(
        "orders:payment", kwargs={"token": order.access_token}
    )
    assert order.total_amount == Decimal("79.42")
    assert client.session[PENDING_ORDER_SESSION_KEY] == order.pk
    assert hoodie_cart.lines.count() == 1


def test_coming_back_rewrites_same_order(client, hoodie_cart):
    enter_address(client, "QC")
    choose_shipping(client)
    client.post(REVIEW)
    first = Order.objects.get()

    enter_address(client, "BC")
    choose_shipping(client, "DOM.EP")
    response = client.post(REVIEW)

    order = Order.objects.get()
    assert order.pk == first.pk
    assert order.number == first.number
    assert response["Location"] == reverse(
        "orders:payment", kwargs={"token": first.access_token}
    )
    assert order.ship_province == "BC"
    assert order.shipping_method == "DOM.EP"
    # Expedited Parcel, 1 kg, to BC is $22.88; GST 5% and PST 7% on 74.88
    # are 3.74 and 5.24.
    assert order.total_amount == Decimal("83.86")


def test_sold_out_item_sends_back_to_cart(client, db):
    variant = hoodie(stock=3)
    start_checkout(client, cart_with((variant, 3)))
    enter_address(client, "QC")
    choose_shipping(client)
    variant.stock_levels.update(quantity_on_hand=2)

    response = client.post(REVIEW, follow=True)

    assert response.redirect_chain == [(reverse("shop:cart"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Only 2 of Chaz Kangeroo Hoodie (M / Black) are available; "
        "change the quantity in your cart."
    ]
    assert Order.objects.count() == 0


def test_checkout_names_every_unavailable_item(client, db):
    gone = hoodie(sku="MH01-S-Black", size="S")
    retired = hoodie(sku="MH02-M-Black", product__name="Bruno Hoodie")
    sold_out = hoodie(sku="MH01-L-Black", size="L", stock=0)
    kept = hoodie()
    start_checkout(client, cart_with((gone, 1), (retired, 1), (sold_out, 1), (kept, 1)))
    gone.is_active = False
    gone.save()
    retired.product.is_active = False
    retired.product.save()

    response = client.get(CHECKOUT, follow=True)

    assert response.redirect_chain == [(reverse("shop:cart"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Chaz Kangeroo Hoodie (S / Black) is no longer sold; remove it from your cart.",
        "Bruno Hoodie (M / Black) is no longer sold; remove it from your cart.",
        "Chaz Kangeroo Hoodie (L / Black) is sold out; remove it from your cart.",
    ]
    assert Order.objects.count() == 0


def test_signed_in_customer_email_prefilled(client, db):
    user = get_user_model().objects.create_user("ingrid", email="i@example.com")
    customer = CustomerFactory(user=user, email="ingrid.tremblay1@example.com")
    customer.addresses.create(
        name="Ingrid Tremblay",
        line1="1424 Lakeview Drive",
        city="St. John's",
        province="NL",
        postal_code="A1B 5C3",
    )
    cart_with((hoodie(), 1), user=user)
    client.force_login(user)

    response = client.get(CHECKOUT)

    initial = response.context["form"].initial
    assert initial["email"] == "ingrid.tremblay1@example.com"
    assert initial["ship_line1"] == "1424 Lakeview Drive"
    assert initial["ship_postal_code"] == "A1B 5C3"


def test_review_query_budget(client, db, django_assert_max_num_queries):
    variants = [hoodie(sku=f"MH01-{size}-Black", size=size) for size in "SML"]
    start_checkout(client, cart_with(*[(variant, 1) for variant in variants]))
    enter_address(client, "QC")
    choose_shipping(client)

    with django_assert_max_num_queries(6):
        client.get(REVIEW)


def test_unshippable_item_explains_why(client, db):
    anvil = hoodie(sku="ANVIL-40KG", weight_g=40000)
    start_checkout(client, cart_with((anvil, 1)))
    enter_address(client, "QC")

    response = client.get(SHIPPING, follow=True)

    assert response.redirect_chain == [(CHECKOUT, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Shipping could not be quoted: Item 1 weighs 40.000 kg billable, over "
        "the 30 kg limit for one parcel: ship it by freight, or check its "
        "weight and dimensions."
    ]


def test_unconfirmed_account_buys_as_guest(client, db, django_user_model):
    guest = CustomerFactory(email="ingrid@example.com")
    user = django_user_model.objects.create_user(
        username="ingrid@example.com", email="ingrid@example.com"
    )
    client.force_login(user)
    cart_with((hoodie(), 1), user=user)
    client.post(CHECKOUT, {**ADDRESSES["QC"], "email": "ingrid@example.com"})
    choose_shipping(client)

    client.post(REVIEW)

    order = Order.objects.get()
    guest.refresh_from_db()
    assert order.customer == guest
    assert guest.user is None
