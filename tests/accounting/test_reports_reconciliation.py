"""A month of trading posted by the real posting rules, then reconciled."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounting.models import (
    Account,
    JournalEntry,
    JournalLine,
    Payout,
    PayoutItem,
    SupplierBillLine,
    SupplierBillPayment,
)
from accounting.posting.bills import post_bill_payment
from accounting.posting.bills import post_supplier_bill as post_bill
from accounting.posting.refunds import post_refund
from accounting.posting.sales import post_online_sale
from accounting.posting.stripe import post_payout, post_processor_fee
from accounting.reports import Period, monthly_fees, payouts, reconcile, trial_balance
from accounting.services import issue_invoice
from inventory.services import record_sale, set_opening_stock
from orders.models import Payment
from tests.accounting.reports_setup import (
    make_credit_note,
    make_order,
    make_supplier_bill,
)
from tests.factories.shop import VariantFactory

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def to_today() -> Period:
    """From March 1 to today, so stock movements, which are dated the day
    they are recorded, fall in the period."""
    return Period(MARCH.start, max(MARCH.end, timezone.localdate()))


def moment(day, hour=15):
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def sell(variant, quantity, *, day, province="NS", fee="2.48"):
    """Take payment for an order, post it as record_payment does, then its
    Stripe fee."""
    subtotal = variant.price * quantity
    order = make_order(
        province, subtotal, "12.00", [("HST", "0.14")], paid_at=moment(day)
    )
    payment = Payment.objects.create(
        order=order,
        stripe_payment_intent_id=f"pi_{order.number}",
        stripe_charge_id=f"ch_{order.number}",
        amount=order.total_amount,
        status=Payment.Status.SUCCEEDED,
        succeeded_at=moment(day),
        fee_amount=D(fee),
    )
    with transaction.atomic():
        record_sale(items=[(variant.pk, quantity)], reference=str(order.number))
        post_online_sale(order=order, invoice=issue_invoice(order=order))
        post_processor_fee(payment=payment)
    return order, payment


@pytest.fixture
def month():
    """Opening stock, three sales, a refund, a bill and its payment, and a
    payout of the first two charges."""
    mug = VariantFactory(price=D("18.50"), unit_cost=D("7.25"))
    set_opening_stock(variant=mug, quantity=20)
    first, first_payment = sell(mug, 2, day=3)
    second, second_payment = sell(mug, 1, day=9, fee="1.42")
    third, _ = sell(mug, 4, day=17, fee="3.66")

    note = make_credit_note(
        first.invoice, 1, "18.50", [("HST", "0.14", "2.59")], issued_at=moment(20)
    )
    bill = make_supplier_bill("MP-9", "60.00", "8.40", bill_date=date(2026, 3, 21))
    SupplierBillLine.objects.create(
        bill=bill,
        description="Tissue paper",
        expense_account=Account.objects.get(key="office_supplies"),
        amount=D("60.00"),
    )
    bill_payment = SupplierBillPayment.objects.create(
        bill=bill, paid_on=date(2026, 3, 28), amount=D("68.40")
    )
    payout = Payout.objects.create(
        stripe_payout_id="po_march",
        amount=D("0.00"),
        arrival_date=date(2026, 3, 12),
        status="paid",
    )
    for payment in (first_payment, second_payment):
        PayoutItem.objects.create(
            payout=payout,
            stripe_balance_transaction_id=f"txn_{payment.stripe_charge_id}",
            type="charge",
            payment=payment,
            gross_amount=payment.amount,
            fee_amount=payment.fee_amount,
            net_amount=payment.amount - payment.fee_amount,
        )
    payout.amount = sum(item.net_amount for item in payout.items.all())
    payout.save()
    with transaction.atomic():
        post_refund(credit_note=note)
        post_bill(bill=bill)
        post_bill_payment(payment=bill_payment)
        post_payout(payout=payout)
    return {"orders": [first, second, third], "payout": payout}


def test_reconciliation_empty_after_month(month):
    assert reconcile(period=to_today()) == []


def test_month_trial_balance_balances(month):
    report = trial_balance(period=to_today())

    assert report.is_balanced
    inventory = next(row for row in report.rows if row.account.key == "inventory")
    assert inventory.closing_balance == D("94.25")


def test_reconciliation_lists_unposted_sale(month):
    order = make_order("NS", "10.00", "12.00", [("HST", "0.14")], paid_at=moment(25))
    with transaction.atomic():
        issue_invoice(order=order)

    discrepancies = reconcile(period=MARCH)

    assert [
        (item.document, item.event_key, item.problem) for item in discrepancies
    ] == [(str(order), f"sale:order:{order.pk}", "No journal entry is posted.")]


def test_reconciliation_lists_unposted_fee(month):
    order = month["orders"][2]
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(fee_amount=D("3.67"))

    discrepancies = reconcile(period=MARCH)

    assert [item.problem for item in discrepancies] == [
        "Processing fee debit is 3.66 in the ledger but 3.67 on the document."
    ]


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL's ledger triggers reject deleting a posted entry",
)
def test_reconciliation_lists_deleted_entry(month):
    order = month["orders"][1]
    entry = JournalEntry.objects.get(event_key=f"sale:order:{order.pk}")
    JournalLine.objects.filter(entry=entry).delete()
    entry.delete()

    discrepancies = reconcile(period=MARCH)

    assert [(item.document, item.problem) for item in discrepancies] == [
        (str(order), "No journal entry is posted.")
    ]


def test_monthly_fees_posted_and_reported(month):
    (march,) = monthly_fees(period=MARCH)

    assert march.month == date(2026, 3, 1)
    assert march.posted == D("7.56")
    assert march.reported == D("7.56")
    assert march.payment_count == 3
    assert march.difference == 0


def test_payouts_matched_to_orders(month):
    (match,) = payouts(period=MARCH)

    first, second, _ = month["orders"]
    assert [charge.order for charge in match.charges] == [first, second]
    assert match.gross_amount == first.total_amount + second.total_amount
    assert match.fee_amount == D("3.90")
    assert match.net_amount == match.payout.amount
    assert match.unmatched == 0
