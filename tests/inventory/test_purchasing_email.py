import io

import pytest
from django.core import mail
from pypdf import PdfReader

from inventory import purchasing
from inventory.models import PurchaseOrder
from inventory.purchase_order_pdf import email_purchase_order
from shop.models import EmailLog
from tests.factories.inventory import SupplierFactory
from tests.inventory.purchasing_setup import open_purchase_order, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_order(django_capture_on_commit_callbacks):
    supplier = SupplierFactory(name="Harbour Pottery", email="orders@pottery.example")
    mug = stocked_variant(sku="MUG-BLUE")
    mug.product.name = "Harbour Mug"
    mug.product.save()
    towel = stocked_variant(sku="TOWEL-01")
    purchase_order = open_purchase_order(
        supplier=supplier,
        lines=[(mug, 12, 0, "4.25"), (towel, 3, 0, "8.99")],
        status=PurchaseOrder.Status.DRAFT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)
    return purchase_order


def pdf_text(message):
    [(filename, content, mimetype)] = message.attachments
    return (
        filename,
        mimetype,
        "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages),
    )


def test_send_emails_one_pdf_to_supplier(sent_order):
    [message] = mail.outbox

    filename, mimetype, _text = pdf_text(message)

    assert message.to == ["orders@pottery.example"]
    assert message.subject == (
        f"Ledgerfront Demo Shop: purchase order {sent_order.number}"
    )
    assert filename == f"purchase-order-{sent_order.number}.pdf"
    assert mimetype == "application/pdf"


def test_purchase_order_pdf_shows_number_and_lines(sent_order):
    [message] = mail.outbox

    _filename, _mimetype, text = pdf_text(message)

    assert f"PO no. {sent_order.number}" in text
    assert "Harbour Pottery" in text
    assert "MUG-BLUE Harbour Mug 12 $4.25 $51.00" in text
    assert "TOWEL-01" in text
    assert "3 $8.99 $26.97" in text
    assert "Total (CAD, before tax) $77.97" in text
    expected = sent_order.expected_date
    assert f"Expected by {expected:%B} {expected.day}, {expected.year}" in text


def test_purchase_order_email_body_lists_lines(sent_order):
    [message] = mail.outbox

    assert "12 x MUG-BLUE Harbour Mug at $4.25  $51.00" in message.body
    assert "Total (CAD, before tax)  $77.97" in message.body


def test_purchase_order_email_is_logged(sent_order):
    [log] = EmailLog.objects.filter(kind="purchase_order")

    assert log.reference == f"PO {sent_order.number}"
    assert log.to == "orders@pottery.example"
    assert log.status == EmailLog.Status.SENT


def test_purchase_order_email_sent_once(sent_order):
    sent_again = email_purchase_order(purchase_order_id=sent_order.pk)

    assert sent_again is False
    assert len(mail.outbox) == 1
