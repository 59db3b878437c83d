"""Pages after payment: confirmation and order status, by token or account."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import Payment
from tests.factories.orders import order_with_lines
from tests.factories.shop import CustomerFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return get_user_model().objects.create_user("avery", password="pw-avery-1")


@pytest.fixture
def order(owner):
    variant = VariantFactory(price=Decimal("52.00"), product__name="Wool socks")
    order = order_with_lines(lines=[(variant, 2)], customer=CustomerFactory(user=owner))
    return order


@pytest.fixture
def paid_order(order):
    order.status = order.Status.PAID
    order.paid_at = order.created_at
    order.save()
    Payment.objects.create(
        order=order,
        stripe_payment_intent_id="pi_paid",
        amount=order.total_amount,
        status=Payment.Status.SUCCEEDED,
        card_brand="Visa",
        card_last4="4242",
    )
    return order


def test_status_page_shows_order_by_token(client, paid_order):
    response = client.get(reverse("orders:status", args=[paid_order.access_token]))

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Order {paid_order.number}" in content
    assert "Wool socks" in content
    assert "$104.00" in content
    assert "HST 14% on $116.00" in content
    assert "$16.24" in content
    assert "$132.24" in content
    assert "Paid $132.24 by Visa ending in 4242" in content


def test_status_page_404_for_wrong_token(client, paid_order):
    response = client.get(reverse("orders:status", args=["not-the-token"]))

    assert response.status_code == 404


def test_customer_order_shown_to_owner(client, owner, paid_order):
    client.force_login(owner)

    response = client.get(reverse("orders:customer-order", args=[paid_order.number]))

    assert response.status_code == 200
    assert f"Order {paid_order.number}" in response.content.decode()


def test_customer_order_404_for_stranger(client, paid_order):
    stranger = get_user_model().objects.create_user("sam", password="pw-sam-1")
    client.force_login(stranger)

    response = client.get(reverse("orders:customer-order", args=[paid_order.number]))

    assert response.status_code == 404


def test_customer_order_404_when_signed_out(client, paid_order):
    response = client.get(reverse("orders:customer-order", args=[paid_order.number]))

    assert response.status_code == 404


def test_confirmation_page_mentions_invoice_email(client, paid_order):
    url = reverse("orders:confirmation", args=[paid_order.access_token])

    response = client.get(url)

    content = response.content.decode()
    assert f"order {paid_order.number} is paid" in content
    assert f"An email with your invoice is on its way to {paid_order.email}" in content
    assert f'href="/orders/{paid_order.access_token}/"' in content


def test_confirmation_of_unpaid_order_redirects_to_payment(client, order):
    response = client.get(reverse("orders:confirmation", args=[order.access_token]))

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.access_token}/pay/"


def test_payment_page_of_paid_order_redirects_to_confirmation(client, paid_order):
    response = client.get(reverse("orders:payment", args=[paid_order.access_token]))

    assert response.status_code == 302
    assert response["Location"] == (f"/orders/{paid_order.access_token}/confirmation/")


def test_payment_page_404_for_wrong_token(client, order):
    response = client.get(reverse("orders:payment", args=["not-the-token"]))

    assert response.status_code == 404
