"""Entering supplier bills and paying them.

A bill is posted to the ledger as soon as it is entered and is never
edited afterwards: a correction is a reversing entry plus a new bill.
Goods are received first (inventory.services.receive_stock posts them to
goods received not billed at the purchase price given), and the bill's
goods line points at that receipt. A receipt is billed by one line only.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from accounting.models import (
    Account,
    SupplierBill,
    SupplierBillLine,
    SupplierBillPayment,
)
from accounting.posting.bills import post_bill_payment, post_supplier_bill
from inventory import services as inventory_services
from inventory.models import StockMovement, Supplier
from shop.money import ZERO, round_money

logger = logging.getLogger(__name__)

# The highest GST/HST rate in Canada (HST in New Brunswick, Newfoundland and
# Labrador and Prince Edward Island). A supplier cannot charge more, so more
# is a typing error, such as the invoice total entered as the tax.
MAX_GST_HST_RATE = Decimal("0.15")
# Suppliers that round the tax of each line may exceed the rounded tax of the
# subtotal by up to half a cent a line, so a cent a line is allowed.
GST_HST_ROUNDING_PER_LINE = Decimal("0.01")


class BillError(ValueError):
    """A bill or payment that cannot be recorded; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ExpenseLine:
    """A bill line for a service or supplies, charged to an expense account.

    `account` is an Account or its key in the chart ("shipping_expense").
    """

    account: "Account | str"
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class GoodsLine:
    """A bill line for goods already received with a RECEIPT movement."""

    receipt: StockMovement
    amount: Decimal
    description: str = ""


BillLine = ExpenseLine | GoodsLine


def enter_supplier_bill(
    *,
    supplier: Supplier,
    supplier_invoice_number: str,
    bill_date: date,
    due_date: date | None,
    lines: Sequence[BillLine],
    gst_hst_amount: Decimal,
    user=None,
) -> SupplierBill:
    """Record a supplier's invoice and post it to the ledger.

    Runs in one transaction that writes the bill and its lines and posts
    the entry `bill:<id>`. A goods line billed at a price other than its
    receipt's value moves the difference into the value of the units still
    on hand (locking their Stock row) and into cost of goods sold for the
    rest. Raises BillError, with nothing written, for a
    blank or duplicate invoice number, a due date before the bill date, no
    lines, an amount not in whole cents, a line that is not positive, an
    account that is not an expense account, a movement that is not a
    receipt or is already billed, or GST/HST above 15% of the subtotal.
    """
    number = supplier_invoice_number.strip()
    with transaction.atomic():
        check_supplier_bill(
            supplier=supplier,
            supplier_invoice_number=number,
            bill_date=bill_date,
            due_date=due_date,
            lines=lines,
            gst_hst_amount=gst_hst_amount,
        )
        subtotal = sum((line.amount for line in lines), ZERO)
        bill = SupplierBill.objects.create(
            supplier=supplier,
            supplier_invoice_number=number,
            bill_date=bill_date,
            due_date=due_date,
            subtotal_amount=subtotal,
            gst_hst_amount=gst_hst_amount,
            total_amount=subtotal + gst_hst_amount,
            created_by=user,
        )
        for line in lines:
            _create_line(bill, line)
        post_supplier_bill(bill=bill, user=user)

    logger.info(
        "Supplier bill entered",
        extra={"supplier_bill_id": bill.pk, "total_amount": bill.total_amount},
    )
    return bill


def check_supplier_bill(
    *,
    supplier: Supplier,
    supplier_invoice_number: str,
    bill_date: date,
    due_date: date | None,
    lines: Sequence[BillLine],
    gst_hst_amount: Decimal,
) -> None:
    """Raise BillError for the first reason the bill cannot be entered.

    Writes nothing; enter_supplier_bill runs it, and the admin runs it to
    show the error on the form before anything is saved.
    """
    _check_header(supplier, supplier_invoice_number, bill_date, due_date)
    if not lines:
        raise BillError("Add at least one line to the bill.", field="lines")
    for line in lines:
        _check_line(line)
    _check_receipts_once([line for line in lines if isinstance(line, GoodsLine)])
    _check_gst_hst(gst_hst_amount, lines)


def pay_supplier_bill(
    *,
    bill: SupplierBill,
    amount: Decimal,
    paid_on: date,
    reference: str = "",
    user=None,
) -> SupplierBillPayment:
    """Record a payment of a bill from the bank and post it.

    Locks the bill row, so two payments entered at once cannot together
    pay more than the balance due. Raises BillError, with nothing written,
    for an amount that is not positive, not in whole cents, or more than
    the balance due.
    """
    _check_money(amount, "amount", "The payment")
    if amount <= 0:
        raise BillError(
            f"The payment is ${amount}; enter an amount of $0.01 or more.",
            field="amount",
        )

    with transaction.atomic():
        locked = SupplierBill.objects.select_for_update().get(pk=bill.pk)
        if amount > locked.balance_due:
            raise BillError(
                f"The payment of ${amount} is more than the ${locked.balance_due} "
                f"still due on bill {locked}; enter at most ${locked.balance_due}.",
                field="amount",
            )
        payment = SupplierBillPayment.objects.create(
            bill=locked, amount=amount, paid_on=paid_on, reference=reference.strip()
        )
        SupplierBill.objects.filter(pk=bill.pk).update(
            paid_amount=F("paid_amount") + amount
        )
        post_bill_payment(payment=payment, user=user)

    bill.refresh_from_db(fields=["paid_amount"])
    logger.info(
        "Supplier bill paid",
        extra={"supplier_bill_id": bill.pk, "supplier_bill_payment_id": payment.pk},
    )
    return payment


