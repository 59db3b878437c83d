"""Celery task that emails purchase orders; a thin adapter over the PDF module.

Celery's autodiscovery imports only each app's `tasks` module, so workers
find this task through the import in inventory/tasks.py.
"""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from accounting.tasks import is_permanent_smtp_error

from .purchase_order_pdf import email_purchase_order

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Retry n (from 0) waits a random time of up to 30 * 2**n seconds.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 900


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_purchase_order_email(self, purchase_order_id: int) -> bool:
    """Email the purchase order PDF to its supplier once; safe to run twice.

    Retries with exponential backoff on network errors and "try later"
    (4xx) SMTP replies; a permanent rejection (5xx) stays in the email log.
    """
    try:
        return email_purchase_order(purchase_order_id=purchase_order_id)
    except OSError as error:  # smtplib.SMTPException is an OSError too.
        if is_permanent_smtp_error(error):
            logger.error(
                "Purchase order email rejected by the mail server: %s",
                error,
                extra={"purchase_order_id": purchase_order_id},
            )
            return False
        countdown = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF,
            retries=self.request.retries,
            maximum=RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
        logger.warning(
            "Purchase order email failed, retry %s of %s in %s s: %s",
            self.request.retries + 1,
            MAX_RETRIES,
            countdown,
            error,
            extra={"purchase_order_id": purchase_order_id},
        )
        raise self.retry(exc=error, countdown=countdown) from error
