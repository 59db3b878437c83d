"""Refunding orders: Stripe refund, credit note, stock and ledger."""

from decimal import Decimal

import pytest
import requests

from accounting.models import CreditNote, JournalEntry
from inventory.allocation import ship_lines
from inventory.models import Stock, StockMovement
from orders.models import Refund
from orders.refunds import RefundError, refund_order
from tests.accounting.refunds_setup import (
    order_for,
    paid_pe_order,
    pay,
    stocked_variant,
)
from tests.fixtures.localstripe import SECRET_KEY

pytestmark = pytest.mark.django_db


def ledger_lines(credit_note):
    entry = JournalEntry.objects.get(event_key=f"refund:credit-note:{credit_note.pk}")
    return [
        (line.account.key, line.debit, line.credit, line.tax_code, line.province)
        for line in entry.lines.select_related("account")
    ]


def stripe_refunds(localstripe, order):
    payment = order.payments.get()
    response = requests.get(
        f"{localstripe.url}/v1/refunds",
        params={"payment_intent": payment.stripe_payment_intent_id},
        auth=(SECRET_KEY, ""),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["data"]


def test_full_refund_posts_pe_example(localstripe):
    order = paid_pe_order(localstripe)
    line = order.lines.get()

    refund = refund_order(
        order=order, lines=[(line, 1)], shipping=True, reason="Damaged", user=None
    )

    credit_note = refund.credit_note
    assert credit_note.total_amount == Decimal("73.60")
    assert ledger_lines(credit_note) == [
        ("sales_returns", Decimal("52.00"), Decimal("0.00"), "", ""),
        ("shipping_revenue", Decimal("12.00"), Decimal("0.00"), "", ""),
        ("gst_hst_payable", Decimal("9.60"), Decimal("0.00"), "HST", "PE"),
        ("stripe_clearing", Decimal("0.00"), Decimal("73.60"), "", ""),
    ]


def test_full_refund_refunds_card_at_stripe(localstripe):
    order = paid_pe_order(localstripe)

    refund = refund_order(
        order=order,
        lines=[(order.lines.get(), 1)],
        shipping=True,
        reason="Damaged",
        user=None,
    )

    [stripe_refund] = stripe_refunds(localstripe, order)
    assert stripe_refund["amount"] == 7360
    assert stripe_refund["metadata"] == {
        "refund_id": str(refund.pk),
        "order_number": str(order.number),
    }
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.stripe_refund_id == stripe_refund["id"]
    assert refund.amount == Decimal("73.60")


def test_full_refund_credit_note_lines_and_tax(localstripe):
    order = paid_pe_order(localstripe)

    refund = refund_order(
        order=order,
        lines=[(order.lines.get(), 1)],
        shipping=True,
        reason="Damaged",
        user=None,
    )

    credit_note = refund.credit_note
    assert credit_note.invoice == order.invoice
    assert credit_note.subtotal_amount == Decimal("52.00")
    assert credit_note.shipping_amount == Decimal("12.00")
    assert credit_note.tax_amount == Decimal("9.60")
    assert credit_note.reason == "Damaged"
    assert [
        (line.quantity, line.amount, line.tax_amount)
        for line in credit_note.lines.all()
    ] == [(1, Decimal("52.00"), Decimal("7.80"))]
    assert [
        (tax.code, tax.name, tax.rate, tax.amount) for tax in credit_note.taxes.all()
    ] == [("HST", "HST", Decimal("0.15000"), Decimal("9.60"))]


def test_partial_refund_by_line_restocks_at_sale_cost(localstripe):
    mug = stocked_variant(price="18.50", unit_cost="7.00")
    towel = stocked_variant(price="19.00", unit_cost="8.00")
    order = pay(localstripe, order_for(province="NS", lines=[(mug, 3), (towel, 1)]))
    ship_lines(order=order, quantities=None, user=None)
    mug_line = order.lines.get(variant=mug)

    refund = refund_order(
        order=order, lines=[(mug_line, 2)], restock=True, reason="Too big", user=None
    )

    stock = Stock.objects.get(variant=mug)
    assert stock.quantity_on_hand == 9
    assert stock.value_amount == Decimal("63.00")
    returned = StockMovement.objects.get(kind=StockMovement.Kind.RETURN)
    assert returned.quantity == 2
    assert returned.value_amount == Decimal("14.00")
    assert returned.reference == str(order.number)
    entry = JournalEntry.objects.get(event_key=f"stock:movement:{returned.pk}")
    assert sorted(
        (line.account.key, line.debit, line.credit) for line in entry.lines.all()
    ) == [
        ("cost_of_goods_sold", Decimal("0.00"), Decimal("14.00")),
        ("inventory", Decimal("14.00"), Decimal("0.00")),
    ]
    assert refund.credit_note.restocked is True


def test_partial_refund_by_line_credits_share(localstripe):
    mug = stocked_variant(price="18.50", unit_cost="7.00")
    towel = stocked_variant(price="19.00", unit_cost="8.00")
    order = pay(localstripe, order_for(province="NS", lines=[(mug, 3), (towel, 1)]))
    mug_line = order.lines.get(variant=mug)

    refund = refund_order(
        order=order, lines=[(mug_line, 2)], reason="Too big", user=None
    )

    # Two of three mugs: $37.00, HST 14% of the goods' HST share.
    credit_note = refund.credit_note
    assert credit_note.subtotal_amount == Decimal("37.00")
    assert credit_note.shipping_amount == Decimal("0.00")
    assert credit_note.tax_amount == Decimal("5.18")
    assert credit_note.total_amount == Decimal("42.18")
    assert credit_note.restocked is False
    assert StockMovement.objects.filter(kind=StockMovement.Kind.RETURN).count() == 0


def test_lump_sum_split_across_lines(localstripe):
    shirt = stocked_variant(price="52.00", unit_cost="20.00")
    cap = stocked_variant(price="26.00", unit_cost="9.00")
    order = pay(localstripe, order_for(province="PE", lines=[(shirt, 1), (cap, 1)]))

    refund = refund_order(
        order=order, amount=Decimal("10.00"), reason="Late delivery", user=None
    )

    # $10.00 split 2:1 is $6.67 and $3.33, each with HST 15% inside.
    credit_note = refund.credit_note
    assert [
        (line.order_line.variant_id, line.quantity, line.amount, line.tax_amount)
        for line in credit_note.lines.all()
    ] == [
        (shirt.pk, 0, Decimal("5.80"), Decimal("0.87")),
        (cap.pk, 0, Decimal("2.90"), Decimal("0.43")),
    ]
    assert credit_note.subtotal_amount == Decimal("8.70")
    assert credit_note.tax_amount == Decimal("1.30")
    assert credit_note.total_amount == Decimal("10.00")
    assert [(tax.code, tax.amount) for tax in credit_note.taxes.all()] == [
        ("HST", Decimal("1.30"))
    ]
    assert ledger_lines(credit_note) == [
        ("sales_returns", Decimal("8.70"), Decimal("0.00"), "", ""),
        ("gst_hst_payable", Decimal("1.30"), Decimal("0.00"), "HST", "PE"),
        ("stripe_clearing", Decimal("0.00"), Decimal("10.00"), "", ""),
    ]


def test_over_refund_amount_rejected(localstripe):
    order = paid_pe_order(localstripe)

    with pytest.raises(RefundError) as error:
        refund_order(order=order, amount=Decimal("80.00"), reason="", user=None)

    assert str(error.value) == (
        f"Refund amount $80.00 is more than the $73.60 left to refund on order "
        f"{order.number}; enter $73.60 or less."
    )
    assert Refund.objects.count() == 0
    assert CreditNote.objects.count() == 0
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.REFUND).exists()
    assert stripe_refunds(localstripe, order) == []