def _check_header(supplier, number, bill_date, due_date) -> None:
    if not number:
        raise BillError(
            "Enter the invoice number printed on the supplier's bill.",
            field="supplier_invoice_number",
        )
    duplicate = SupplierBill.objects.filter(
        supplier=supplier, supplier_invoice_number__iexact=number
    ).first()
    if duplicate is not None:
        raise BillError(
            f"Invoice {number} from {supplier} is already entered (bill dated "
            f"{duplicate.bill_date}); check the number, or correct that bill "
            "with a reversing entry instead of entering it twice.",
            field="supplier_invoice_number",
        )
    if due_date is not None and due_date < bill_date:
        raise BillError(
            f"The due date {due_date} is before the bill date {bill_date}; "
            "enter a due date on or after the bill date.",
            field="due_date",
        )


def _check_line(line: BillLine) -> None:
    label = f"The line {line.description!r}" if line.description else "A line"
    _check_money(line.amount, "lines", label)
    if line.amount <= 0:
        raise BillError(
            f"{label} has an amount of ${line.amount}; enter $0.01 or more.",
            field="lines",
        )
    if isinstance(line, ExpenseLine):
        _expense_account(line.account)
    else:
        _check_receipt(line.receipt)


def _check_money(amount: Decimal, field: str, label: str) -> None:
    if amount != round_money(amount):
        raise BillError(
            f"{label} has an amount of ${amount}; enter it to the cent, "
            f"e.g. ${round_money(amount)}.",
            field=field,
        )


def _expense_account(account: "Account | str") -> Account:
    if isinstance(account, str):
        found = Account.objects.filter(key=account).first()
        if found is None:
            raise BillError(
                f"No account has the key {account!r}; choose an expense account "
                "from the chart of accounts.",
                field="lines",
            )
        account = found
    if account.type != Account.Type.EXPENSE:
        account_type = account.get_type_display().lower()
        article = "an" if account_type[0] in "aeiou" else "a"
        raise BillError(
            f"Account {account} is {article} {account_type} account; charge "
            "the line to an expense account such as Shipping expense, or bill "
            "goods through their receipt.",
            field="lines",
        )
    return account


def _check_receipt(receipt: StockMovement) -> None:
    if receipt.kind != StockMovement.Kind.RECEIPT:
        raise BillError(
            f"Stock movement {receipt.pk} ({receipt}) is not a receipt of goods; "
            "choose the receipt that brought the billed goods in.",
            field="lines",
        )
    billed = SupplierBillLine.objects.filter(receipt=receipt).select_related("bill")
    line = billed.first()
    if line is not None:
        raise BillError(
            f"Receipt {receipt.pk} ({receipt}) is already billed on {line.bill}; "
            "a receipt is billed once. Enter any extra charge as its own line.",
            field="lines",
        )


def _check_receipts_once(lines: Sequence[GoodsLine]) -> None:
    seen: set[int] = set()
    for line in lines:
        if line.receipt.pk in seen:
            raise BillError(
                f"Receipt {line.receipt.pk} ({line.receipt}) is on the bill twice; "
                "bill each receipt on one line.",
                field="lines",
            )
        seen.add(line.receipt.pk)


def _check_gst_hst(gst_hst_amount: Decimal, lines: Sequence[BillLine]) -> None:
    _check_money(gst_hst_amount, "gst_hst_amount", "The GST/HST")
    if gst_hst_amount < 0:
        raise BillError(
            f"The GST/HST is ${gst_hst_amount}; enter 0 or the tax printed "
            "on the bill.",
            field="gst_hst_amount",
        )
    subtotal = sum((line.amount for line in lines), ZERO)
    limit = round_money(subtotal * MAX_GST_HST_RATE)
    if gst_hst_amount > limit + GST_HST_ROUNDING_PER_LINE * len(lines):
        raise BillError(
            f"The GST/HST of ${gst_hst_amount} is more than 15% of the "
            f"${subtotal} subtotal (${limit}), the highest rate in Canada; "
            "enter the GST/HST printed on the bill, not its total.",
            field="gst_hst_amount",
        )


def _create_line(bill: SupplierBill, line: BillLine) -> SupplierBillLine:
    if isinstance(line, ExpenseLine):
        account = _expense_account(line.account)
        return SupplierBillLine.objects.create(
            bill=bill,
            description=line.description or account.name,
            expense_account=account,
            amount=line.amount,
        )

    receipt = line.receipt
    variant = receipt.stock.variant
    stock_value_change = ZERO
    if line.amount != receipt.value_amount:
        stock_value_change = inventory_services.revalue_stock(
            variant=variant,
            value_change=line.amount - receipt.value_amount,
            units=receipt.quantity,
            reference=f"Bill {bill.supplier_invoice_number}",
        )
    return SupplierBillLine.objects.create(
        bill=bill,
        description=line.description or str(variant),
        receipt=receipt,
        quantity=receipt.quantity,
        amount=line.amount,
        stock_value_change=stock_value_change,
    )
