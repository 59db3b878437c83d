"""Documents whose ledger posting is missing or disagrees with them.

Each document family has an event key (see accounting.ledger.post_entry)
and a few amounts its entry must carry to the cent. The report is empty
when every document of the period is posted as it should be.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from accounting.models import (
    Account,
    CreditNote,
    JournalEntry,
    JournalLine,
    Payout,
    SupplierBill,
    SupplierBillPayment,
)
from accounting.posting.accounts import TAX_ACCOUNT_KEYS
from inventory.models import StockMovement
from orders.models import Order, Payment, Refund
from shop.money import ZERO

from .periods import Period

TAX_KEYS = frozenset(TAX_ACCOUNT_KEYS.values())
# A check: what is compared, the document's amount, the entry's amount.
Check = tuple[str, Decimal, Decimal]


@dataclass(frozen=True)
class Discrepancy:
    """One document whose posting is missing or differs from it."""

    document: str
    event_key: str
    problem: str


def reconcile(*, period: Period) -> list[Discrepancy]:
    """List every document dated in the period that is not posted as its
    amounts require. A few queries per document family."""
    opens, closes = period.bounds()
    return [
        *_orders(Order.objects.filter(paid_at__gte=opens, paid_at__lt=closes)),
        *_payments(
            Payment.objects.filter(succeeded_at__gte=opens, succeeded_at__lt=closes)
        ),
        *_refunds(Refund.objects.filter(created_at__gte=opens, created_at__lt=closes)),
        *_credit_notes(
            CreditNote.objects.filter(issued_at__gte=opens, issued_at__lt=closes)
        ),
        *_stock_movements(
            StockMovement.objects.filter(created_at__gte=opens, created_at__lt=closes)
        ),
        *_bills(SupplierBill.objects.filter(bill_date__range=_days(period))),
        *_bill_payments(
            SupplierBillPayment.objects.filter(paid_on__range=_days(period))
        ),
        *_payouts(Payout.objects.filter(arrival_date__range=_days(period))),
    ]


class _Entry:
    """A posted entry's amounts per account key and per tax code."""

    def __init__(self, entry: JournalEntry):
        self.entry = entry
        self.by_key: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
        self.by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.taxes: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in entry.lines.all():
            amount = line.debit - line.credit
            self.by_key[line.account.key] += amount
            if line.account.key != "inventory":
                self.by_type[line.account.type] += amount
            if line.account.key in TAX_KEYS and line.tax_code:
                self.taxes[line.tax_code] += amount

    def debit(self, key: str) -> Decimal:
        return self.by_key[key]

    def credit(self, key: str) -> Decimal:
        return -self.by_key[key]


def _entries(event_keys: Iterable[str]) -> dict[str, _Entry]:
    lines = JournalLine.objects.select_related("account")
    found = JournalEntry.objects.filter(
        event_key__in=list(event_keys)
    ).prefetch_related(Prefetch("lines", queryset=lines))
    return {entry.event_key: _Entry(entry) for entry in found}


def _reconcile(
    documents: Iterable[Any],
    *,
    event_key: Callable[[Any], str],
    label: Callable[[Any], str],
    checks: Callable[[Any, _Entry], list[Check]],
) -> Iterator[Discrepancy]:
    """Compare each document with the entry posted under its event key."""
    documents = list(documents)
    entries = _entries(event_key(document) for document in documents)
    for document in documents:
        key = event_key(document)
        entry = entries.get(key)
        if entry is None:
            yield Discrepancy(label(document), key, "No journal entry is posted.")
            continue
        for what, expected, posted in checks(document, entry):
            if expected != posted:
                yield Discrepancy(
                    label(document),
                    key,
                    f"{what} is {posted:.2f} in the ledger but {expected:.2f} "
                    "on the document.",
                )


def _tax_checks(
    expected: dict[str, Decimal], posted: dict[str, Decimal], sign: int
) -> list[Check]:
    codes = sorted(set(expected) | {code for code, value in posted.items() if value})
    return [
        (f"{code} tax", expected.get(code, ZERO), sign * posted.get(code, ZERO))
        for code in codes
    ]


def _orders(orders) -> Iterator[Discrepancy]:
    orders = list(
        orders.filter(status=Order.Status.PAID)
        .select_related("invoice")
        .prefetch_related("taxes")
    )
    yield from _reconcile(orders, event_key=_sale_key, label=str, checks=_sale_checks)
    entries = _entries(_sale_key(order) for order in orders)
    for order in orders:
        yield from _invoice(order, entries.get(_sale_key(order)))


def _sale_key(order: Order) -> str:
    return f"sale:order:{order.pk}"


