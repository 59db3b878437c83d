"""Tracking updates for shipped parcels, read from Canada Post.

Only Canada Post labels can be tracked: a shop's own label carries a
number that no carrier tracks, so its shipments are skipped.
"""

import logging

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from orders.models import Order
from shipping.canadapost import CanadaPostClient, TrackingSummary

from .labels import CANADA_POST, canada_post_configured
from .models import Shipment, TrackingEvent

logger = logging.getLogger(__name__)

# Shipments checked by one run of the hourly sweep, least recently checked
# first, so a backlog is worked through over several runs.
TRACKING_BATCH_SIZE = 200


def shipments_to_track(*, limit: int = TRACKING_BATCH_SIZE) -> QuerySet[Shipment]:
    """Return shipped, undelivered Canada Post parcels, oldest check first."""
    return (
        Shipment.objects.filter(
            status=Shipment.Status.SHIPPED,
            delivered_at__isnull=True,
            carrier=CANADA_POST,
        )
        .exclude(tracking_number="")
        .order_by(F("tracking_checked_at").asc(nulls_first=True), "pk")[:limit]
    )


def refresh_tracking(*, shipment_id: int) -> list[TrackingEvent]:
    """Record a shipped parcel's new tracking events, and its delivery.

    Returns the events added; an event already recorded is not added again.
    A delivered parcel is marked DELIVERED at the carrier's time of
    delivery. Raises CanadaPostException when the carrier cannot be read.
    Calls Canada Post outside any transaction.
    """
    shipment = Shipment.objects.get(pk=shipment_id)
    if not _trackable(shipment):
        return []
    client = CanadaPostClient.from_settings()
    summary = client.tracking_summary(
        shipment.tracking_number, reference=shipment.number
    )

    with transaction.atomic():
        # The order first, then the shipment: the lock order of
        # fulfillment.services, which mark_delivered follows.
        Order.objects.select_for_update().get(pk=shipment.order_id)
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        added = _record_events(shipment, summary)
        shipment.tracking_checked_at = timezone.now()
        shipment.save(update_fields=["tracking_checked_at"])
        if summary.delivered and shipment.status == Shipment.Status.SHIPPED:
            _mark_delivered(shipment, _delivered_at(summary))
    return added


def _mark_delivered(shipment: Shipment, delivered_at) -> None:
    # TODO: call fulfillment.services.mark_delivered, which also moves the
    # order to DELIVERED, once it is in.
    shipment.status = Shipment.Status.DELIVERED
    shipment.delivered_at = delivered_at
    shipment.save(update_fields=["status", "delivered_at"])


def _trackable(shipment: Shipment) -> bool:
    return (
        shipment.status == Shipment.Status.SHIPPED
        and shipment.carrier == CANADA_POST
        and bool(shipment.tracking_number)
        and canada_post_configured()
    )


def _record_events(shipment: Shipment, summary: TrackingSummary) -> list[TrackingEvent]:
    added = []
    for event in summary.events:
        record, created = TrackingEvent.objects.get_or_create(
            shipment=shipment,
            occurred_at=event.time,
            code=event.event_type[:20],
            defaults={
                "description": event.description[:255],
                "location": event.location[:100],
            },
        )
        if created:
            added.append(record)
    if added:
        logger.info(
            "Tracking events recorded",
            extra={"shipment_id": shipment.pk, "count": len(added)},
        )
    return added


def _delivered_at(summary: TrackingSummary):
    delivery_events = [e for e in summary.events if e.event_type == "DELIVERED"]
    if delivery_events:
        return max(event.time for event in delivery_events)
    return max((event.time for event in summary.events), default=timezone.now())
