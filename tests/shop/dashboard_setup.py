"""Rows for dashboard tests: paid orders, credit notes, emails, carrier calls.

Moments are given in the shop's time zone, America/Halifax, which moves
from UTC-4 to UTC-3 at 02:00 on 9 March 2025.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounting.models import CreditNote, Invoice
from orders.models import Order
from shipping.models import CarrierCall
from shop.models import EmailLog
from tests.factories.orders import OrderFactory

HALIFAX = ZoneInfo("America/Halifax")


def halifax(*args: int) -> datetime:
    """Return the moment (year, month, day, hour, minute, ...) in Halifax."""
    return datetime(*args, tzinfo=HALIFAX)


def paid_order(
    paid_at: datetime,
    *,
    subtotal: str,
    shipping: str = "12.00",
    channel: str = Order.Channel.ONLINE,
) -> Order:
    """Create a paid order with HST at 15% on goods and shipping."""
    subtotal_amount, shipping_amount = Decimal(subtotal), Decimal(shipping)
    tax = ((subtotal_amount + shipping_amount) * Decimal("0.15")).quantize(
        Decimal("0.01")
    )
    in_store = channel == Order.Channel.IN_STORE
    status = Order.Status.COMPLETED if in_store else Order.Status.PAID
    return OrderFactory(
        channel=channel,
        status=status,
        paid_at=paid_at,
        subtotal_amount=subtotal_amount,
        shipping_amount=shipping_amount,
        tax_amount=tax,
        total_amount=subtotal_amount + shipping_amount + tax,
    )


def refund_in_full(order: Order, issued_at: datetime) -> CreditNote:
    """Issue an invoice for `order` and a credit note giving all of it back."""
    invoice = Invoice.objects.create(
        number=order.number,
        order=order,
        issued_at=order.paid_at,
        paid_at=order.paid_at,
        subtotal_amount=order.subtotal_amount,
        shipping_amount=order.shipping_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
    )
    return CreditNote.objects.create(
        number=order.number,
        invoice=invoice,
        order=order,
        issued_at=issued_at,
        subtotal_amount=order.subtotal_amount,
        shipping_amount=order.shipping_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
    )


def email_log(
    status: str, *, reference="1001", to="avery@example.com", kind="invoice"
) -> EmailLog:
    return EmailLog.objects.create(
        to=to, subject="Invoice", kind=kind, reference=reference, status=status
    )


def carrier_call(
    *, succeeded: bool, reference="100001-1", operation="create_shipment"
) -> CarrierCall:
    return CarrierCall.objects.create(
        operation=operation,
        method="POST",
        url="https://ct.soa-gw.canadapost.ca/rs/shipment",
        status_code=200 if succeeded else 503,
        succeeded=succeeded,
        reference=reference,
    )
