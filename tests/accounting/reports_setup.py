"""Journal entries and documents with known amounts for the report tests.

Entries are posted through accounting.ledger.post_entry with the event keys
and accounts the posting rules use, so the reports read them as they will
read the rules' own entries.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounting.ledger import credit, debit, post_entry
from accounting.models import (
    CreditNote,
    CreditNoteTax,
    Invoice,
    JournalEntry,
    SupplierBill,
)
from accounting.posting.accounts import tax_payable_account
from inventory.models import Supplier
from orders.models import Order
from shop.money import round_money
from tests.factories.orders import OrderFactory, OrderTaxFactory

D = Decimal


def post(event_key, kind, entry_date, *postings, **references) -> JournalEntry:
    """Post one entry inside its own transaction."""
    with transaction.atomic():
        return post_entry(
            event_key=event_key,
            kind=kind,
            description=event_key,
            postings=postings,
            entry_date=entry_date,
            **references,
        )


def post_owner_investment(amount="5000.00", day=date(2026, 3, 1)):
    return post(
        "manual:opening",
        JournalEntry.Kind.MANUAL,
        day,
        debit("bank", D(amount)),
        credit("owners_equity", D(amount)),
    )


def post_sale(order, *, day, invoice=None):
    """Post an order's sale: clearing debit, revenue, shipping and taxes."""
    postings = [
        debit("stripe_clearing", order.total_amount),
        credit("sales_online", order.subtotal_amount),
        credit("shipping_revenue", order.shipping_amount),
    ]
    for tax in order.taxes.all():
        postings.append(tax_credit(tax.code, order.ship_province, tax.amount))
    return post(
        f"sale:order:{order.pk}",
        JournalEntry.Kind.SALE,
        day,
        *postings,
        order=order,
        invoice=invoice,
    )


def tax_credit(code, province, amount):
    return credit(
        tax_payable_account(code=code, province=province),
        amount,
        tax_code=code,
        province=province,
    )


def tax_debit(code, province, amount):
    return debit(
        tax_payable_account(code=code, province=province),
        amount,
        tax_code=code,
        province=province,
    )


def make_order(province, subtotal, shipping, taxes, *, paid_at=None):
    """Create a paid order with one tax row per (code, rate) on goods and
    shipping, rounded half up as checkout rounds it."""
    order = OrderFactory(
        ship_province=province,
        subtotal_amount=D(subtotal),
        shipping_amount=D(shipping),
        status=Order.Status.PAID,
        paid_at=paid_at,
    )
    taxable = D(subtotal) + D(shipping)
    tax_total = D("0.00")
    for code, rate in taxes:
        amount = round_money(taxable * D(rate))
        OrderTaxFactory(
            order=order,
            code=code,
            name=code,
            rate=D(rate),
            taxable_amount=taxable,
            amount=amount,
            shipping_amount=round_money(D(shipping) * D(rate)),
        )
        tax_total += amount
    order.tax_amount = tax_total
    order.total_amount = taxable + tax_total
    order.save()
    return order


def make_invoice(order, number):
    return Invoice.objects.create(
        number=number,
        order=order,
        issued_at=order.paid_at,
        subtotal_amount=order.subtotal_amount,
        shipping_amount=order.shipping_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
        paid_at=order.paid_at,
    )


def make_credit_note(invoice, number, subtotal, taxes, *, issued_at):
    """Create a credit note of `subtotal` goods with (code, rate, amount)
    taxes given back."""
    tax_total = sum((D(amount) for _, _, amount in taxes), D("0.00"))
    note = CreditNote.objects.create(
        number=number,
        invoice=invoice,
        order=invoice.order,
        issued_at=issued_at,
        subtotal_amount=D(subtotal),
        shipping_amount=D("0.00"),
        tax_amount=tax_total,
        total_amount=D(subtotal) + tax_total,
    )
    for code, rate, amount in taxes:
        CreditNoteTax.objects.create(
            credit_note=note, code=code, name=code, rate=D(rate), amount=D(amount)
        )
    return note


def post_credit_note(note, *, day):
    province = note.order.ship_province
    return post(
        f"refund:credit-note:{note.pk}",
        JournalEntry.Kind.REFUND,
        day,
        debit("sales_returns", note.subtotal_amount + note.shipping_amount),
        *(tax_debit(tax.code, province, tax.amount) for tax in note.taxes.all()),
        credit("stripe_clearing", note.total_amount),
        credit_note=note,
        order=note.order,
    )


def make_supplier_bill(number, subtotal, gst_hst, *, bill_date):
    supplier, _ = Supplier.objects.get_or_create(name="Maritime Paper Co.")
    return SupplierBill.objects.create(
        supplier=supplier,
        supplier_invoice_number=number,
        bill_date=bill_date,
        subtotal_amount=D(subtotal),
        gst_hst_amount=D(gst_hst),
        total_amount=D(subtotal) + D(gst_hst),
    )


def post_supplier_bill(bill, *, expense="office_supplies"):
    return post(
        f"bill:{bill.pk}",
        JournalEntry.Kind.SUPPLIER_BILL,
        bill.bill_date,
        debit(expense, bill.subtotal_amount),
        debit("gst_hst_recoverable", bill.gst_hst_amount),
        credit("accounts_payable", bill.total_amount),
        supplier_bill=bill,
    )
