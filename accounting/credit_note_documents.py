"""Credit note documents: the PDF and the email that carries it."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

from accounting.invoices import InvoiceEmail, format_money, format_rate
from accounting.models import CreditNote
from accounting.seller import seller_details


def credit_note_filename(credit_note: CreditNote) -> str:
    return f"credit-note-{credit_note.number}.pdf"


def render_credit_note_pdf(credit_note: CreditNote) -> bytes:
    """Render the credit note as a PDF from accounting/credit_note.html.

    The same credit note renders to the same bytes, as invoices do.
    """
    # Imported here because importing weasyprint is slow; see invoices.py.
    from weasyprint import HTML

    html = render_to_string(
        "accounting/credit_note.html", credit_note_context(credit_note)
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    identifier = f"credit-note-{credit_note.number}".encode()
    return document.write_pdf(pdf_identifier=identifier)


def render_credit_note_email(credit_note: CreditNote) -> InvoiceEmail:
    """Render the subject and the text and HTML bodies of the email."""
    context = credit_note_context(credit_note)
    subject = (
        f"{settings.SHOP_NAME}: credit note {credit_note.number} "
        f"for order {credit_note.order.number}"
    )
    return InvoiceEmail(
        subject=subject,
        text_body=render_to_string("emails/credit_note.txt", context),
        html_body=render_to_string("emails/credit_note.html", context),
    )


def credit_note_context(credit_note: CreditNote) -> dict:
    """Build the template context shared by the PDF and the email."""
    shop_zone = ZoneInfo(settings.SHOP_TIME_ZONE)
    return {
        "shop": seller_details(credit_note.order),
        "credit_note": credit_note,
        "invoice": credit_note.invoice,
        "order": credit_note.order,
        "issued_on": credit_note.issued_at.astimezone(shop_zone).date(),
        "lines": [
            {
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "options": line.order_line.options,
                "quantity": line.quantity or "",
                "amount": format_money(line.amount),
            }
            for line in credit_note.lines.select_related("order_line")
        ],
        "taxes": [
            {
                "label": f"{tax.name} {format_rate(tax.rate)}",
                "amount": format_money(tax.amount),
            }
            for tax in credit_note.taxes.all()
        ],
        "totals": {
            "subtotal": format_money(credit_note.subtotal_amount),
            "shipping": format_money(credit_note.shipping_amount),
            "tax": format_money(credit_note.tax_amount),
            "total": format_money(credit_note.total_amount),
        },
    }
