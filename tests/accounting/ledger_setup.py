"""Helpers for ledger tests: paid sales as checkout leaves them, balances."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from localflavor.ca.ca_provinces import PROVINCE_CHOICES

from accounting.models import JournalEntry, JournalLine
from orders.models import Order, OrderTax
from orders.services import record_payment
from orders.stripe_gateway import to_minor_units
from orders.taxes import TaxableItem, calculate_taxes
from tests.factories.orders import OrderFactory, OrderLineFactory

PROVINCES = tuple(code for code, _ in PROVINCE_CHOICES)


def priced_order(*, province, lines, shipping_amount=Decimal("12.00")) -> Order:
    """Create an unpaid order with taxes computed as checkout computes them.

    `lines` is a list of (variant, quantity).
    """
    order = OrderFactory(ship_province=province, shipping_amount=shipping_amount)
    items = []
    for variant, quantity in lines:
        line = OrderLineFactory(order=order, variant=variant, quantity=quantity)
        items.append(TaxableItem(line.pk, line.subtotal_amount, line.tax_class))
    taxes = calculate_taxes(
        province=province,
        items=items,
        shipping_amount=shipping_amount,
        registrations=settings.SHOP_TAX_REGISTRATIONS,
    )
    OrderTax.objects.bulk_create(
        OrderTax(
            order=order,
            code=component.code,
            name=component.name,
            rate=component.rate,
            taxable_amount=component.taxable_amount,
            amount=component.amount,
            shipping_amount=component.shipping_amount,
        )
        for component in taxes.components
    )
    order.subtotal_amount = sum((item.amount for item in items), Decimal("0.00"))
    order.tax_amount = taxes.total
    order.total_amount = order.subtotal_amount + shipping_amount + taxes.total
    order.save()
    return order


def succeeded_intent(order: Order, *, intent_id: str = "") -> dict:
    cents = to_minor_units(order.total_amount)
    return {
        "id": intent_id or f"pi_order_{order.pk}",
        "status": "succeeded",
        "amount": cents,
        "amount_received": cents,
    }


def pay(order: Order) -> Order:
    """Pay an order through record_payment, as the Stripe webhook does."""
    with transaction.atomic():
        return record_payment(order_id=order.pk, payment_intent=succeeded_intent(order))


def entry_lines(entry: JournalEntry) -> list[tuple[str, Decimal, Decimal]]:
    """Return (account key, debit, credit) for each line of an entry."""
    return [
        (line.account.key, line.debit, line.credit)
        for line in entry.lines.select_related("account").order_by("pk")
    ]


def account_balances() -> dict[str, Decimal]:
    """Return debits minus credits per account key, over every line."""
    rows = JournalLine.objects.values("account__key").annotate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    balances: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        balances[row["account__key"]] += row["debit"] - row["credit"]
    return balances
