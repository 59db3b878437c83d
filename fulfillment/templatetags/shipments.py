"""Template filters for showing shipments to customers."""

from django import template

from fulfillment import selectors
from fulfillment.models import Shipment

register = template.Library()


@register.filter
def tracking_url(shipment: Shipment) -> str:
    """Return the carrier's tracking page of `shipment`, or ""."""
    return selectors.tracking_url(shipment)
