"""Card payments against localstripe: intents, confirmation, 3-D Secure."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.models import Invoice
from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from orders import payments
from orders.models import Order, Payment
from orders.views.checkout import PENDING_ORDER_SESSION_KEY
from shop.cart import SESSION_KEY as CART_SESSION_KEY
from shop.models import Cart, CartLine
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_DECLINED, CARD_NEEDS_3DS, CARD_SUCCEEDS

pytestmark = pytest.mark.django_db

# Two units at $52.00 plus $12.00 shipping, with HST at 14% on $116.00.
TOTAL = Decimal("132.24")
TOTAL_CENTS = 13224


@pytest.fixture
def variant():
    variant = VariantFactory(price=Decimal("52.00"))
    set_opening_stock(variant=variant, quantity=10)
    return variant


@pytest.fixture
def order(variant):
    return order_with_lines(lines=[(variant, 2)])


@pytest.fixture
def cart(client, variant):
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=variant, quantity=2)
    session = client.session
    session[CART_SESSION_KEY] = cart.pk
    session.save()
    return cart


def pay(client, order, card_id):
    url = reverse("orders:payment-confirm", kwargs={"token": order.access_token})
    return client.post(url, {"card_id": card_id})


def intents_for(localstripe, order):
    return [
        intent
        for intent in localstripe.payment_intents()
        if intent["metadata"].get("order_number") == str(order.number)
    ]


def test_payment_page_creates_intent_once(client, localstripe, order):
    url = reverse("orders:payment", kwargs={"token": order.access_token})

    first = client.get(url)
    second = client.get(url)

    assert first.status_code == 200
    assert second.status_code == 200
    intents = intents_for(localstripe, order)
    assert len(intents) == 1
    assert intents[0]["amount"] == TOTAL_CENTS
    assert intents[0]["currency"] == "cad"
    assert Payment.objects.filter(order=order).count() == 1
    assert order.payments.get().stripe_payment_intent_id == intents[0]["id"]


def test_payment_page_shows_summary_and_card_element(client, localstripe, order):
    url = reverse("orders:payment", kwargs={"token": order.access_token})

    response = client.get(url)

    content = response.content.decode()
    assert f"Pay for order {order.number}" in content
    assert "Pay $132.24" in content
    assert f'src="{localstripe.url}/js.stripe.com/v3/"' in content
    assert 'id="card-element"' in content
    assert "HST 14% on $116.00" in content


def test_prepare_payment_updates_amount_of_changed_order(localstripe, order):
    payment = payments.prepare_payment(order)
    order.total_amount = Decimal("140.00")
    order.save()

    again = payments.prepare_payment(order)

    assert again.pk == payment.pk
    assert again.amount == Decimal("140.00")
    intent = localstripe.payment_intent(payment.stripe_payment_intent_id)
    # localstripe keeps an updated amount as the form's string.
    assert int(intent["amount"]) == 14000
    assert len(intents_for(localstripe, order)) == 1


def test_card_payment_marks_order_paid(client, localstripe, order, variant, cart):
    response = pay(client, order, localstripe.card_id(CARD_SUCCEEDS))

    assert response.status_code == 200
    assert response.json() == {
        "status": "succeeded",
        "redirect_url": f"/orders/{order.access_token}/confirmation/",
    }
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    payment = order.payments.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.amount == TOTAL
    assert payment.card_brand == "Visa"
    assert payment.card_last4 == "4242"
    assert payment.succeeded_at == order.paid_at


def test_card_payment_allocates_stock_and_issues_invoice(
    client, localstripe, order, variant, cart
):
    pay(client, order, localstripe.card_id(CARD_SUCCEEDS))

    stock = Stock.objects.get(variant=variant)
    assert stock.quantity_on_hand == 10
    assert stock.quantity_allocated == 2
    allocation = StockMovement.objects.get(kind=StockMovement.Kind.ALLOCATION)
    assert allocation.quantity == 0
    assert allocation.quantity_allocated_change == 2
    assert allocation.reference == str(order.number)
    assert order.lines.get().quantity_allocated == 2
    invoice = Invoice.objects.get()
    assert invoice.order_id == order.pk
    assert invoice.total_amount == TOTAL
    assert invoice.paid_at == Order.objects.get(pk=order.pk).paid_at


def test_card_payment_clears_cart(client, localstripe, order, cart):
    session = client.session
    session[PENDING_ORDER_SESSION_KEY] = order.pk
    session.save()

    pay(client, order, localstripe.card_id(CARD_SUCCEEDS))

    assert CartLine.objects.filter(cart=cart).count() == 0
    assert PENDING_ORDER_SESSION_KEY not in client.session


def test_declined_card_leaves_order_unpaid(client, localstripe, order, variant, cart):
    response = pay(client, order, localstripe.card_id(CARD_DECLINED))

    assert response.status_code == 402
    assert response.json() == {"status": "failed", "message": "Your card was declined."}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.paid_at is None
    payment = order.payments.get()
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == "Your card was declined."
    assert Invoice.objects.count() == 0
    assert Stock.objects.get(variant=variant).quantity_on_hand == 10
    assert list(cart.lines.values_list("variant_id", "quantity")) == [(variant.pk, 2)]


def test_payment_page_shows_decline_message(client, localstripe, order):
    pay(client, order, localstripe.card_id(CARD_DECLINED))

    response = client.get(reverse("orders:payment", args=[order.access_token]))

    assert response.status_code == 200
    assert "Your card was declined." in response.content.decode()


def test_new_card_after_decline_pays_order(client, localstripe, order):
    pay(client, order, localstripe.card_id(CARD_DECLINED))

    response = pay(client, order, localstripe.card_id(CARD_SUCCEEDS))

    assert response.json()["status"] == "succeeded"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    statuses = sorted(order.payments.values_list("status", flat=True))
    assert statuses == [Payment.Status.FAILED, Payment.Status.SUCCEEDED]


def test_3ds_card_requires_action(client, localstripe, order):
    response = pay(client, order, localstripe.card_id(CARD_NEEDS_3DS))

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "requires_action"
    payment = order.payments.get()
    assert body["client_secret"].startswith(f"{payment.stripe_payment_intent_id}_")
    assert body["return_url"] == f"/orders/{order.access_token}/pay/return/"
    assert payment.status == Payment.Status.REQUIRES_ACTION
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    intent = localstripe.payment_intent(payment.stripe_payment_intent_id)
    assert intent["status"] == "requires_action"


def test_return_page_after_3ds_pays_order(client, localstripe, order, cart):
    body = pay(client, order, localstripe.card_id(CARD_NEEDS_3DS)).json()
    localstripe.authenticate(client_secret=body["client_secret"], success=True)

    response = client.get(body["return_url"])

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.access_token}/confirmation/"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert Invoice.objects.filter(order=order).count() == 1
    assert cart.lines.count() == 0


def test_return_page_after_failed_3ds_shows_payment_page(client, localstripe, order):
    body = pay(client, order, localstripe.card_id(CARD_NEEDS_3DS)).json()
    localstripe.authenticate(client_secret=body["client_secret"], success=False)

    response = client.get(body["return_url"])

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.access_token}/pay/"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    payment = order.payments.get()
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == (
        "The provided PaymentMethod has failed authentication."
    )


def test_missing_card_id_is_rejected(client, localstripe, order):
    response = pay(client, order, "")

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The card details are missing. Please enter your card again."
    )
    assert Payment.objects.count() == 0


def test_return_page_without_3ds_asks_to_pay_again(client, localstripe, order):
    body = pay(client, order, localstripe.card_id(CARD_NEEDS_3DS)).json()

    response = client.get(body["return_url"], follow=True)

    assert response.redirect_chain == [(f"/orders/{order.access_token}/pay/", 302)]
    assert "security check was not completed" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_new_card_after_unfinished_3ds_pays_order(client, localstripe, order):
    pay(client, order, localstripe.card_id(CARD_NEEDS_3DS))

    response = pay(client, order, localstripe.card_id(CARD_SUCCEEDS))

    assert response.json()["status"] == "succeeded"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
