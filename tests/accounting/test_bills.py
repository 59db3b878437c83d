from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from accounting.bills import (
    BillError,
    ExpenseLine,
    GoodsLine,
    enter_supplier_bill,
    pay_supplier_bill,
)
from accounting.models import (
    JournalEntry,
    JournalLine,
    SupplierBill,
    SupplierBillLine,
    SupplierBillPayment,
)
from accounting.posting.bills import post_supplier_bill
from inventory import services as inventory_services
from inventory.models import Stock
from tests.factories.inventory import SupplierFactory
from tests.factories.shop import VariantFactory

BILL_DATE = date(2026, 3, 2)


def balance(key):
    """Return an account's debits less its credits."""
    totals = JournalLine.objects.filter(account__key=key).aggregate(
        debits=Sum("debit"), credits=Sum("credit")
    )
    return (totals["debits"] or Decimal("0")) - (totals["credits"] or Decimal("0"))


def receive(variant, quantity, unit_cost):
    with transaction.atomic():
        return inventory_services.receive_stock(
            variant=variant,
            quantity=quantity,
            unit_cost=Decimal(unit_cost),
            reference="PACKING-SLIP-7",
        )


def sell(variant, quantity):
    with transaction.atomic():
        inventory_services.record_sale(items=[(variant.pk, quantity)], reference="1001")


def stock_value(variant):
    return Stock.objects.get(variant=variant).value_amount


def enter(supplier=None, number="INV-100", lines=(), gst_hst="0.00", **fields):
    return enter_supplier_bill(
        supplier=supplier or SupplierFactory(),
        supplier_invoice_number=number,
        bill_date=fields.pop("bill_date", BILL_DATE),
        due_date=fields.pop("due_date", date(2026, 4, 1)),
        lines=list(lines),
        gst_hst_amount=Decimal(gst_hst),
        user=None,
    )


def postage(amount="40.00"):
    return ExpenseLine(
        account="shipping_expense", amount=Decimal(amount), description="Postage"
    )


@pytest.fixture
def mugs():
    """Ten mugs received at $5.00 each: $50.00 in goods received not billed."""
    variant = VariantFactory(sku="MUG-BLUE")
    receipt = receive(variant, 10, "5.00")
    return variant, receipt


@pytest.mark.django_db
def test_expense_bill_posts_postage_and_gst_hst():
    bill = enter(lines=[postage("40.00")], gst_hst="5.60")

    assert balance("shipping_expense") == Decimal("40.00")
    assert balance("gst_hst_recoverable") == Decimal("5.60")
    assert balance("accounts_payable") == Decimal("-45.60")
    assert bill.subtotal_amount == Decimal("40.00")
    assert bill.total_amount == Decimal("45.60")
    assert bill.balance_due == Decimal("45.60")


@pytest.mark.django_db
def test_bill_entry_references_bill():
    bill = enter(lines=[postage()], gst_hst="5.60")

    entry = JournalEntry.objects.get(event_key=f"bill:{bill.pk}")
    assert entry.supplier_bill == bill
    assert entry.kind == JournalEntry.Kind.SUPPLIER_BILL
    assert entry.entry_date == BILL_DATE
    assert entry.description == f"Bill INV-100 from {bill.supplier}"


@pytest.mark.django_db
def test_expense_line_description_defaults_to_account():
    bill = enter(lines=[ExpenseLine(account="office_supplies", amount=Decimal("12"))])

    line = bill.lines.get()
    assert line.description == "Office and packing supplies"
    assert line.expense_account.key == "office_supplies"


@pytest.mark.django_db
def test_goods_bill_at_receipt_value_clears_grnb(mugs):
    variant, receipt = mugs

    enter(lines=[GoodsLine(receipt=receipt, amount=Decimal("50.00"))], gst_hst="7.50")

    assert balance("goods_received_not_billed") == Decimal("0.00")
    assert balance("inventory") == Decimal("50.00")
    assert balance("gst_hst_recoverable") == Decimal("7.50")
    assert balance("accounts_payable") == Decimal("-57.50")
    assert stock_value(variant) == Decimal("50.00")


