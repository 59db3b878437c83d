"""The invoice link and download on the order status page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounting.models import Invoice
from orders.models import Payment
from tests.factories.orders import order_with_lines
from tests.factories.shop import CustomerFactory, VariantFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 invoice 2001"


@pytest.fixture
def owner():
    return get_user_model().objects.create_user("avery", password="pw-avery-1")


@pytest.fixture
def paid_order(owner):
    variant = VariantFactory(price=Decimal("52.00"), product__name="Wool socks")
    order = order_with_lines(lines=[(variant, 2)], customer=CustomerFactory(user=owner))
    order.status = order.Status.PAID
    order.paid_at = timezone.now()
    order.save()
    return order


def _invoice(order):
    invoice = Invoice(
        number=2001,
        order=order,
        issued_at=timezone.now(),
        subtotal_amount=order.subtotal_amount,
        shipping_amount=order.shipping_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
        paid_at=order.paid_at,
    )
    invoice.pdf.save("invoice-2001.pdf", ContentFile(PDF), save=False)
    invoice.save()
    return invoice


def _payment(order, intent, status, minutes_ago, **fields):
    payment = Payment.objects.create(
        order=order,
        stripe_payment_intent_id=intent,
        amount=order.total_amount,
        status=status,
        **fields,
    )
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_invoice_download_by_token(client, paid_order):
    _invoice(paid_order)

    response = client.get(reverse("orders:invoice", args=[paid_order.access_token]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="invoice-2001.pdf"'
    )
    assert b"".join(response.streaming_content) == PDF


def test_invoice_download_by_owner(client, owner, paid_order):
    _invoice(paid_order)
    client.force_login(owner)

    response = client.get(reverse("orders:customer-invoice", args=[paid_order.number]))

    assert b"".join(response.streaming_content) == PDF


def test_invoice_download_404_for_stranger(client, paid_order):
    _invoice(paid_order)
    stranger = get_user_model().objects.create_user("blair", password="pw-blair-1")
    client.force_login(stranger)

    response = client.get(reverse("orders:customer-invoice", args=[paid_order.number]))

    assert response.status_code == 404


def test_invoice_download_404_for_wrong_token(client, paid_order):
    _invoice(paid_order)

    response = client.get(reverse("orders:invoice", args=["not-the-token"]))

    assert response.status_code == 404


def test_invoice_download_404_before_issue(client, paid_order):
    response = client.get(reverse("orders:invoice", args=[paid_order.access_token]))

    assert response.status_code == 404


def test_status_page_links_invoice(client, paid_order):
    _invoice(paid_order)

    response = client.get(paid_order.get_absolute_url())

    url = reverse("orders:invoice", args=[paid_order.access_token])
    assert f'href="{url}"' in response.content.decode()


def test_status_page_without_invoice_has_no_link(client, paid_order):
    response = client.get(paid_order.get_absolute_url())

    assert "Download the invoice" not in response.content.decode()


def test_status_page_lists_success_first(client, paid_order):
    _payment(paid_order, "pi_1", Payment.Status.FAILED, 9, failure_message="raw 1")
    _payment(paid_order, "pi_2", Payment.Status.FAILED, 6, failure_message="raw 2")
    _payment(
        paid_order,
        "pi_3",
        Payment.Status.SUCCEEDED,
        3,
        card_brand="Visa",
        card_last4="4242",
    )

    html = client.get(paid_order.get_absolute_url()).content.decode()

    paid_at = html.index("Paid $")
    declined = [
        index for index in range(len(html)) if html.startswith("Earlier attempt", index)
    ]
    assert "by Visa ending in 4242" in html
    assert len(declined) == 2
    assert paid_at < declined[0]
    assert "raw 1" not in html
    assert "raw 2" not in html


def test_confirmation_shows_ship_to(client, paid_order):
    response = client.get(
        reverse("orders:confirmation", args=[paid_order.access_token])
    )

    html = response.content.decode()
    assert "Avery Tremblay<br>" in html
    assert "5670 Spring Garden Road<br>" in html
    assert "Halifax NS B3J 1H6" in html
