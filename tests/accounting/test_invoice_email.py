import logging
import time
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounting.models import Invoice
from accounting.services import resend_invoice_email
from accounting.tasks import send_invoice_email, send_unsent_invoices
from shop.models import EmailLog

pytestmark = pytest.mark.django_db


def test_invoice_email_attaches_pdf(paid_order, issue):
    invoice = issue(paid_order)

    [message] = mail.outbox
    [(filename, content, mimetype)] = message.attachments
    assert message.to == ["avery@example.com"]
    assert message.subject == (
        f"Ledgerfront Demo Shop: invoice 1 for order {paid_order.number}"
    )
    assert filename == "invoice-1.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert content == invoice.pdf.read()


def test_invoice_email_has_text_and_html(paid_order, issue):
    issue(paid_order)

    [message] = mail.outbox
    [(html_body, html_type)] = message.alternatives
    assert "Your invoice 1 is attached as a PDF." in message.body
    assert "HST 14%  $9.52" in message.body
    assert "Total  $77.52" in message.body
    assert html_type == "text/html"
    assert "Your invoice 1 is attached as a PDF." in html_body


def test_invoice_email_recorded(paid_order, issue):
    invoice = issue(paid_order)

    [log] = EmailLog.objects.all()
    assert log.status == EmailLog.Status.SENT
    assert log.to == "avery@example.com"
    assert log.kind == "invoice"
    assert log.reference == "1"
    assert log.error == ""
    assert invoice.emailed_at is not None
    assert invoice.email_attempts == 1
    assert invoice.email_claimed_until is None


def test_invoice_email_second_run_sends_nothing(paid_order, issue):
    invoice = issue(paid_order)

    result = send_invoice_email.delay(invoice.pk)

    assert result.get() is False
    assert len(mail.outbox) == 1
    assert EmailLog.objects.count() == 1


def test_invoice_email_claimed_elsewhere_sends_nothing(paid_order):
    invoice = Invoice.objects.create(
        number=7,
        order=paid_order,
        issued_at=timezone.now(),
        subtotal_amount=paid_order.subtotal_amount,
        shipping_amount=paid_order.shipping_amount,
        tax_amount=paid_order.tax_amount,
        total_amount=paid_order.total_amount,
        paid_at=paid_order.paid_at,
        email_claimed_until=timezone.now() + timedelta(minutes=5),
    )

    result = send_invoice_email.delay(invoice.pk)

    assert result.get() is False
    assert mail.outbox == []
    invoice.refresh_from_db()
    assert invoice.emailed_at is None


def test_invoice_email_smtp_451_retries(paid_order, issue, smtp_server):
    smtp_server.reject_with(451)

    with pytest.raises(Retry, match="Retry in"):
        issue(paid_order)

    invoice = Invoice.objects.get()
    assert invoice.emailed_at is None
    assert invoice.email_attempts == 1
    assert invoice.last_email_error.startswith("SMTPDataError: (451")
    assert invoice.email_claimed_until is None
    [log] = EmailLog.objects.all()
    assert log.status == EmailLog.Status.FAILED
    assert log.error.startswith("SMTPDataError: (451")
    assert smtp_server.messages == []


def test_invoice_email_retry_sends_once_accepted(paid_order, issue, smtp_server):
    smtp_server.reject_with(451)
    with pytest.raises(Retry):
        issue(paid_order)
    smtp_server.rejection = None
    invoice = Invoice.objects.get()

    send_invoice_email.delay(invoice.pk)

    invoice.refresh_from_db()
    assert len(smtp_server.messages) == 1
    assert invoice.emailed_at is not None
    assert invoice.email_attempts == 2
    assert invoice.last_email_error == ""
    statuses = list(EmailLog.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [EmailLog.Status.FAILED, EmailLog.Status.SENT]


def test_invoice_email_smtp_554_not_retried(paid_order, issue, smtp_server):
    smtp_server.reject_with(554)

    invoice = issue(paid_order)

    assert invoice.emailed_at is None
    assert invoice.email_attempts == 1
    assert invoice.last_email_error.startswith("SMTPDataError: (554")
    [log] = EmailLog.objects.all()
    assert log.status == EmailLog.Status.FAILED
    assert smtp_server.messages == []


def test_invoice_email_arrives_over_smtp(paid_order, issue, smtp_server):
    invoice = issue(paid_order)

    [message] = smtp_server.messages
    attachments = [part for part in message.walk() if part.get_filename()]
    [attachment] = attachments
    assert message["X-Envelope-To"] == "avery@example.com"
    assert message["Subject"] == (
        f"Ledgerfront Demo Shop: invoice 1 for order {paid_order.number}"
    )
    assert attachment.get_filename() == "invoice-1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == invoice.pdf.read()
    assert invoice.emailed_at is not None


def test_broker_down_at_commit_leaves_invoice_unsent(
    paid_order, issue, celery_broker, closed_port, caplog
):
    celery_broker.use(f"redis://127.0.0.1:{closed_port}/15")
    started = time.monotonic()

    with caplog.at_level(logging.WARNING, logger="shop.queueing"):
        invoice = issue(paid_order)

    assert time.monotonic() - started < 5
    assert invoice.emailed_at is None
    assert mail.outbox == []
    assert (
        "Task accounting.tasks.send_invoice_email not queued, broker unreachable"
        in caplog.text
    )


def test_sweep_sends_invoice_missed_at_commit(
    paid_order, issue, celery_broker, closed_port
):
    celery_broker.use(f"redis://127.0.0.1:{closed_port}/15")
    invoice = issue(paid_order)
    Invoice.objects.filter(pk=invoice.pk).update(
        issued_at=timezone.now() - timedelta(minutes=2)
    )
    celery_broker.restore()

    queued = send_unsent_invoices.delay().get()

    invoice.refresh_from_db()
    assert queued == 1
    assert invoice.emailed_at is not None
    [message] = mail.outbox
    assert message.attachments[0][0] == "invoice-1.pdf"


def test_sweep_skips_invoice_just_issued(paid_order, issue, celery_broker, closed_port):
    celery_broker.use(f"redis://127.0.0.1:{closed_port}/15")
    invoice = issue(paid_order)
    celery_broker.restore()

    queued = send_unsent_invoices.delay().get()

    invoice.refresh_from_db()
    assert queued == 0
    assert invoice.emailed_at is None
    assert mail.outbox == []


def test_sweep_skips_emailed_invoice(paid_order, issue):
    invoice = issue(paid_order)
    Invoice.objects.filter(pk=invoice.pk).update(
        issued_at=timezone.now() - timedelta(minutes=2)
    )

    queued = send_unsent_invoices.delay().get()

    assert queued == 0
    assert len(mail.outbox) == 1


def test_resend_invoice_email_sends_again(
    paid_order, issue, django_capture_on_commit_callbacks
):
    invoice = issue(paid_order)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        resend_invoice_email(invoice=invoice)

    invoice.refresh_from_db()
    assert len(mail.outbox) == 2
    assert EmailLog.objects.filter(status=EmailLog.Status.SENT).count() == 2
    assert invoice.emailed_at is not None
    assert invoice.email_attempts == 1
