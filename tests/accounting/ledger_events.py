"""Business events for the ledger property test, run through real services.

Each event is a frozen dataclass whose `apply(world)` runs one event the
way the shop records it. Fields that point at an earlier document (an
order, a payment, a receipt, a bill) are indexes taken modulo the number
of such documents, so any drawn sequence is valid. An event that finds
nothing to act on (no paid order yet, nothing left to refund) does
nothing. Stripe's side arrives as dicts in Stripe's JSON shape; only the
refund request goes to `fake_create_refund` instead of the network.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.utils import timezone
from hypothesis import currently_in_test_context, event

from accounting import payment_processor, stripe_sync
from accounting.bills import (
    ExpenseLine,
    GoodsLine,
    enter_supplier_bill,
    pay_supplier_bill,
)
from accounting.credit_notes import order_balance
from accounting.models import SupplierBill, SupplierBillLine
from inventory import allocation
from inventory import services as inventory_services
from inventory.models import Stock, StockMovement
from orders import refunds
from orders.models import Order, Payment
from orders.stripe_gateway import from_minor_units, to_minor_units
from shop.money import ZERO, round_money
from tests.accounting.ledger_setup import account_balances, pay, priced_order

CENT = Decimal("0.01")


@dataclass
class World:
    """The shop every event acts on: a few variants, a clerk, a supplier.

    `numbers` hands out the serial part of Stripe ids and supplier invoice
    numbers. It outlives the rollback of each example, so no id repeats.
    """

    variants: list
    clerk: Any
    supplier: Any
    numbers: Iterator[int] = field(default_factory=itertools.count)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.numbers)}"


def note(message: str) -> None:
    """Count `message` in Hypothesis's statistics (pytest
    --hypothesis-show-statistics); outside a Hypothesis test, do nothing."""
    if currently_in_test_context():
        event(message)


def pick(queryset, index: int):
    """Return the `index`-th row (modulo the count) in id order, or None."""
    rows = list(queryset.order_by("pk"))
    return rows[index % len(rows)] if rows else None


def paid_order(index: int) -> Order | None:
    """Return the `index`-th paid order (modulo the count), or None."""
    orders = [order for order in Order.objects.order_by("pk") if order.is_paid]
    return orders[index % len(orders)] if orders else None


def fake_create_refund(
    *, payment_intent_id: str, amount: Decimal, idempotency_key: str, metadata
) -> dict[str, Any]:
    """Return the refund Stripe creates for a request it accepts.

    Like Stripe, raises stripe.InvalidRequestError for less than one cent.
    """
    cents = to_minor_units(amount)
    if cents < 1:
        raise stripe.InvalidRequestError(
            f"Invalid refund amount: {cents} cents; it must be 1 or more.", "amount"
        )
    return {
        "id": f"re_{idempotency_key}",
        "object": "refund",
        "amount": cents,
        "currency": "cad",
        "payment_intent": payment_intent_id,
        "metadata": dict(metadata),
        "status": "succeeded",
    }


@dataclass(frozen=True)
class Sale:
    province: str
    lines: tuple[tuple[int, int], ...]
    shipping_amount: Decimal

    def apply(self, world: World) -> None:
        order = priced_order(
            province=self.province,
            lines=[(world.variants[index], quantity) for index, quantity in self.lines],
            shipping_amount=self.shipping_amount,
        )
        pay(order)


@dataclass(frozen=True)
class Shipment:
    """A parcel of a paid order's allocated units.

    `units` are (line index, units) pairs capped at what the line has
    allocated; an empty tuple ships everything allocated.
    """

    order: int
    units: tuple[tuple[int, int], ...]

    def apply(self, world: World) -> None:
        orders = Order.objects.filter(
            status__in=allocation.SHIPPABLE_STATUSES, lines__quantity_allocated__gt=0
        ).distinct()
        order = pick(orders, self.order)
        if order is None:
            note("Shipment: no allocated units")
            return
        lines = list(order.lines.order_by("pk"))
        quantities: dict[int, int] = {}
        for index, units in self.units:
            line = lines[index % len(lines)]
            left = line.quantity_allocated - quantities.get(line.pk, 0)
            quantities[line.pk] = quantities.get(line.pk, 0) + min(units, left)
        if self.units and not any(quantities.values()):
            note("Shipment: nothing allocated on the lines drawn")
            return
        allocation.ship_lines(
            order=order, quantities=quantities or None, user=world.clerk
        )


@dataclass(frozen=True)
class ProcessorFee:
    """Stripe's fee on a paid order, read from its charge's balance
    transaction."""

    payment: int
    fee_cents: int

    def apply(self, world: World) -> None:
        payment = pick(
            Payment.objects.filter(
                status=Payment.Status.SUCCEEDED, fee_amount__isnull=True
            ),
            self.payment,
        )
        if payment is None:
            note("ProcessorFee: no payment without a fee")
            return
        charge_id = world.new_id("ch")
        cents = to_minor_units(payment.amount)
        transaction = stripe_sync.parse_balance_transaction(
            {
                "id": world.new_id("txn"),
                "object": "balance_transaction",
                "type": "charge",
                "amount": cents,
                "fee": self.fee_cents,
                "net": cents - self.fee_cents,
                "currency": "cad",
                "source": {
                    "id": charge_id,
                    "object": "charge",
                    "payment_intent": payment.stripe_payment_intent_id,
                },
            }
        )
        payment_processor.store_processor_fee(
            payment_id=payment.pk,
            charge_id=transaction.charge_id,
            fee_amount=transaction.fee_amount,
        )


@dataclass(frozen=True)
class LineRefund:
    """A refund of units of some lines, the shipping, or both.

    `units` are (line index, units) pairs; the units are capped at what is
    left to refund on the line.
    """

    order: int
    units: tuple[tuple[int, int], ...]
    shipping: bool
    restock: bool

    def apply(self, world: World) -> None:
        order = paid_order(self.order)
        if order is None:
            note("LineRefund: no paid order")
            return
        balance = order_balance(order)
        lines = list(order.lines.order_by("pk"))
        requested: dict[int, int] = {}
        for index, units in self.units:
            line = lines[index % len(lines)]
            left = balance.line(line.pk).remaining_quantity - requested.get(line.pk, 0)
            requested[line.pk] = requested.get(line.pk, 0) + min(units, left)
        shipping = self.shipping and balance.remaining_shipping_net > ZERO
        if not any(requested.values()) and not shipping:
            note("LineRefund: nothing left to refund")
            return
        note(f"LineRefund: restock={self.restock and any(requested.values())}")
        refunds.refund_order(
            order=order,
            lines=[(line, requested.get(line.pk, 0)) for line in lines],
            shipping=shipping,
            restock=self.restock,
            reason="Returned by the customer",
            user=world.clerk,
        )


@dataclass(frozen=True)
class LumpSumRefund:
    """A refund of `cents`, tax included, capped at what is left on the
    order; None refunds all that is left."""

    order: int
    cents: int | None
    shipping: bool

    def apply(self, world: World) -> None:
        order = paid_order(self.order)
        if order is None:
            note("LumpSumRefund: no paid order")
            return
        left = order_balance(order).remaining_total
        if left <= ZERO:
            note("LumpSumRefund: nothing left to refund")
            return
        amount = left if self.cents is None else min(from_minor_units(self.cents), left)
        refunds.refund_order(
            order=order,
            amount=amount,
            shipping=self.shipping,
            reason="Goodwill",
            user=world.clerk,
        )


@dataclass(frozen=True)
class Adjustment:
    variant: int
    quantity_change: int

    def apply(self, world: World) -> None:
        variant = world.variants[self.variant]
        # Units allocated to paid orders cannot be adjusted away.
        available = Stock.objects.get(variant=variant).quantity_available
        change = max(self.quantity_change, -available)
        if change:
            inventory_services.adjust_stock(
                variant=variant,
                quantity_change=change,
                reason="Stocktake",
                user=world.clerk,
            )


@dataclass(frozen=True)
class Receipt:
    variant: int
    quantity: int
    unit_cost: Decimal

    def apply(self, world: World) -> None:
        inventory_services.receive_stock(
            variant=world.variants[self.variant],
            quantity=self.quantity,
            unit_cost=self.unit_cost,
            reference="PO-1",
        )


@dataclass(frozen=True)
class Return:
    variant: int
    quantity: int
    value_amount: Decimal

    def apply(self, world: World) -> None:
        inventory_services.return_to_stock(
            variant=world.variants[self.variant],
            quantity=self.quantity,
            value_amount=self.value_amount,
            reference="CN-1",
        )


@dataclass(frozen=True)
class ExpenseBill:
    """A bill for a service or supplies with GST/HST at `gst_hst_rate`."""

    account: str
    amount: Decimal
    gst_hst_rate: Decimal

    def apply(self, world: World) -> None:
        enter_supplier_bill(
            supplier=world.supplier,
            supplier_invoice_number=world.new_id("INV"),
            bill_date=timezone.localdate(),
            due_date=None,
            lines=[ExpenseLine(account=self.account, amount=self.amount)],
            gst_hst_amount=round_money(self.amount * self.gst_hst_rate),
            user=world.clerk,
        )


@dataclass(frozen=True)
class GoodsBill:
    """A bill for a receipt not billed yet, at its value plus
    `price_change_cents` (never below one cent), with freight if above 0.
    """

    receipt: int
    price_change_cents: int
    freight_cents: int
    gst_hst_rate: Decimal

    def apply(self, world: World) -> None:
        billed = SupplierBillLine.objects.filter(receipt__isnull=False)
        receipt = pick(
            StockMovement.objects.filter(kind=StockMovement.Kind.RECEIPT).exclude(
                pk__in=billed.values("receipt")
            ),
            self.receipt,
        )
        if receipt is None:
            note("GoodsBill: no receipt to bill")
            return
        on_hand = Stock.objects.get(pk=receipt.stock_id).quantity_on_hand
        note(f"GoodsBill: units gone since receipt={on_hand < receipt.quantity}")
        amount = receipt.value_amount + from_minor_units(self.price_change_cents)
        lines: list[ExpenseLine | GoodsLine] = [
            GoodsLine(receipt=receipt, amount=max(amount, CENT))
        ]
        if self.freight_cents:
            freight = from_minor_units(self.freight_cents)
            lines.append(ExpenseLine(account="shipping_expense", amount=freight))
        subtotal = sum((line.amount for line in lines), ZERO)
        enter_supplier_bill(
            supplier=world.supplier,
            supplier_invoice_number=world.new_id("INV"),
            bill_date=timezone.localdate(),
            due_date=None,
            lines=lines,
            gst_hst_amount=round_money(subtotal * self.gst_hst_rate),
            user=world.clerk,
        )


@dataclass(frozen=True)
class BillPayment:
    """A payment of `percent` of a bill's balance due (100 pays it off)."""

    bill: int
    percent: int

    def apply(self, world: World) -> None:
        bills = [
            bill for bill in SupplierBill.objects.order_by("pk") if bill.balance_due
        ]
        if not bills:
            note("BillPayment: no bill due")
            return
        bill = bills[self.bill % len(bills)]
        amount = round_money(bill.balance_due * self.percent / 100)
        pay_supplier_bill(
            bill=bill,
            amount=min(max(amount, CENT), bill.balance_due),
            paid_on=timezone.localdate(),
            reference=world.new_id("CHQ"),
            user=world.clerk,
        )


@dataclass(frozen=True)
class Payout:
    """A Stripe payout of `percent` of the Stripe clearing balance.

    A negative balance pays out a negative amount, as Stripe does when it
    debits the bank to cover refunds.
    """

    percent: int

    def apply(self, world: World) -> None:
        balance = account_balances()["stripe_clearing"]
        cents = to_minor_units(round_money(balance * self.percent / 100))
        if not cents:
            note("Payout: nothing to pay out")
            return
        note(f"Payout: negative={cents < 0}")
        arrival = datetime.combine(timezone.localdate(), datetime.min.time(), UTC)
        payment_processor.record_paid_payout(
            {
                "id": world.new_id("po"),
                "object": "payout",
                "amount": cents,
                "arrival_date": int(arrival.timestamp()),
                "currency": "cad",
                "status": "paid",
            }
        )
