"""Posting rules for supplier bills and their payments.

A bill recognises what the shop owes a supplier: accounts payable is
credited with the bill's total. Expense lines debit their expense account.
Goods lines clear goods received not billed at the value the receipt was
posted at. When the bill charges a different amount, the difference goes
to inventory for the units still on hand and to cost of goods sold for the
rest. accounting.bills decides that split and stores it on the line as
`stock_value_change`, so this rule only reads documents.
"""

from accounting.ledger import Posting, credit, debit, post_entry
from accounting.models import (
    JournalEntry,
    SupplierBill,
    SupplierBillLine,
    SupplierBillPayment,
)
from inventory.models import StockMovement


def post_supplier_bill(*, bill: SupplierBill, user=None) -> JournalEntry:
    """Post a supplier bill: debit its lines and GST/HST, credit payables.

    Idempotent by the event key `bill:<id>`. Dated on the bill date. Call
    inside the transaction that writes the bill, after its goods lines
    have their `stock_value_change` and the stock value has been changed
    to match.
    """
    postings: list[Posting] = []
    lines = bill.lines.select_related("expense_account", "receipt__stock__variant")
    for line in lines:
        if line.receipt is not None:
            postings.extend(_goods_postings(line, line.receipt))
        elif line.expense_account is not None:
            postings.append(
                debit(line.expense_account, line.amount, memo=line.description)
            )
    postings.append(
        debit("gst_hst_recoverable", bill.gst_hst_amount, memo="GST/HST paid (ITC)")
    )
    postings.append(credit("accounts_payable", bill.total_amount, memo=str(bill)))

    return post_entry(
        event_key=f"bill:{bill.pk}",
        kind=JournalEntry.Kind.SUPPLIER_BILL,
        description=f"Bill {bill.supplier_invoice_number} from {bill.supplier}",
        postings=postings,
        entry_date=bill.bill_date,
        user=user,
        supplier_bill=bill,
    )


def post_bill_payment(*, payment: SupplierBillPayment, user=None) -> JournalEntry:
    """Post a bill payment: debit accounts payable, credit the bank.

    Idempotent by the event key `bill-payment:<id>`; dated on the day paid.
    """
    bill = payment.bill
    memo = f"{bill} {payment.reference}".strip()
    return post_entry(
        event_key=f"bill-payment:{payment.pk}",
        kind=JournalEntry.Kind.BILL_PAYMENT,
        description=f"Paid bill {bill.supplier_invoice_number} to {bill.supplier}",
        postings=[
            debit("accounts_payable", payment.amount, memo=memo),
            credit("bank", payment.amount, memo=memo),
        ],
        entry_date=payment.paid_on,
        user=user,
        supplier_bill=bill,
    )


def _goods_postings(line: SupplierBillLine, receipt: StockMovement) -> list[Posting]:
    sku = receipt.stock.variant.sku
    difference = line.amount - receipt.value_amount
    return [
        debit(
            "goods_received_not_billed",
            receipt.value_amount,
            memo=f"{sku}: {receipt.quantity} received",
        ),
        debit(
            "inventory",
            line.stock_value_change,
            memo=f"{sku}: billed price difference, units on hand",
        ),
        debit(
            "cost_of_goods_sold",
            difference - line.stock_value_change,
            memo=f"{sku}: billed price difference, units sold",
        ),
    ]
