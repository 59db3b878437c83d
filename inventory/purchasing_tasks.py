"""Celery task that emails purchase orders; a thin adapter over the PDF module.

Celery's autodiscovery imports only each app's `tasks` module, so workers
find this task through the import in inventory/tasks.py.
"""

import logging

from celery import shared_task

from shop.email_retries import MAX_RETRIES, send_or_retry

from .purchase_order_pdf import email_purchase_order

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_purchase_order_email(self, purchase_order_id: int) -> bool:
    """Email the purchase order PDF to its supplier once; safe to run twice.

    Retries with exponential backoff on network errors and "try later"
    (4xx) SMTP replies; a permanent rejection (5xx) stays in the email log.
    """
    return send_or_retry(
        self,
        lambda: email_purchase_order(purchase_order_id=purchase_order_id),
        document="Purchase order",
        ids={"purchase_order_id": purchase_order_id},
    )
