"""Purchase order documents: the PDF for the supplier and the email with it."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from shop.emails import send_logged_email
from shop.models import EmailLog
from shop.money import ZERO, format_money, round_money

from .models import PurchaseOrder

logger = logging.getLogger(__name__)

EMAIL_KIND = "purchase_order"


@dataclass(frozen=True)
class PurchaseOrderEmail:
    subject: str
    text_body: str


def purchase_order_filename(purchase_order: PurchaseOrder) -> str:
    return f"purchase-order-{purchase_order.number}.pdf"


def email_reference(purchase_order: PurchaseOrder) -> str:
    """Return the EmailLog reference of the order's email ("PO 12")."""
    return f"PO {purchase_order.number}"


def render_purchase_order_pdf(purchase_order: PurchaseOrder) -> bytes:
    """Render the purchase order as a PDF from inventory/purchase_order.html.

    The same order renders to the same bytes: the PDF has a fixed
    identifier and no creation date.
    """
    # Imported here because importing weasyprint is slow, a cost that only
    # the processes that render documents should pay.
    from weasyprint import HTML

    html = render_to_string(
        "inventory/purchase_order.html", purchase_order_context(purchase_order)
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    identifier = f"purchase-order-{purchase_order.number}".encode()
    return document.write_pdf(pdf_identifier=identifier)


def render_purchase_order_email(purchase_order: PurchaseOrder) -> PurchaseOrderEmail:
    """Render the subject and text body of the email to the supplier."""
    context = purchase_order_context(purchase_order)
    return PurchaseOrderEmail(
        subject=f"{settings.SHOP_NAME}: purchase order {purchase_order.number}",
        text_body=render_to_string("inventory/purchase_order_email.txt", context),
    )


def purchase_order_context(purchase_order: PurchaseOrder) -> dict:
    """Build the template context shared by the PDF and the email."""
    order_lines = list(purchase_order.lines.select_related("variant__product"))
    amounts = [
        round_money(line.unit_cost * line.quantity_ordered) for line in order_lines
    ]
    lines = [
        {
            "sku": line.variant.sku,
            "name": str(line.variant),
            "quantity": line.quantity_ordered,
            "unit_cost": format_money(line.unit_cost),
            "amount": format_money(amount),
        }
        for line, amount in zip(order_lines, amounts, strict=True)
    ]
    total = sum(amounts, ZERO)
    return {
        "shop": {
            "name": settings.SHOP_NAME,
            "address": settings.SHOP_ADDRESS,
            "email": settings.SHOP_EMAIL,
            "business_number": settings.SHOP_BUSINESS_NUMBER,
        },
        "purchase_order": purchase_order,
        "supplier": purchase_order.supplier,
        "lines": lines,
        "total": format_money(total),
    }


def email_purchase_order(*, purchase_order_id: int) -> bool:
    """Email a sent purchase order to its supplier with the PDF attached.

    Returns False, sending nothing, when the order's email is already
    logged as sent, or the order was never sent or is cancelled since.
    Each attempt is logged as an EmailLog row; a failure is raised again
    so the task can retry.
    """
    purchase_order = PurchaseOrder.objects.select_related("supplier").get(
        pk=purchase_order_id
    )
    reference = email_reference(purchase_order)
    already_sent = EmailLog.objects.filter(
        kind=EMAIL_KIND, reference=reference, status=EmailLog.Status.SENT
    ).exists()
    cancelled = purchase_order.status == PurchaseOrder.Status.CANCELLED
    if already_sent or cancelled or purchase_order.sent_at is None:
        logger.info(
            "Purchase order email skipped: already sent or not to be sent",
            extra={"purchase_order_id": purchase_order_id},
        )
        return False

    email = render_purchase_order_email(purchase_order)
    pdf = render_purchase_order_pdf(purchase_order)
    send_logged_email(
        to=purchase_order.supplier.email,
        subject=email.subject,
        text_body=email.text_body,
        attachments=[(purchase_order_filename(purchase_order), pdf, "application/pdf")],
        kind=EMAIL_KIND,
        reference=reference,
    )
    return True
