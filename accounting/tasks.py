"""Celery tasks that email invoices; thin adapters over accounting.services."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from accounting import services
from accounting.models import Invoice
from shop.email_retries import MAX_RETRIES, send_or_retry

logger = logging.getLogger(__name__)


# The sweep leaves an invoice alone for a minute after it is issued, so it
# does not race the task queued when the invoice committed.
SWEEP_DELAY = timedelta(minutes=1)
SWEEP_BATCH_SIZE = 100
# Each sweep-queued task retries MAX_RETRIES times on its own, so this allows
# several sweeps. Past it staff see the error in the admin and resend.
# TODO: a permanent (5xx) rejection is tried again by every sweep until this
# limit; record it as permanent so the sweep skips it at once.
SWEEP_MAX_ATTEMPTS = 30


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_invoice_email(self, invoice_id: int) -> bool:
    """Email the invoice PDF to the customer once; safe to run twice.

    Retries with exponential backoff on network errors and SMTP replies
    that mean "try later" (4xx). A permanent rejection (5xx) is not
    retried: it stays on the invoice as last_email_error.
    """
    return send_or_retry(
        self,
        lambda: services.email_invoice(invoice_id=invoice_id),
        document="Invoice",
        ids={"invoice_id": invoice_id},
    )


@shared_task
def send_unsent_invoices() -> int:
    """Queue the email of each paid invoice not yet emailed; return the count.

    Catches what was missed when the broker was down at commit. Queues at
    most SWEEP_BATCH_SIZE per run, oldest first.
    """
    issued_before = timezone.now() - SWEEP_DELAY
    invoice_ids = list(
        Invoice.objects.filter(
            emailed_at__isnull=True,
            paid_at__isnull=False,
            issued_at__lt=issued_before,
            email_attempts__lt=SWEEP_MAX_ATTEMPTS,
        )
        .exclude(order__email="")
        .order_by("number")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for invoice_id in invoice_ids:
        send_invoice_email.delay(invoice_id)
    if invoice_ids:
        logger.info("Queued %s unsent invoice emails", len(invoice_ids))
    return len(invoice_ids)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_credit_note_email(self, credit_note_id: int) -> bool:
    """Email the credit note PDF to the customer once; safe to run twice.

    Retries like send_invoice_email: with backoff on network errors and
    "try later" (4xx) replies, never on a permanent rejection (5xx).
    """
    from accounting.credit_notes import email_credit_note

    return send_or_retry(
        self,
        lambda: email_credit_note(credit_note_id=credit_note_id),
        document="Credit note",
        ids={"credit_note_id": credit_note_id},
    )


@shared_task
def send_unsent_credit_notes() -> int:
    """Queue the email of each credit note not yet emailed; return the count.

    The sweep for credit notes, with the same delay, batch and attempt
    limits as send_unsent_invoices.
    """
    from accounting.models import CreditNote

    issued_before = timezone.now() - SWEEP_DELAY
    credit_note_ids = list(
        CreditNote.objects.filter(
            emailed_at__isnull=True,
            issued_at__lt=issued_before,
            email_attempts__lt=SWEEP_MAX_ATTEMPTS,
        )
        .order_by("number")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for credit_note_id in credit_note_ids:
        send_credit_note_email.delay(credit_note_id)
    if credit_note_ids:
        logger.info("Queued %s unsent credit note emails", len(credit_note_ids))
    return len(credit_note_ids)


# Stripe fees and payouts. Retry n (from 0) waits a random time of up to
# 60 * 2**n seconds (full jitter), so at most 60, 120, 240, 480 and 960
# seconds. After the last retry the sweeps below queue the work again.
STRIPE_MAX_RETRIES = 5
STRIPE_RETRY_BACKOFF = 60
STRIPE_RETRY_BACKOFF_MAX = 1800
# Payments and payouts younger than this are left to the task queued when
# they committed.
STRIPE_SWEEP_DELAY = timedelta(minutes=15)


@shared_task(bind=True, acks_late=True, max_retries=STRIPE_MAX_RETRIES)
def record_processor_fee(self, payment_id: int) -> str | None:
    """Store and post Stripe's fee on a succeeded payment; safe to run twice.

    Retries with exponential backoff while Stripe cannot be reached,
    limits the rate or fails on its side. After the last retry the fee
    stays unknown and record_missing_processor_fees queues it again.
    Returns the fee as a string, or None while it is unknown.
    """
    # Imported here because accounting.payment_processor imports this
    # module to queue record_payout_items.
    from accounting import payment_processor

    try:
        fee = payment_processor.record_processor_fee(payment_id=payment_id)
    except payment_processor.TRANSIENT_STRIPE_ERRORS as error:
        countdown = _stripe_retry_countdown(self, error, {"payment_id": payment_id})
        raise self.retry(exc=error, countdown=countdown) from error
    return None if fee is None else str(fee)


@shared_task(bind=True, acks_late=True, max_retries=STRIPE_MAX_RETRIES)
def record_payout_items(self, payout_id: int) -> int:
    """Store the balance transactions a Stripe payout settled; safe to rerun.

    Retries like record_processor_fee. Returns the number of items added.
    """
    from accounting import payment_processor

    try:
        return payment_processor.record_payout_items(payout_id=payout_id)
    except payment_processor.TRANSIENT_STRIPE_ERRORS as error:
        countdown = _stripe_retry_countdown(self, error, {"payout_id": payout_id})
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def record_missing_processor_fees() -> int:
    """Queue the fee task for succeeded payments whose fee is unknown.

    Catches what was missed when the broker was down at commit or Stripe
    stayed unreachable through every retry. Queues at most
    SWEEP_BATCH_SIZE per run, oldest first; returns the count.
    """
    from orders.models import Payment

    payment_ids = list(
        Payment.objects.filter(
            status=Payment.Status.SUCCEEDED,
            fee_amount__isnull=True,
            succeeded_at__lt=timezone.now() - STRIPE_SWEEP_DELAY,
        )
        .order_by("succeeded_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for payment_id in payment_ids:
        record_processor_fee.delay(payment_id)
    if payment_ids:
        logger.info("Queued %s Stripe fee lookups", len(payment_ids))
    return len(payment_ids)


@shared_task
def record_missing_payout_items() -> int:
    """Queue the items task for Stripe payouts recorded without items.

    Queues at most SWEEP_BATCH_SIZE per run, oldest first; returns the
    count.
    """
    from accounting.models import Payout

    payout_ids = list(
        Payout.objects.filter(
            items__isnull=True,
            created_at__lt=timezone.now() - STRIPE_SWEEP_DELAY,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for payout_id in payout_ids:
        record_payout_items.delay(payout_id)
    if payout_ids:
        logger.info("Queued %s Stripe payout item lookups", len(payout_ids))
    return len(payout_ids)


def _stripe_retry_countdown(task, error: Exception, ids: dict[str, int]) -> int:
    countdown = get_exponential_backoff_interval(
        factor=STRIPE_RETRY_BACKOFF,
        retries=task.request.retries,
        maximum=STRIPE_RETRY_BACKOFF_MAX,
        full_jitter=True,
    )
    logger.warning(
        "Stripe call failed, retry %s of %s in %s s: %s",
        task.request.retries + 1,
        STRIPE_MAX_RETRIES,
        countdown,
        error,
        extra=ids,
    )
    return countdown
