"""What is left to refund on orders whose line taxes include shipping tax.

Checkout stores each line's tax with its share of the shipping tax, so the
lines' taxes add up to the order's tax. The amount left to refund must
count that shipping tax once, in every province.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from accounting.credit_note_amounts import Credit, CreditLine, CreditTax
from accounting.credit_notes import issue_credit_note, order_balance
from accounting.models import CreditNote, JournalEntry
from orders.models import Order, Refund
from shop.money import ZERO
from tests.accounting.ledger_setup import account_balances
from tests.accounting.refunds_setup import order_for, pay, stocked_variant

pytestmark = pytest.mark.django_db

SHIPPING = Decimal("15.90")


def checkout_order(*, province: str) -> Order:
    """Create an order as checkout writes it, before payment.

    One $39.99 item and two $14.50 items shipped for $15.90: $68.99 of
    goods and $84.89 taxable with the shipping. The shop collects PST and
    QST (test settings), so BC and QC orders carry a provincial tax too.
    """
    return order_for(
        province=province,
        lines=[
            (stocked_variant(price="39.99", unit_cost="5.00"), 1),
            (stocked_variant(price="14.50", unit_cost="5.00"), 2),
        ],
        shipping=str(SHIPPING),
        registrations=[province],
        shipping_tax_on_lines=True,
    )


def refund_url(order: Order) -> str:
    return reverse("admin:accounting_refund_order", args=[order.pk])


def left_to_refund(admin_client, order: Order) -> str:
    content = admin_client.get(refund_url(order)).content.decode()
    return content.split("Left to refund: ")[1].split("<")[0]


# (province, taxes charged, total paid). ON: HST 13% of $84.89 is $11.04.
# BC: GST 5% is $4.24 and PST 7% is $5.94. QC: GST $4.24, QST 9.975% $8.47.
PROVINCE_TOTALS = [
    ("ON", {"HST": "11.04"}, "95.93"),
    ("BC", {"GST": "4.24", "PST": "5.94"}, "95.07"),
    ("QC", {"GST": "4.24", "QST": "8.47"}, "97.60"),
]


@pytest.mark.parametrize(("province", "taxes", "total"), PROVINCE_TOTALS)
def test_left_to_refund_equals_paid(admin_client, localstripe, province, taxes, total):
    order = pay(localstripe, checkout_order(province=province))

    charged = {tax.code: str(tax.amount) for tax in order.taxes.all()}
    assert charged == taxes
    assert order.total_amount == Decimal(total)
    assert sum(line.tax_amount for line in order.lines.all()) == order.tax_amount
    assert left_to_refund(admin_client, order) == f"${total}"


@pytest.mark.parametrize(("province", "taxes", "total"), PROVINCE_TOTALS)
def test_two_lump_sums_leave_nothing(admin_client, localstripe, province, taxes, total):
    order = pay(localstripe, checkout_order(province=province))
    rest = Decimal(total) - Decimal("50.00")

    first = admin_client.post(refund_url(order), {"amount": "50.00", "reason": "Late"})
    assert first.status_code == 302
    assert left_to_refund(admin_client, order) == f"${rest}"
    second = admin_client.post(
        refund_url(order), {"amount": str(rest), "reason": "Late"}
    )
    assert second.status_code == 302

    assert left_to_refund(admin_client, order) == "$0.00"
    notes = CreditNote.objects.filter(order=order)
    assert notes.aggregate(total=Sum("total_amount"))["total"] == Decimal(total)
    assert notes.aggregate(tax=Sum("tax_amount"))["tax"] == order.tax_amount
    assert notes.aggregate(ship=Sum("shipping_amount"))["ship"] == SHIPPING
    assert Refund.objects.aggregate(total=Sum("amount"))["total"] == Decimal(total)
    balances = account_balances()
    assert balances["gst_hst_payable"] == ZERO
    assert balances["stripe_clearing"] == ZERO
    for entry in JournalEntry.objects.prefetch_related("lines"):
        debits = sum(line.debit for line in entry.lines.all())
        assert debits == sum(line.credit for line in entry.lines.all()), entry


@pytest.mark.parametrize(("province", "taxes", "total"), PROVINCE_TOTALS)
def test_line_refund_then_lump_sum(admin_client, localstripe, province, taxes, total):
    order = pay(localstripe, checkout_order(province=province))
    first_line = order.lines.order_by("pk").first()

    by_line = admin_client.post(
        refund_url(order),
        {f"line_{first_line.pk}": "1", "shipping": "on", "reason": "Damaged"},
    )
    assert by_line.status_code == 302
    refunded = Refund.objects.get().amount
    rest = Decimal(total) - refunded
    assert left_to_refund(admin_client, order) == f"${rest}"
    lump = admin_client.post(refund_url(order), {"amount": str(rest), "reason": "Late"})
    assert lump.status_code == 302

    assert left_to_refund(admin_client, order) == "$0.00"
    notes = CreditNote.objects.filter(order=order)
    assert notes.aggregate(tax=Sum("tax_amount"))["tax"] == order.tax_amount
    assert notes.aggregate(ship=Sum("shipping_amount"))["ship"] == SHIPPING


def test_refund_after_full_refund_rejected(admin_client, localstripe):
    order = pay(localstripe, checkout_order(province="ON"))
    admin_client.post(refund_url(order), {"amount": "95.93", "reason": "Lost"})

    response = admin_client.post(
        refund_url(order), {"amount": "2.07", "reason": "Lost"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Refund amount $2.07 is more than the $0.00 left to refund on order "
        f"{order.number}; everything paid is already refunded."
    ) in content
    assert 'value="2.07"' in content
    assert 'value="Lost"' in content
    assert Refund.objects.count() == 1


def test_refund_above_left_names_maximum(admin_client, localstripe):
    order = pay(localstripe, checkout_order(province="ON"))

    response = admin_client.post(
        refund_url(order), {"amount": "98.00", "reason": "Lost"}
    )

    content = response.content.decode()
    assert (
        f"Refund amount $98.00 is more than the $95.93 left to refund on order "
        f"{order.number}; enter $95.93 or less."
    ) in content
    assert 'value="98.00"' in content
    assert Refund.objects.count() == 0


def test_refund_rounding_to_zero_rejected(admin_client, localstripe):
    order = pay(localstripe, checkout_order(province="QC"))

    response = admin_client.post(
        refund_url(order), {"amount": "0.004", "reason": "Dent"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert (
        "Refund amount 0.004 rounds to $0.00 or less; enter an amount from $0.01 "
        f"to $97.60, the amount left to refund on order {order.number}."
    ) in content
    assert 'value="0.004"' in content
    assert Refund.objects.count() == 0


def test_refund_of_part_cents_rejected(admin_client, localstripe):
    order = pay(localstripe, checkout_order(province="BC"))

    response = admin_client.post(
        refund_url(order), {"amount": "10.005", "reason": "Dent"}
    )

    assert (
        "Refund amount 10.005 is not in whole cents; enter an amount from $0.01 "
        f"to $95.07, the amount left to refund on order {order.number}."
    ) in response.content.decode()
    assert Refund.objects.count() == 0


def test_credit_with_shipping_tax_on_lines(localstripe):
    """A credit note may carry the lines' shares of the shipping tax.

    Credit notes issued from the lines' stored taxes put the $2.07 of HST
    on shipping on the lines ($6.40 and $4.64) and none on the shipping.
    """
    order = pay(localstripe, checkout_order(province="ON"))
    lines = list(order.lines.order_by("pk"))
    credit = Credit(
        lines=tuple(
            CreditLine(line.pk, line.quantity, line.subtotal_amount, line.tax_amount)
            for line in lines
        ),
        shipping_net=SHIPPING,
        shipping_tax=ZERO,
        taxes=(CreditTax("HST", "HST", Decimal("0.13"), Decimal("11.04")),),
    )
    with transaction.atomic():
        issue_credit_note(order=order, credit=credit, reason="Lost")

    balance = order_balance(order)

    assert [line.tax_amount for line in lines] == [Decimal("6.40"), Decimal("4.64")]
    assert balance.remaining_total == ZERO
    assert [line.remaining_tax for line in balance.lines] == [ZERO, ZERO]
    assert balance.remaining_shipping_tax == ZERO