@pytest.mark.django_db
def test_goods_bill_higher_with_all_on_hand(mugs):
    variant, receipt = mugs

    bill = enter(lines=[GoodsLine(receipt=receipt, amount=Decimal("52.00"))])

    assert balance("goods_received_not_billed") == Decimal("0.00")
    assert balance("inventory") == Decimal("52.00")
    assert balance("cost_of_goods_sold") == Decimal("0.00")
    assert stock_value(variant) == Decimal("52.00")
    assert bill.lines.get().stock_value_change == Decimal("2.00")


@pytest.mark.django_db
def test_goods_bill_higher_with_all_sold(mugs):
    variant, receipt = mugs
    sell(variant, 10)

    bill = enter(lines=[GoodsLine(receipt=receipt, amount=Decimal("52.00"))])

    assert balance("goods_received_not_billed") == Decimal("0.00")
    assert balance("cost_of_goods_sold") == Decimal("52.00")
    assert balance("inventory") == Decimal("0.00")
    assert stock_value(variant) == Decimal("0.00")
    assert bill.lines.get().stock_value_change == Decimal("0.00")


@pytest.mark.django_db
def test_goods_bill_higher_with_some_sold(mugs):
    variant, receipt = mugs
    sell(variant, 4)

    bill = enter(lines=[GoodsLine(receipt=receipt, amount=Decimal("52.00"))])

    # 6 of the 10 units are on hand: $1.20 to their value, $0.80 to COGS.
    assert bill.lines.get().stock_value_change == Decimal("1.20")
    assert stock_value(variant) == Decimal("31.20")
    assert balance("inventory") == Decimal("31.20")
    assert balance("cost_of_goods_sold") == Decimal("20.80")
    assert balance("goods_received_not_billed") == Decimal("0.00")


@pytest.mark.django_db
def test_goods_bill_lower_takes_value_off(mugs):
    variant, receipt = mugs

    enter(lines=[GoodsLine(receipt=receipt, amount=Decimal("47.00"))])

    assert stock_value(variant) == Decimal("47.00")
    assert balance("inventory") == Decimal("47.00")
    assert balance("goods_received_not_billed") == Decimal("0.00")


@pytest.mark.django_db
def test_goods_bill_lower_never_below_zero_value():
    variant = VariantFactory()
    with transaction.atomic():
        inventory_services.set_opening_stock(variant=variant, quantity=10)
    receipt = receive(variant, 5, "10.00")
    sell(variant, 10)
    value_before = stock_value(variant)

    bill = enter(lines=[GoodsLine(receipt=receipt, amount=Decimal("0.01"))])

    change = bill.lines.get().stock_value_change
    assert change == -value_before
    assert stock_value(variant) == Decimal("0.00")
    assert balance("inventory") == Decimal("0.00")
    assert balance("goods_received_not_billed") == Decimal("0.00")


@pytest.mark.django_db
def test_receipt_billed_twice_rejected(mugs):
    variant, receipt = mugs
    supplier = SupplierFactory()
    enter(supplier, "INV-1", [GoodsLine(receipt=receipt, amount=Decimal("52.00"))])
    entries = JournalEntry.objects.count()

    with pytest.raises(BillError, match=r"already billed on .* INV-1"):
        enter(supplier, "INV-2", [GoodsLine(receipt=receipt, amount=Decimal("52"))])

    assert SupplierBill.objects.count() == 1
    assert SupplierBillLine.objects.count() == 1
    assert JournalEntry.objects.count() == entries
    assert stock_value(variant) == Decimal("52.00")
    assert balance("inventory") == Decimal("52.00")


