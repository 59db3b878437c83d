"""Attempt the webhook deliveries that are due, once, without Celery beat."""

from collections import Counter
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from shop.models import WebhookDelivery
from shop.webhook_delivery import SWEEP_BATCH_SIZE, due_delivery_ids
from shop.webhook_tasks import deliver_webhook


class Command(BaseCommand):
    help = (
        "Attempt every pending webhook delivery whose next attempt is due, "
        f"at most {SWEEP_BATCH_SIZE} per run, in this process. Celery beat "
        "does this every minute; run this command where beat does not run, "
        "such as `make demo`."
    )

    def handle(self, *args, **options) -> None:
        # No grace: without beat and a worker no task is waiting to send
        # these, and the claim in deliver() keeps a running worker from
        # sending one twice.
        delivery_ids = due_delivery_ids(grace=timedelta(0))
        if not delivery_ids:
            self.stdout.write("No webhook delivery is due.")
            return

        # str() because the status is an enum member or a plain string.
        statuses = Counter(str(deliver_webhook(pk)) for pk in delivery_ids)
        attempted = len(delivery_ids) - statuses["skipped"]
        status = WebhookDelivery.Status
        self.stdout.write(
            ngettext(
                "Attempted %(count)d due webhook delivery: ",
                "Attempted %(count)d due webhook deliveries: ",
                attempted,
            )
            % {"count": attempted}
            + f"{statuses[status.DELIVERED.value]} delivered, "
            f"{statuses[status.PENDING.value]} to retry later, "
            f"{statuses[status.FAILED.value]} failed."
        )
