"""Invoices: issuing them with gapless numbers and emailing the paid PDF."""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounting.invoices import (
    invoice_filename,
    render_invoice_email,
    render_invoice_pdf,
)
from accounting.models import Invoice
from orders.models import Order
from shop.emails import send_logged_email
from shop.queueing import enqueue_on_commit
from shop.sequences import next_number

logger = logging.getLogger(__name__)

# How long one worker may take to render and send an invoice email before
# another worker may try again. Well above the SMTP timeout (EMAIL_TIMEOUT).
EMAIL_CLAIM_DURATION = timedelta(minutes=10)


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

    Returns False, sending nothing, when the invoice was emailed already or
    another worker is sending it now. On failure the attempt and the error
    are recorded on the invoice and the error is raised again for a retry.
    Sends at least once: if the worker dies between the SMTP send and the
    final update, the email goes out a second time.
    """
    if not claim_invoice_email(invoice_id):
        logger.info(
            "Invoice email skipped: already sent or being sent",
            extra={"invoice_id": invoice_id},
        )
        return False
    invoice = Invoice.objects.select_related("order").get(pk=invoice_id)

    try:
        send_invoice_pdf(invoice)
    except Exception as error:
        Invoice.objects.filter(pk=invoice_id).update(
            email_attempts=F("email_attempts") + 1,
            last_email_error=f"{type(error).__name__}: {error}",
            email_claimed_until=None,
        )
        raise

    Invoice.objects.filter(pk=invoice_id).update(
        emailed_at=timezone.now(),
        email_attempts=F("email_attempts") + 1,
        last_email_error="",
        email_claimed_until=None,
    )
    return True


def claim_invoice_email(invoice_id: int) -> bool:
    """Claim an unsent invoice's email for this worker for a while."""
    now = timezone.now()
    unclaimed = Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now)
    claimed = Invoice.objects.filter(
        unclaimed, pk=invoice_id, emailed_at__isnull=True
    ).update(email_claimed_until=now + EMAIL_CLAIM_DURATION)
    return claimed == 1


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