@pytest.mark.django_db
def test_receipt_twice_on_one_bill_rejected(mugs):
    _, receipt = mugs
    line = GoodsLine(receipt=receipt, amount=Decimal("25.00"))

    with pytest.raises(BillError, match="is on the bill twice"):
        enter(lines=[line, line])

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_movement_not_receipt_rejected():
    variant = VariantFactory()
    with transaction.atomic():
        opening = inventory_services.set_opening_stock(variant=variant, quantity=3)

    with pytest.raises(BillError, match="is not a receipt of goods"):
        enter(lines=[GoodsLine(receipt=opening, amount=Decimal("9.00"))])

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_non_expense_account_rejected():
    line = ExpenseLine(account="inventory", amount=Decimal("40.00"))

    with pytest.raises(BillError) as error:
        enter(lines=[line])

    assert str(error.value) == (
        "Account 1200 Inventory is an asset account; charge the line to an "
        "expense account such as Shipping expense, or bill goods through "
        "their receipt."
    )
    assert SupplierBill.objects.count() == 0
    assert JournalEntry.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_invoice_number_rejected():
    supplier = SupplierFactory(name="Harbour Pottery")
    enter(supplier, "INV-100", [postage()])

    with pytest.raises(BillError) as error:
        enter(supplier, " inv-100 ", [postage("10.00")])

    assert str(error.value).startswith(
        "Invoice inv-100 from Harbour Pottery is already entered (bill dated "
        "2026-03-02)"
    )
    assert error.value.field == "supplier_invoice_number"
    assert SupplierBill.objects.count() == 1
    assert balance("shipping_expense") == Decimal("40.00")


@pytest.mark.django_db
def test_same_invoice_number_other_supplier_accepted():
    enter(SupplierFactory(), "INV-100", [postage()])

    enter(SupplierFactory(), "INV-100", [postage()])

    assert SupplierBill.objects.count() == 2


@pytest.mark.django_db
def test_gst_hst_at_fifteen_percent_accepted():
    bill = enter(lines=[postage("40.00")], gst_hst="6.00")

    assert bill.total_amount == Decimal("46.00")


@pytest.mark.django_db
def test_gst_hst_above_fifteen_percent_rejected():
    with pytest.raises(BillError) as error:
        enter(lines=[postage("40.00")], gst_hst="45.60")

    assert str(error.value) == (
        "The GST/HST of $45.60 is more than 15% of the $40.00 subtotal ($6.00), "
        "the highest rate in Canada; enter the GST/HST printed on the bill, "
        "not its total."
    )
    assert error.value.field == "gst_hst_amount"
    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_gst_hst_rounding_allowance_per_line():
    lines = [postage("10.03"), postage("10.03")]

    bill = enter(lines=lines, gst_hst="3.02")

    assert bill.gst_hst_amount == Decimal("3.02")


@pytest.mark.django_db
def test_negative_gst_hst_rejected():
    with pytest.raises(BillError, match=r"The GST/HST is \$-1.00"):
        enter(lines=[postage()], gst_hst="-1.00")

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0.00", "-40.00"])
def test_line_amount_not_positive_rejected(amount):
    with pytest.raises(BillError, match=rf"'Postage' has an amount of \${amount}"):
        enter(lines=[postage(amount)])

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_line_amount_fraction_of_cent_rejected():
    with pytest.raises(BillError, match=r"enter it to the cent, e.g. \$40.01"):
        enter(lines=[postage("40.005")])

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_bill_without_lines_rejected():
    with pytest.raises(BillError, match="Add at least one line"):
        enter(lines=[])

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_due_date_before_bill_date_rejected():
    with pytest.raises(BillError, match="due date 2026-03-01 is before"):
        enter(lines=[postage()], due_date=date(2026, 3, 1))

    assert SupplierBill.objects.count() == 0


@pytest.mark.django_db
def test_payment_posts_and_reduces_balance():
    bill = enter(lines=[postage("40.00")], gst_hst="5.60")

    payment = pay_supplier_bill(
        bill=bill,
        amount=Decimal("20.00"),
        paid_on=date(2026, 3, 20),
        reference="EFT 88",
    )

    assert bill.balance_due == Decimal("25.60")
    assert balance("accounts_payable") == Decimal("-25.60")
    assert balance("bank") == Decimal("-20.00")
    entry = JournalEntry.objects.get(event_key=f"bill-payment:{payment.pk}")
    assert entry.supplier_bill == bill
    assert entry.kind == JournalEntry.Kind.BILL_PAYMENT
    assert entry.entry_date == date(2026, 3, 20)


