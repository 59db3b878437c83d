"""Reads of shipments shared by the admin, the status page and emails."""

from urllib.parse import quote

from django.db.models import Count, QuerySet, Sum

from orders.models import Order

from .models import Shipment

CANADA_POST = "canadapost"
CANADA_POST_TRACKING_URL = (
    "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={pin}"
)

# Statuses of the shipments staff still have to pack and hand over. A
# labelled parcel may still wait to be packed, and is always still to ship.
QUEUE_STATUSES = (
    Shipment.Status.READY,
    Shipment.Status.PACKED,
    Shipment.Status.LABELLED,
)


def tracking_url(shipment: Shipment) -> str:
    """Return the carrier's public tracking page of a shipment, or "".

    Only Canada Post has a known page; another carrier gets "".
    """
    if shipment.carrier != CANADA_POST or not shipment.tracking_number:
        return ""
    return CANADA_POST_TRACKING_URL.format(pin=quote(shipment.tracking_number))


def list_order_shipments(order: Order) -> list[Shipment]:
    """Return an order's shipments, oldest first, with their lines loaded."""
    shipments = Shipment.objects.filter(order=order).prefetch_related(
        "lines__order_line"
    )
    return list(shipments.order_by("created_at", "pk"))


def shipment_queue() -> QuerySet[Shipment]:
    """Return every shipment with its order and the units it carries."""
    return Shipment.objects.select_related("order").annotate(
        line_count=Count("lines"), unit_count=Sum("lines__quantity")
    )
