from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import transaction
from pypdf import PdfReader

from accounting.invoices import format_rate, render_invoice_pdf
from accounting.models import Invoice
from accounting.services import issue_invoice
from orders.models import Payment
from tests.factories.orders import OrderTaxFactory

pytestmark = pytest.mark.django_db

ISSUED_AT = datetime(2026, 3, 14, 2, 31, tzinfo=UTC)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def invoice(paid_order):
    with transaction.atomic():
        invoice = issue_invoice(order=paid_order)
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=ISSUED_AT)
    invoice.refresh_from_db()
    return invoice


def test_invoice_pdf_shows_numbers_and_seller(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "INVOICE" in text
    assert "Invoice no. 1" in text
    assert "Order no. 100" in text
    assert "Ledgerfront Demo Shop" in text
    assert "1500 Barrington Street" in text
    assert "GST/HST registration no. 123456789 RT0001" in text


def test_invoice_pdf_dates_in_shop_time_zone(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "Invoice date March 13, 2026" in text
    assert "March 14" not in text


def test_invoice_pdf_lists_each_line(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "MUG-BLUE Harbour Mug" in text
    assert "Blue, 350 ml" in text
    assert "2 $18.50 $37.00" in text
    assert "TOWEL-01 Lighthouse Tea Towel 1 $19.00 $19.00" in text


def test_invoice_pdf_shows_totals_and_tax(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "Subtotal $56.00" in text
    assert "Shipping (Standard) $12.00" in text
    assert "HST 14% $9.52" in text
    assert "Total (CAD) $77.52" in text


def test_invoice_pdf_marked_paid_with_date(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "PAID" in text
    assert "March 13, 2026" in text


def test_invoice_pdf_shows_card(invoice):
    Payment.objects.create(
        order=invoice.order,
        stripe_payment_intent_id="pi_invoice_card",
        amount=invoice.total_amount,
        status=Payment.Status.SUCCEEDED,
        card_brand="visa",
        card_last4="4242",
        succeeded_at=invoice.paid_at,
    )

    text = pdf_text(render_invoice_pdf(invoice))

    assert "Visa ending 4242" in text


def test_invoice_pdf_renders_same_bytes_twice(invoice):
    first = render_invoice_pdf(invoice)

    second = render_invoice_pdf(invoice)

    assert first == second


@pytest.mark.parametrize(
    ("rate", "label"),
    [("0.14", "14%"), ("0.05", "5%"), ("0.10", "10%"), ("0.09975", "9.975%")],
)
def test_format_rate_drops_trailing_zeros(rate, label):
    assert format_rate(Decimal(rate)) == label


def test_invoice_pdf_shows_qst_number_when_qst_charged(paid_order):
    paid_order.ship_province = "QC"
    paid_order.save(update_fields=["ship_province"])
    paid_order.taxes.all().delete()
    OrderTaxFactory(order=paid_order, code="GST", name="GST", rate=Decimal("0.05"))
    OrderTaxFactory(order=paid_order, code="QST", name="QST", rate=Decimal("0.09975"))
    with transaction.atomic():
        invoice = issue_invoice(order=paid_order)

    text = pdf_text(render_invoice_pdf(invoice))

    assert "QST (QC) registration no. 1234567890TQ0001" in text
    assert "GST/HST registration no. 123456789 RT0001" in text


def test_invoice_pdf_leaves_out_provincial_numbers_for_hst(invoice):
    text = pdf_text(render_invoice_pdf(invoice))

    assert "QST" not in text
    assert "PST" not in text