def _sale_checks(order: Order, entry: _Entry) -> list[Check]:
    taxes = {tax.code: tax.amount for tax in order.taxes.all()}
    return [
        ("Stripe clearing debit", order.total_amount, entry.debit("stripe_clearing")),
        ("Online sales credit", order.subtotal_amount, entry.credit("sales_online")),
        (
            "Shipping revenue credit",
            order.shipping_amount,
            entry.credit("shipping_revenue"),
        ),
        *_tax_checks(taxes, entry.taxes, sign=-1),
    ]


def _invoice(order: Order, entry: _Entry | None) -> Iterator[Discrepancy]:
    invoice = getattr(order, "invoice", None)
    if invoice is None:
        yield Discrepancy(
            str(order), _sale_key(order), "The paid order has no invoice."
        )
    elif entry is not None and entry.entry.invoice_id != invoice.pk:
        yield Discrepancy(
            str(invoice),
            _sale_key(order),
            f"The sale entry of {order} does not refer to the invoice.",
        )


def _payments(payments) -> Iterator[Discrepancy]:
    yield from _reconcile(
        payments.filter(status=Payment.Status.SUCCEEDED, fee_amount__gt=0),
        event_key=lambda payment: f"fee:payment:{payment.pk}",
        label=lambda payment: f"Payment {payment.stripe_payment_intent_id}",
        checks=lambda payment, entry: [
            ("Processing fee debit", payment.fee_amount, entry.debit("processing_fees"))
        ],
    )


def _refunds(refunds) -> Iterator[Discrepancy]:
    # A refund is posted through its credit note; one without a credit
    # note never reaches the ledger.
    missing = refunds.filter(
        status=Refund.Status.SUCCEEDED, credit_note__isnull=True
    ).select_related("order")
    for refund in missing:
        yield Discrepancy(
            f"Refund {refund.amount:.2f} on {refund.order}",
            "refund:credit-note:",
            "The refund has no credit note, so nothing is posted.",
        )


def _credit_notes(credit_notes) -> Iterator[Discrepancy]:
    yield from _reconcile(
        credit_notes.prefetch_related("taxes"),
        event_key=lambda note: f"refund:credit-note:{note.pk}",
        label=str,
        checks=_credit_note_checks,
    )


def _credit_note_checks(note: CreditNote, entry: _Entry) -> list[Check]:
    # Money given back leaves an asset (Stripe clearing, bank); goods that
    # come back to inventory post with their own stock movement.
    taxes = {tax.code: tax.amount for tax in note.taxes.all()}
    return [
        ("Amount refunded", note.total_amount, -entry.by_type[Account.Type.ASSET]),
        *_tax_checks(taxes, entry.taxes, sign=1),
    ]


def _stock_movements(movements) -> Iterator[Discrepancy]:
    yield from _reconcile(
        movements.exclude(value_amount=0).select_related("stock__variant"),
        event_key=lambda movement: f"stock:movement:{movement.pk}",
        label=lambda movement: f"Stock movement {movement.pk}: {movement}",
        checks=lambda movement, entry: [
            ("Inventory change", movement.value_amount, entry.debit("inventory"))
        ],
    )


def _bills(bills) -> Iterator[Discrepancy]:
    yield from _reconcile(
        bills.select_related("supplier"),
        event_key=lambda bill: f"bill:{bill.pk}",
        label=lambda bill: f"Supplier bill {bill}",
        checks=lambda bill, entry: [
            (
                "Accounts payable credit",
                bill.total_amount,
                entry.credit("accounts_payable"),
            ),
            (
                "GST/HST recoverable debit",
                bill.gst_hst_amount,
                entry.debit("gst_hst_recoverable"),
            ),
        ],
    )


def _bill_payments(payments) -> Iterator[Discrepancy]:
    yield from _reconcile(
        payments.select_related("bill__supplier"),
        event_key=lambda payment: f"bill-payment:{payment.pk}",
        label=lambda payment: f"Bill payment {payment}",
        checks=lambda payment, entry: [
            ("Accounts payable debit", payment.amount, entry.debit("accounts_payable"))
        ],
    )


def _payouts(payouts) -> Iterator[Discrepancy]:
    # Only a payout Stripe reports as paid has reached the bank.
    yield from _reconcile(
        payouts.filter(status="paid"),
        event_key=lambda payout: f"payout:{payout.stripe_payout_id}",
        label=str,
        checks=lambda payout, entry: [
            ("Bank debit", payout.amount, entry.debit("bank"))
        ],
    )


def _days(period: Period) -> tuple[date, date]:
    return (period.start, period.end)
