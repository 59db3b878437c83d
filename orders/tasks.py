"""Celery tasks for orders; thin adapters over the orders app's services."""

from celery import shared_task

from . import oversold

MAX_RETRIES = 5
RETRY_BACKOFF_MAX = 900


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=MAX_RETRIES,
    retry_backoff=30,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
)
def send_oversold_email(order_id: int) -> bool:
    """Email the customer of `order_id` that part of their order sold out.

    Safe to run twice: the notice is sent once per order. Retries with
    backoff on network and SMTP errors (OSError).
    """
    return oversold.email_oversold_notice(order_id=order_id)
