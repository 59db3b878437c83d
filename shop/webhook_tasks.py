"""Celery tasks that send webhook deliveries, thin adapters.

Celery's autodiscovery imports only each app's `tasks` module, so workers
load this one through CELERY_IMPORTS in the settings.
"""

import logging
from datetime import datetime

from celery import shared_task

from .models import WebhookDelivery
from .queueing import BROKER_ERRORS, send_task
from .webhook_delivery import deliver, due_delivery_ids

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> str:
    """Attempt one webhook delivery and queue its retry when one is due.

    Safe to run twice: a delivery that is not pending, not due yet or
    claimed by another worker is left alone. Returns the delivery's status
    after the attempt, or "skipped".
    """
    delivery = deliver(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == WebhookDelivery.Status.PENDING and delivery.next_attempt_at:
        _queue_retry(delivery, delivery.next_attempt_at)
    return delivery.status


@shared_task(acks_late=True)
def queue_due_webhook_deliveries() -> int:
    """Queue the pending deliveries whose next attempt is overdue.

    Runs every minute from beat. It sends what a down broker missed at
    commit and retries whose task was lost, at most
    webhook_delivery.SWEEP_BATCH_SIZE per run. Returns how many it queued.
    """
    return sum(send_task(deliver_webhook, pk) for pk in due_delivery_ids())


def _queue_retry(delivery: WebhookDelivery, eta: datetime) -> None:
    # NOTE: a Redis broker hands an unacknowledged ETA task to another
    # worker once its visibility timeout (1 hour by default) passes, so a
    # long wait may run twice. The claim in deliver() makes the copy a
    # no-op.
    try:
        deliver_webhook.apply_async((delivery.pk,), eta=eta)
    except BROKER_ERRORS as error:
        logger.warning(
            "Retry of webhook delivery %s not queued, broker unreachable, so "
            "the sweep queues it later: %s",
            delivery.pk,
            error,
            extra={"delivery_id": delivery.pk, "endpoint_id": delivery.endpoint_id},
        )
