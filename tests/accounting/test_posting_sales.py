from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from accounting.ledger import UnbalancedEntryError
from accounting.models import JournalEntry, JournalLine
from accounting.posting.sales import post_online_sale
from accounting.services import issue_invoice
from inventory.allocation import ship_lines
from inventory.services import set_opening_stock
from orders.models import Order, Payment
from tests.accounting.ledger_setup import entry_lines, pay, priced_order
from tests.factories.shop import VariantFactory

# 02:30 UTC on March 14 is still March 13 in Halifax (UTC-3 in March).
PAID_AT = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)


def paid_with_invoice(order: Order):
    Payment.objects.create(
        order=order,
        stripe_payment_intent_id=f"pi_{order.pk}",
        amount=order.total_amount,
        status=Payment.Status.SUCCEEDED,
        succeeded_at=PAID_AT,
    )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID, paid_at=PAID_AT)
    order.refresh_from_db()
    with transaction.atomic():
        invoice = issue_invoice(order=order)
    return order, invoice


def post(order, invoice):
    with transaction.atomic():
        return post_online_sale(order=order, invoice=invoice)


@pytest.fixture
def hoodie():
    return VariantFactory(price=Decimal("52.00"))


@pytest.mark.django_db
def test_sale_to_pe_posts_worked_example(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="PE", lines=[(hoodie, 1)]))

    entry = post(order, invoice)

    assert entry_lines(entry) == [
        ("stripe_clearing", Decimal("73.60"), Decimal("0.00")),
        ("sales_online", Decimal("0.00"), Decimal("52.00")),
        ("shipping_revenue", Decimal("0.00"), Decimal("12.00")),
        ("gst_hst_payable", Decimal("0.00"), Decimal("9.60")),
    ]


@pytest.mark.django_db
def test_sale_tax_line_names_code_and_province(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="PE", lines=[(hoodie, 1)]))

    entry = post(order, invoice)

    tax_line = entry.lines.get(account__key="gst_hst_payable")
    assert (tax_line.tax_code, tax_line.province) == ("HST", "PE")
    assert tax_line.memo == f"HST on order {order.number}"


@pytest.mark.django_db
def test_sale_to_quebec_splits_gst_and_qst(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="QC", lines=[(hoodie, 1)]))

    entry = post(order, invoice)

    # GST 5% and QST 9.975% of $64.00.
    assert entry_lines(entry) == [
        ("stripe_clearing", Decimal("73.58"), Decimal("0.00")),
        ("sales_online", Decimal("0.00"), Decimal("52.00")),
        ("shipping_revenue", Decimal("0.00"), Decimal("12.00")),
        ("gst_hst_payable", Decimal("0.00"), Decimal("3.20")),
        ("qst_payable", Decimal("0.00"), Decimal("6.38")),
    ]
    qst = entry.lines.get(account__key="qst_payable")
    assert (qst.tax_code, qst.province) == ("QST", "QC")


@pytest.mark.django_db
def test_sale_entry_dated_payment_day_in_shop_zone(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="PE", lines=[(hoodie, 1)]))

    entry = post(order, invoice)

    assert entry.entry_date == date(2026, 3, 13)


@pytest.mark.django_db
def test_sale_entry_refers_to_order_invoice_payment(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="PE", lines=[(hoodie, 1)]))

    entry = post(order, invoice)

    assert entry.event_key == f"sale:order:{order.pk}"
    assert entry.kind == JournalEntry.Kind.SALE
    assert entry.order == order
    assert entry.invoice == invoice
    assert entry.payment == order.payments.get()
    assert entry.description == (
        f"Online sale, order {order.number}, invoice {invoice.number}"
    )


@pytest.mark.django_db
def test_sale_posted_twice_posts_once(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="PE", lines=[(hoodie, 1)]))
    first = post(order, invoice)

    second = post(order, invoice)

    assert second == first
    assert JournalEntry.objects.filter(order=order).count() == 1
    assert JournalLine.objects.filter(entry__order=order).count() == 4


@pytest.mark.django_db
def test_sale_total_not_adding_up_is_rejected(hoodie):
    order, invoice = paid_with_invoice(priced_order(province="PE", lines=[(hoodie, 1)]))
    Order.objects.filter(pk=order.pk).update(total_amount=Decimal("73.61"))
    order.refresh_from_db()

    with pytest.raises(UnbalancedEntryError, match=r"debits 73\.61, credits 73\.60"):
        post(order, invoice)

    assert JournalEntry.objects.filter(order=order).count() == 0


@pytest.mark.django_db
def test_payment_posts_sale_and_shipment_cost(hoodie):
    hoodie.unit_cost = Decimal("23.40")
    hoodie.save()
    set_opening_stock(variant=hoodie, quantity=5)
    order = priced_order(province="PE", lines=[(hoodie, 2)])

    pay(order)
    ship_lines(order=order, quantities=None, user=None)

    sale = JournalEntry.objects.get(event_key=f"sale:order:{order.pk}")
    assert sale.invoice == order.invoice
    assert entry_lines(sale)[0] == ("stripe_clearing", Decimal("133.40"), Decimal("0"))
    cost = JournalEntry.objects.get(kind="stock", stock_movement__kind="shipment")
    assert entry_lines(cost) == [
        ("inventory", Decimal("0.00"), Decimal("46.80")),
        ("cost_of_goods_sold", Decimal("46.80"), Decimal("0.00")),
    ]
