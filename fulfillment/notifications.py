"""The email telling a customer that a parcel is on its way."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from shop.emails import send_logged_email

from .models import Shipment
from .selectors import tracking_url

logger = logging.getLogger(__name__)

EMAIL_KIND = "shipment_tracking"

# A delivered parcel still gets its email when the tracking refresh ran
# before the task did.
SENT_STATUSES = {Shipment.Status.SHIPPED, Shipment.Status.DELIVERED}


def email_tracking(*, shipment_id: int) -> bool:
    """Email the customer a shipment's contents and tracking link, once.

    Returns False, sending nothing, when the shipment has not shipped or
    its email was sent before. Errors from the mail backend are raised
    for the task to retry, and tracking_emailed_at stays empty.
    """
    shipment = Shipment.objects.select_related("order").get(pk=shipment_id)
    if shipment.status not in SENT_STATUSES or shipment.tracking_emailed_at:
        logger.info("Tracking email not needed", extra={"shipment_id": shipment_id})
        return False

    order = shipment.order
    context = {
        "order": order,
        "shipment": shipment,
        "lines": list(shipment.lines.select_related("order_line")),
        "tracking_url": tracking_url(shipment),
        "status_url": settings.SHOP_BASE_URL + order.get_absolute_url(),
        "shop": {"name": settings.SHOP_NAME, "email": settings.SHOP_EMAIL},
    }
    subject = render_to_string("emails/shipment_tracking_subject.txt", context)
    send_logged_email(
        to=order.email,
        subject=subject.strip(),
        text_body=render_to_string("emails/shipment_tracking.txt", context),
        kind=EMAIL_KIND,
        reference=shipment.number,
    )
    Shipment.objects.filter(pk=shipment.pk).update(tracking_emailed_at=timezone.now())
    return True
