"""The refund form on an order's admin page and the credit note admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.models import CreditNote
from orders.models import Refund
from tests.accounting.refunds_setup import paid_pe_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(localstripe):
    return paid_pe_order(localstripe)


def refund_url(order):
    return reverse("admin:accounting_refund_order", args=[order.pk])


def test_order_page_links_to_refund_form(admin_client, order):
    response = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert refund_url(order) in response.content.decode()


def test_refund_form_shows_left_to_refund(admin_client, order):
    response = admin_client.get(refund_url(order))

    content = response.content.decode()
    assert "Left to refund: $73.60" in content
    assert "1 sold, 1 left to refund" in content


def test_refund_form_refunds_lines(admin_client, order):
    line = order.lines.get()

    response = admin_client.post(
        refund_url(order),
        {f"line_{line.pk}": "1", "shipping": "on", "reason": "Damaged"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orders_order_change", args=[order.pk])
    refund = Refund.objects.get()
    assert refund.amount == Decimal("73.60")
    assert refund.created_by.username == "admin"
    assert refund.credit_note.number == 1


def test_refund_form_over_refund_keeps_input(admin_client, order):
    response = admin_client.post(
        refund_url(order), {"amount": "80.00", "reason": "Goodwill"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Refund amount $80.00 is more than the $73.60 left to refund on order "
        f"{order.number}; enter $73.60 or less."
    ) in content
    assert 'value="80.00"' in content
    assert 'value="Goodwill"' in content
    assert Refund.objects.count() == 0


def test_refund_form_too_many_units_rejected(admin_client, order):
    line = order.lines.get()

    response = admin_client.post(
        refund_url(order), {f"line_{line.pk}": "2", "reason": "Damaged"}
    )

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 1." in response.content.decode()
    assert Refund.objects.count() == 0


def test_credit_note_admin_pdf_download(admin_client, order):
    admin_client.post(refund_url(order), {"amount": "10.00", "reason": "Late"})
    credit_note = CreditNote.objects.get()

    response = admin_client.get(
        reverse("admin:accounting_creditnote_pdf", args=[credit_note.pk])
    )

    assert response.status_code == 200
    assert 'filename="credit-note-1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_refund_form_needs_change_order_permission(client, django_user_model, order):
    staff = django_user_model.objects.create_user(
        "clerk", password="pw-clerk-1", is_staff=True
    )
    client.force_login(staff)

    response = client.post(refund_url(order), {"amount": "5.00", "reason": "x"})

    assert response.status_code == 403
    assert Refund.objects.count() == 0
