"""Credit note PDF and email."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.db import transaction
from pypdf import PdfReader

from accounting.credit_note_documents import render_credit_note_pdf
from accounting.credit_notes import resend_credit_note_email
from accounting.models import CreditNote
from accounting.tasks import send_credit_note_email
from orders.refunds import refund_order
from shop.models import EmailLog
from tests.accounting.refunds_setup import paid_pe_order

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def refunded(localstripe, django_capture_on_commit_callbacks):
    """Refund the PE example in full, running the email task on commit."""
    order = paid_pe_order(localstripe)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_order(
            order=order,
            lines=[(order.lines.get(), 1)],
            shipping=True,
            reason="Arrived broken",
            user=None,
        )
    return CreditNote.objects.select_related("order", "invoice").get(refund=refund)


def test_credit_note_pdf_shows_numbers(refunded):
    text = pdf_text(render_credit_note_pdf(refunded))

    assert "CREDIT NOTE" in text
    assert "Credit note no. 1" in text
    assert f"Original invoice no. {refunded.invoice.number}" in text
    assert f"Order no. {refunded.order.number}" in text
    assert "GST/HST registration no. 123456789 RT0001" in text


def test_credit_note_pdf_shows_taxes_and_total(refunded):
    text = pdf_text(render_credit_note_pdf(refunded))

    assert "Subtotal credited $52.00" in text
    assert "Shipping credited $12.00" in text
    assert "HST 15% $9.60" in text
    assert "Total credited (CAD) $73.60" in text
    assert "Halifax PE B3J 1H6" in text
    assert "Arrived broken" in text


def test_credit_note_email_sent_once(refunded):
    send_credit_note_email(refunded.pk)

    [message] = mail.outbox
    [(filename, _content, mimetype)] = message.attachments
    assert message.to == [refunded.order.email]
    assert message.subject == (
        f"Ledgerfront Demo Shop: credit note 1 for order {refunded.order.number}"
    )
    assert filename == "credit-note-1.pdf"
    assert mimetype == "application/pdf"
    assert "Total credited  $73.60" in message.body
    [log] = EmailLog.objects.filter(kind="credit_note")
    assert log.status == EmailLog.Status.SENT
    assert log.reference == "1"
    refunded.refresh_from_db()
    assert refunded.emailed_at is not None
    assert refunded.email_attempts == 1


def test_credit_note_resend_sends_again(refunded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        resend_credit_note_email(credit_note=refunded)

    assert len(mail.outbox) == 2
    assert EmailLog.objects.filter(kind="credit_note").count() == 2


def test_credit_note_numbers_own_series(refunded):
    assert refunded.number == 1
    assert refunded.invoice.number == 1
    assert refunded.total_amount == Decimal("73.60")
