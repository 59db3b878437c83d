"""Celery tasks for shipments; thin adapters over the fulfillment services."""

from celery import shared_task

from . import documents_store, notifications

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