def test_over_refund_units_rejected(localstripe):
    order = paid_pe_order(localstripe)
    line = order.lines.get()
    refund_order(order=order, lines=[(line, 1)], reason="Damaged", user=None)

    with pytest.raises(RefundError) as error:
        refund_order(order=order, lines=[(line, 1)], reason="Again", user=None)

    assert str(error.value) == (
        f"{line.sku}: all 1 units sold are already refunded; set its quantity to 0."
    )
    assert Refund.objects.count() == 1
    assert CreditNote.objects.count() == 1
    assert len(stripe_refunds(localstripe, order)) == 1


def test_refund_with_nothing_chosen_rejected(localstripe):
    order = paid_pe_order(localstripe)

    with pytest.raises(RefundError) as error:
        refund_order(order=order, reason="", user=None)

    assert str(error.value) == (
        f"Nothing to refund on order {order.number}: choose lines and "
        "quantities, the shipping, or an amount."
    )
    assert Refund.objects.count() == 0


def test_refund_of_unpaid_order_rejected(localstripe):
    variant = stocked_variant(price="52.00", unit_cost="20.00")
    order = order_for(province="PE", lines=[(variant, 1)])

    with pytest.raises(RefundError) as error:
        refund_order(order=order, amount=Decimal("5.00"), reason="", user=None)

    assert str(error.value) == (
        f"Order {order.number} is awaiting payment, not paid; only a paid "
        "order can be refunded."
    )
    assert Refund.objects.count() == 0


def test_partial_refunds_add_up_to_sale(localstripe):
    mug = stocked_variant(price="18.50", unit_cost="7.00")
    order = pay(localstripe, order_for(province="NS", lines=[(mug, 3)]))
    ship_lines(order=order, quantities=None, user=None)
    line = order.lines.get()

    refund_order(order=order, amount=Decimal("7.77"), reason="", user=None)
    refund_order(order=order, lines=[(line, 1)], reason="", user=None)
    refund_order(
        order=order,
        lines=[(line, 2)],
        shipping=True,
        restock=True,
        reason="",
        user=None,
    )

    totals = [note.total_amount for note in CreditNote.objects.order_by("number")]
    assert sum(totals) == order.total_amount
    taxes = sum(note.tax_amount for note in CreditNote.objects.all())
    assert taxes == order.tax_amount
    assert Stock.objects.get(variant=mug).quantity_on_hand == 9
    assert Stock.objects.get(variant=mug).value_amount == Decimal("63.00")


def test_credit_note_numbers_gapless(localstripe):
    order = paid_pe_order(localstripe)
    other = paid_pe_order(localstripe)

    refund_order(order=order, amount=Decimal("1.00"), reason="", user=None)
    with pytest.raises(RefundError):
        refund_order(order=other, amount=Decimal("99.00"), reason="", user=None)
    refund_order(order=other, amount=Decimal("2.00"), reason="", user=None)
    refund_order(order=order, amount=Decimal("3.00"), reason="", user=None)

    numbers = list(
        CreditNote.objects.order_by("number").values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3]
