"""Invoice documents: the PDF marked paid and the email that carries it."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

from accounting.models import Invoice
from accounting.seller import seller_details
from orders.models import Order, Payment
from shop.money import format_money, format_rate


@dataclass(frozen=True)
class InvoiceEmail:
    subject: str
    text_body: str
    html_body: str


def invoice_filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number}.pdf"


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """Render the invoice as a PDF from templates/accounting/invoice.html.

    The same invoice renders to the same bytes, so a PDF rendered twice (a
    retried task, an admin download) is the same document.
    """
    # Imported here because importing weasyprint is slow (about 0.5 s by
    # python -X importtime on a development machine), a cost that only the
    # processes that render documents should pay.
    from weasyprint import HTML

    html = render_to_string("accounting/invoice.html", invoice_context(invoice))
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    # A fixed identifier and no creation date keep the output stable.
    return document.write_pdf(pdf_identifier=f"invoice-{invoice.number}".encode())


def render_invoice_email(invoice: Invoice) -> InvoiceEmail:
    """Render the subject and the text and HTML bodies of the invoice email."""
    context = invoice_context(invoice)
    subject = (
        f"{settings.SHOP_NAME}: invoice {invoice.number} "
        f"for order {invoice.order.number}"
    )
    return InvoiceEmail(
        subject=subject,
        text_body=render_to_string("emails/invoice.txt", context),
        html_body=render_to_string("emails/invoice.html", context),
    )


def invoice_context(invoice: Invoice) -> dict:
    """Build the template context shared by the PDF and the email."""
    order = invoice.order
    shop_zone = ZoneInfo(settings.SHOP_TIME_ZONE)
    return {
        "shop": seller_details(order),
        "invoice": invoice,
        "order": order,
        "issued_on": invoice.issued_at.astimezone(shop_zone).date(),
        "paid_on": invoice.paid_at.astimezone(shop_zone).date()
        if invoice.paid_at
        else None,
        "payment": card_payment(order),
        "lines": [line_row(line) for line in order.lines.all()],
        "taxes": [
            {
                "label": f"{tax.name} {format_rate(tax.rate)}",
                "amount": format_money(tax.amount),
            }
            for tax in order.taxes.all()
        ],
        "totals": {
            "subtotal": format_money(invoice.subtotal_amount),
            "shipping": format_money(invoice.shipping_amount),
            "tax": format_money(invoice.tax_amount),
            "total": format_money(invoice.total_amount),
        },
    }


def line_row(line) -> dict:
    return {
        "sku": line.sku,
        "name": line.name,
        "options": line.options,
        "quantity": line.quantity,
        "unit_price": format_money(line.unit_price),
        "amount": format_money(line.subtotal_amount),
    }


def card_payment(order: Order) -> Payment | None:
    """Return the order's succeeded card payment, if it was paid by card."""
    return (
        order.payments.filter(status=Payment.Status.SUCCEEDED)
        .order_by("-succeeded_at", "-pk")
        .first()
    )
