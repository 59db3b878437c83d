"""The seller's details printed on invoices and credit notes."""

from django.conf import settings

from orders.models import Order

PROVINCIAL_TAX_CODES = {"PST", "RST", "QST"}


def seller_details(order: Order) -> dict:
    """Return the shop's name, address and the tax numbers this order needs.

    The GST/HST number is always printed. A provincial number (BC or SK
    PST, MB RST, QC QST) is printed when the order charged that tax, since
    the province requires it on the invoice.
    """
    numbers = settings.SHOP_TAX_REGISTRATION_NUMBERS
    provincial = [
        {"label": f"{tax.code} ({order.ship_province})", "number": number}
        for tax in order.taxes.all()
        if tax.code in PROVINCIAL_TAX_CODES
        and (number := numbers.get(order.ship_province))
    ]
    return {
        "name": settings.SHOP_NAME,
        "address": settings.SHOP_ADDRESS,
        "email": settings.SHOP_EMAIL,
        "business_number": settings.SHOP_BUSINESS_NUMBER,
        "provincial_registrations": provincial,
    }
