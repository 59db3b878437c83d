"""Celery tasks that email invoices; thin adapters over accounting.services."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from accounting import services
from accounting.models import Invoice

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Retry n (from 0) waits a random time of up to 30 * 2**n seconds (full
# jitter), so at most 30, 60, 120, 240 and 480 seconds.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 900

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
    try:
        return services.email_invoice(invoice_id=invoice_id)
    except OSError as error:  # smtplib.SMTPException is an OSError too.
        if is_permanent_smtp_error(error):
            logger.error(
                "Invoice email rejected by the mail server: %s",
                error,
                extra={"invoice_id": invoice_id},
            )
            return False
        countdown = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF,
            retries=self.request.retries,
            maximum=RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
        logger.warning(
            "Invoice email failed, retry %s of %s in %s s: %s",
            self.request.retries + 1,
            MAX_RETRIES,
            countdown,
            error,
            extra={"invoice_id": invoice_id},
        )
        raise self.retry(exc=error, countdown=countdown) from error


def is_permanent_smtp_error(error: OSError) -> bool:
    """Tell whether the SMTP server rejected the message for good (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


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
        .order_by("number")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for invoice_id in invoice_ids:
        send_invoice_email.delay(invoice_id)
    if invoice_ids:
        logger.info("Queued %s unsent invoice emails", len(invoice_ids))
    return len(invoice_ids)
