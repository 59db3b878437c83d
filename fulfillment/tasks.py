"""Celery tasks for shipments; thin adapters over the fulfillment services."""

from celery import shared_task

from shipping.canadapost import CanadaPostUnavailable
from shop.queueing import send_task

from . import documents_store, labels, notifications, sweeps, tracking
from .labels import LabelUnavailable

MAX_RETRIES = 5
RETRY_BACKOFF_MAX = 900


@shared_task(acks_late=True)
def render_packing_slip(shipment_id: int) -> str:
    """Render a shipment's packing slip and store it on the shipment.

    Safe to run twice: the same contents give the same PDF bytes, which
    replace the stored file. Returns the stored file's name.
    """
    return documents_store.store_packing_slip(shipment_id=shipment_id)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=MAX_RETRIES,
    retry_backoff=30,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
)
def send_tracking_email(shipment_id: int) -> bool:
    """Email the customer a shipped parcel's tracking number and link, once.

    Safe to run twice: a shipment's email is sent once. Retries with
    backoff on network and SMTP errors (OSError).
    """
    return notifications.email_tracking(shipment_id=shipment_id)


# Labels and tracking -------------------------------------------------------

LABEL_MAX_RETRIES = 4
TRACKING_MAX_RETRIES = 3


@shared_task(
    acks_late=True,
    autoretry_for=(LabelUnavailable,),
    max_retries=LABEL_MAX_RETRIES,
    retry_backoff=60,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
)
def buy_label(shipment_id: int) -> bool:
    """Buy one shipment's label; safe to run twice, the second buys nothing.

    Retries with backoff while Canada Post cannot be reached and nothing
    was bought. Any other failure stays on shipment.last_error.
    """
    return labels.buy_label(shipment_id=shipment_id) is not None


@shared_task(
    acks_late=True,
    autoretry_for=(CanadaPostUnavailable,),
    max_retries=TRACKING_MAX_RETRIES,
    retry_backoff=300,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
)
def refresh_tracking(shipment_id: int) -> int:
    """Record a shipped parcel's new tracking events; returns how many."""
    return len(tracking.refresh_tracking(shipment_id=shipment_id))


@shared_task(acks_late=True)
def refresh_tracking_all() -> int:
    """Queue a tracking refresh for each shipped, undelivered parcel.

    Runs hourly from beat; takes at most tracking.TRACKING_BATCH_SIZE
    shipments, least recently checked first. Returns how many it queued.
    """
    shipment_ids = list(tracking.shipments_to_track().values_list("pk", flat=True))
    for shipment_id in shipment_ids:
        send_task(refresh_tracking, shipment_id)
    return len(shipment_ids)


# Sweeps ---------------------------------------------------------------------


@shared_task(acks_late=True)
def queue_owed_shipment_work() -> dict[str, int]:
    """Queue tracking emails and packing slips that were owed but not queued.

    Runs every five minutes from beat and takes at most
    sweeps.SWEEP_BATCH_SIZE shipments of each kind. Both tasks are safe to
    run twice, so a shipment whose first task is merely late is harmless.
    Returns how many of each were sent to the broker.
    """
    emails = sweeps.shipments_owed_tracking_email()
    slips = sweeps.shipments_owed_packing_slip()
    return {
        "tracking_emails": sum(send_task(send_tracking_email, pk) for pk in emails),
        "packing_slips": sum(send_task(render_packing_slip, pk) for pk in slips),
    }
