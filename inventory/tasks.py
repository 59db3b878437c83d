"""Celery tasks of the inventory app: the nightly stock reports."""

import logging
from datetime import date

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from inventory import reports

# Imported so that workers, which autodiscover only tasks modules, register it.
from inventory.purchasing_tasks import send_purchase_order_email  # noqa: F401

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Retry n (from 0) waits a random time of up to 60 * 2**n seconds.
RETRY_BACKOFF = 60
RETRY_BACKOFF_MAX = 1800


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_backorder_report(self, business_date: str | None = None) -> str:
    """Email the backorder report to staff once a day; return the outcome.

    `business_date` is YYYY-MM-DD, by default the shop's today. Retries with
    backoff when the mail server cannot be reached. A retry after a failed
    send sends the report, and a run after a sent report does nothing.
    """
    return _run(self, reports.send_backorder_report, business_date)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_reorder_report(self, business_date: str | None = None) -> str:
    """Email the reorder report to staff once a day; return the outcome.

    Takes and retries like send_backorder_report.
    """
    return _run(self, reports.send_reorder_report, business_date)


def _run(task, send, business_date: str | None) -> str:
    day = date.fromisoformat(business_date) if business_date else None
    try:
        return send(business_date=day).status
    except OSError as error:  # smtplib.SMTPException is an OSError too.
        countdown = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF,
            retries=task.request.retries,
            maximum=RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
        logger.warning(
            "Report email failed, retry %s of %s in %s s: %s",
            task.request.retries + 1,
            MAX_RETRIES,
            countdown,
            error,
            extra={"task": task.name, "business_date": business_date},
        )
        raise task.retry(exc=error, countdown=countdown) from error