@pytest.mark.django_db
def test_payment_of_balance_settles_bill():
    bill = enter(lines=[postage("40.00")], gst_hst="5.60")
    pay_supplier_bill(bill=bill, amount=Decimal("20.00"), paid_on=BILL_DATE)

    pay_supplier_bill(bill=bill, amount=Decimal("25.60"), paid_on=BILL_DATE)

    assert bill.balance_due == Decimal("0.00")
    assert bill.paid_amount == Decimal("45.60")
    assert balance("accounts_payable") == Decimal("0.00")
    assert balance("bank") == Decimal("-45.60")


@pytest.mark.django_db
def test_overpayment_rejected():
    bill = enter(number="INV-9", lines=[postage("40.00")], gst_hst="5.60")
    pay_supplier_bill(bill=bill, amount=Decimal("20.00"), paid_on=BILL_DATE)

    with pytest.raises(BillError) as error:
        pay_supplier_bill(bill=bill, amount=Decimal("25.61"), paid_on=BILL_DATE)

    assert str(error.value) == (
        f"The payment of $25.61 is more than the $25.60 still due on bill "
        f"{bill.supplier} INV-9; enter at most $25.60."
    )
    bill.refresh_from_db()
    assert bill.paid_amount == Decimal("20.00")
    assert SupplierBillPayment.objects.count() == 1
    assert balance("bank") == Decimal("-20.00")


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_payment_not_positive_rejected(amount):
    bill = enter(lines=[postage()])

    with pytest.raises(BillError, match=rf"The payment is \${amount}"):
        pay_supplier_bill(bill=bill, amount=Decimal(amount), paid_on=BILL_DATE)

    assert SupplierBillPayment.objects.count() == 0
    assert balance("bank") == Decimal("0")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sold", "billed", "to_stock", "to_cogs"),
    [
        (0, "31.00", "1.00", "0.00"),
        (1, "31.00", "0.67", "0.33"),
        (2, "31.00", "0.33", "0.67"),
        (3, "31.00", "0.00", "1.00"),
        (1, "29.00", "-0.67", "-0.33"),
    ],
)
def test_price_difference_split_by_units_on_hand(sold, billed, to_stock, to_cogs):
    variant = VariantFactory()
    receipt = receive(variant, 3, "10.00")
    if sold:
        sell(variant, sold)
    value_before = stock_value(variant)
    cogs_before = balance("cost_of_goods_sold")

    bill = enter(lines=[GoodsLine(receipt=receipt, amount=Decimal(billed))])

    assert bill.lines.get().stock_value_change == Decimal(to_stock)
    assert stock_value(variant) - value_before == Decimal(to_stock)
    assert balance("cost_of_goods_sold") - cogs_before == Decimal(to_cogs)
    assert balance("inventory") == stock_value(variant)
    assert balance("goods_received_not_billed") == Decimal("0.00")


@pytest.mark.django_db
def test_goods_and_freight_bill_balances(mugs):
    _, receipt = mugs
    lines = [
        GoodsLine(receipt=receipt, amount=Decimal("50.00")),
        ExpenseLine("shipping_expense", Decimal("12.50"), "Freight in"),
    ]

    bill = enter(lines=lines, gst_hst="9.38")

    assert bill.subtotal_amount == Decimal("62.50")
    assert bill.total_amount == Decimal("71.88")
    assert balance("accounts_payable") == Decimal("-71.88")
    assert balance("shipping_expense") == Decimal("12.50")
    assert balance("goods_received_not_billed") == Decimal("0.00")


@pytest.mark.django_db
def test_bill_posting_runs_once():
    bill = enter(lines=[postage()], gst_hst="5.60")

    with transaction.atomic():
        again = post_supplier_bill(bill=bill)

    assert again == JournalEntry.objects.get(event_key=f"bill:{bill.pk}")
    assert balance("accounts_payable") == Decimal("-45.60")


@pytest.mark.django_db
def test_payment_fraction_of_cent_rejected():
    bill = enter(lines=[postage()])

    with pytest.raises(BillError, match=r"enter it to the cent, e.g. \$10.01"):
        pay_supplier_bill(bill=bill, amount=Decimal("10.005"), paid_on=BILL_DATE)

    assert SupplierBillPayment.objects.count() == 0
