"""Invoices: issuing them with gapless numbers and emailing the paid PDF."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounting.invoices import (
    invoice_filename,
    render_invoice_email,
    render_invoice_pdf,
)
from accounting.models import Invoice
from orders.models import Order
from shop import webhook_events
from shop.emails import send_logged_email
from shop.queueing import enqueue_on_commit
from shop.sequences import next_number

from .document_email import email_document_once

logger = logging.getLogger(__name__)


def issue_invoice(*, order: Order) -> Invoice:
    """Issue the paid invoice for `order` and queue its email on commit.

    Call inside the transaction that records the payment: locks the order
    row, then the invoice number counter, which stays locked until commit so
    numbers have no gaps or duplicates. Idempotent: an order that already
    has an invoice gets that invoice back and no second email is queued.
    The PDF is rendered later by the email task, outside the lock.

    Raises RuntimeError outside a transaction and ValueError for an order
    that is not paid.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_invoice() must be called inside transaction.atomic")
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    if order.paid_at is None:
        raise ValueError(
            f"Order {order.number} is not paid: record its payment before "
            "issuing its invoice."
        )

    invoice = Invoice.objects.create(
        number=next_number("invoice"),
        order=order,
        issued_at=timezone.now(),
        subtotal_amount=order.subtotal_amount,
        shipping_amount=order.shipping_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
        paid_at=order.paid_at,
    )
    # A counter sale to a walk-in customer has no email address to send to.
    if order.email:
        queue_invoice_email(invoice)
    webhook_events.invoice_issued(invoice)

    logger.info(
        "Invoice %s issued for order %s",
        invoice.number,
        order.number,
        extra={"invoice_id": invoice.pk, "order_id": order.pk},
    )
    return invoice


def resend_invoice_email(*, invoice: Invoice) -> None:
    """Mark the invoice email as owed again and queue it on commit.

    Clears emailed_at and the attempt count, so the periodic sweep also
    picks it up if the broker is down.
    """
    Invoice.objects.filter(pk=invoice.pk).update(
        emailed_at=None, email_attempts=0, last_email_error=""
    )
    queue_invoice_email(invoice)
    logger.info(
        "Invoice %s email requested again",
        invoice.number,
        extra={"invoice_id": invoice.pk},
    )


def queue_invoice_email(invoice: Invoice) -> None:
    # Imported here because accounting.tasks imports this module.
    from accounting.tasks import send_invoice_email

    enqueue_on_commit(send_invoice_email, invoice.pk)


def invoice_pdf(invoice: Invoice) -> bytes:
    """Return the invoice's stored PDF, rendering and storing it if missing."""
    if invoice.pdf:
        with invoice.pdf.open("rb") as stored:
            return stored.read()
    content = render_invoice_pdf(invoice)
    invoice.pdf.save(invoice_filename(invoice), ContentFile(content), save=False)
    Invoice.objects.filter(pk=invoice.pk).update(pdf=invoice.pdf.name)
    return content


def email_invoice(*, invoice_id: int) -> bool:
    """Email the invoice PDF to the order's address unless already emailed.

    See accounting.document_email.email_document_once for the claim, the
    record of each attempt and the at-least-once guarantee.
    """
    return email_document_once(Invoice, invoice_id, send_invoice_pdf, label="Invoice")


def send_invoice_pdf(invoice: Invoice) -> None:
    pdf = invoice_pdf(invoice)
    email = render_invoice_email(invoice)
    send_logged_email(
        to=invoice.order.email,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        attachments=[(invoice_filename(invoice), pdf, "application/pdf")],
        kind="invoice",
        reference=str(invoice.number),
    )
