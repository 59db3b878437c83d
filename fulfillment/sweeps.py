"""Sweeps for shipment work that was owed but never queued.

A service queues its follow-up task with transaction.on_commit. When the
broker is down at that moment the task is lost, but the row still records
what is owed: a shipped parcel with no tracking_emailed_at, an open
shipment with no packing_slip_pdf. The periodic task
fulfillment.tasks.queue_owed_shipment_work reads these selectors and
queues the work again.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from .models import Shipment
from .notifications import SENT_STATUSES

# fulfillment.services.OPEN_STATUSES, repeated because services imports
# the tasks that import this module.
OPEN_STATUSES = (
    Shipment.Status.READY,
    Shipment.Status.PACKED,
    Shipment.Status.LABELLED,
)

# Shipments taken by one sweep per kind of work, oldest first, so a backlog
# is worked through over several runs.
SWEEP_BATCH_SIZE = 200

# Work younger than this is left alone: its on_commit task is most likely
# still in the queue or running.
SWEEP_GRACE = timedelta(minutes=1)


def shipments_owed_tracking_email(
    *, now: datetime | None = None, limit: int = SWEEP_BATCH_SIZE
) -> list[int]:
    """Return ids of shipped parcels whose tracking email was never sent.

    Only parcels shipped more than SWEEP_GRACE before `now`, oldest first.
    """
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    shipments = Shipment.objects.filter(
        status__in=SENT_STATUSES,
        tracking_emailed_at__isnull=True,
        shipped_at__lt=cutoff,
    ).order_by("shipped_at", "pk")
    return list(shipments.values_list("pk", flat=True)[:limit])


# TODO: a slip that fails to render every time is queued again on every run;
# nothing counts the failures or stops retrying.
def shipments_owed_packing_slip(
    *, now: datetime | None = None, limit: int = SWEEP_BATCH_SIZE
) -> list[int]:
    """Return ids of open shipments with no stored packing slip.

    Only shipments created more than SWEEP_GRACE before `now`, oldest
    first.
    """
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    shipments = Shipment.objects.filter(
        status__in=OPEN_STATUSES,
        packing_slip_pdf="",
        created_at__lt=cutoff,
    ).order_by("created_at", "pk")
    return list(shipments.values_list("pk", flat=True)[:limit])
