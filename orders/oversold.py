"""The email telling a customer that part of a paid order sold out."""

import logging

from django.conf import settings
from django.template.loader import render_to_string

from shop.emails import send_logged_email
from shop.models import EmailLog

from .models import Order

logger = logging.getLogger(__name__)

EMAIL_KIND = "oversold"


def email_oversold_notice(*, order_id: int) -> bool:
    """Email the customer which units of their order sold out, once.

    Returns False, sending nothing, when the order has no oversold units
    any more (staff already dealt with them) or the notice was sent before.
    Errors from the mail backend are raised for the task to retry.
    """
    order = Order.objects.get(pk=order_id)
    lines = [line for line in order.lines.all() if line.quantity_oversold]
    reference = str(order.number)
    already_sent = EmailLog.objects.filter(
        kind=EMAIL_KIND, reference=reference, status=EmailLog.Status.SENT
    ).exists()
    if not lines or already_sent:
        logger.info("Oversold email not needed", extra={"order_id": order_id})
        return False

    context = {
        "order": order,
        "lines": lines,
        "shop": {"name": settings.SHOP_NAME, "email": settings.SHOP_EMAIL},
    }
    send_logged_email(
        to=order.email,
        subject=f"Part of your order {order.number} sold out",
        text_body=render_to_string("emails/oversold.txt", context),
        kind=EMAIL_KIND,
        reference=reference,
    )
    return True
