from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounting.bills import ExpenseLine, enter_supplier_bill
from accounting.models import Account, JournalEntry, SupplierBill, SupplierBillPayment
from inventory import services as inventory_services
from tests.factories.inventory import SupplierFactory
from tests.factories.shop import VariantFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:accounting_supplierbill_add")


def bill_form(supplier, lines, **fields):
    """Return POST data for the add form.

    Each line is (expense account, receipt, amount).
    """
    data = {
        "supplier": supplier.pk,
        "supplier_invoice_number": "INV-100",
        "bill_date": "2026-03-02",
        "due_date": "2026-04-01",
        "gst_hst_amount": "5.60",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (account, receipt, amount) in enumerate(lines):
        data[f"lines-{index}-description"] = "Postage" if account else ""
        data[f"lines-{index}-expense_account"] = account.pk if account else ""
        data[f"lines-{index}-receipt"] = receipt.pk if receipt else ""
        data[f"lines-{index}-amount"] = amount
    data.update(fields)
    return data


@pytest.fixture
def postage_account():
    return Account.objects.get(key="shipping_expense")


@pytest.fixture
def bill():
    with transaction.atomic():
        return enter_supplier_bill(
            supplier=SupplierFactory(name="Canada Post"),
            supplier_invoice_number="CP-881",
            bill_date=date(2026, 3, 2),
            due_date=None,
            lines=[ExpenseLine("shipping_expense", Decimal("40.00"), "Postage")],
            gst_hst_amount=Decimal("5.60"),
        )


def test_bill_admin_enters_expense_bill(admin_client, postage_account):
    supplier = SupplierFactory()
    data = bill_form(supplier, [(postage_account, None, "40.00")])

    response = admin_client.post(ADD_URL, data)

    bill = SupplierBill.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounting_supplierbill_changelist")
    assert bill.total_amount == Decimal("45.60")
    assert bill.created_by.username == "admin"
    assert bill.lines.get().expense_account == postage_account
    assert JournalEntry.objects.filter(event_key=f"bill:{bill.pk}").exists()


def test_bill_admin_enters_goods_bill(admin_client):
    variant = VariantFactory(sku="MUG-BLUE")
    with transaction.atomic():
        receipt = inventory_services.receive_stock(
            variant=variant, quantity=10, unit_cost=Decimal("5.00"), reference="PS-7"
        )
    data = bill_form(SupplierFactory(), [(None, receipt, "50.00")], gst_hst_amount="0")

    admin_client.post(ADD_URL, data)

    line = SupplierBill.objects.get().lines.get()
    assert line.receipt == receipt
    assert line.quantity == 10
    assert line.description == str(variant)


def test_bill_admin_shows_gst_hst_error(admin_client, postage_account):
    data = bill_form(
        SupplierFactory(), [(postage_account, None, "40.00")], gst_hst_amount="45.60"
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors == [
        "The GST/HST of $45.60 is more than 15% of the $40.00 subtotal ($6.00), "
        "the highest rate in Canada; enter the GST/HST printed on the bill, "
        "not its total."
    ]
    assert response.context["adminform"].form["supplier_invoice_number"].value() == (
        "INV-100"
    )
    assert SupplierBill.objects.count() == 0
    assert JournalEntry.objects.count() == 0


def test_bill_admin_line_needs_account_or_receipt(admin_client):
    data = bill_form(SupplierFactory(), [(None, None, "40.00")])

    response = admin_client.post(ADD_URL, data)

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["expense_account"] == [
        "Choose an expense account or a receipt of goods for the line, not both."
    ]
    assert SupplierBill.objects.count() == 0


def test_bill_admin_offers_only_expense_accounts(admin_client):
    response = admin_client.get(ADD_URL)

    formset = response.context["inline_admin_formsets"][0].formset
    choices = formset.forms[0].fields["expense_account"].queryset
    assert {account.type for account in choices} == {"expense"}


def test_bill_admin_posted_bill_read_only(admin_client, bill):
    url = reverse("admin:accounting_supplierbill_change", args=[bill.pk])

    response = admin_client.post(url, {"supplier_invoice_number": "CP-999"})

    bill.refresh_from_db()
    assert response.status_code == 403
    assert bill.supplier_invoice_number == "CP-881"


def test_bill_admin_records_payment(admin_client, bill):
    url = reverse("admin:accounting_supplierbill_pay", args=[bill.pk])
    data = {"amount": "45.60", "paid_on": "2026-03-20", "reference": "EFT 88"}

    response = admin_client.post(url, data)

    bill.refresh_from_db()
    payment = SupplierBillPayment.objects.get()
    assert response.status_code == 302
    assert bill.balance_due == Decimal("0.00")
    assert payment.reference == "EFT 88"
    assert payment.paid_on == date(2026, 3, 20)


def test_bill_admin_payment_offers_balance(admin_client, bill):
    url = reverse("admin:accounting_supplierbill_pay", args=[bill.pk])

    response = admin_client.get(url)

    assert response.context["form"]["amount"].value() == Decimal("45.60")


def test_bill_admin_overpayment_shows_error(admin_client, bill):
    url = reverse("admin:accounting_supplierbill_pay", args=[bill.pk])
    data = {"amount": "50.00", "paid_on": "2026-03-20", "reference": "EFT 88"}

    response = admin_client.post(url, data)

    form = response.context["form"]
    assert form.errors["amount"] == [
        "The payment of $50.00 is more than the $45.60 still due on bill "
        "Canada Post CP-881; enter at most $45.60."
    ]
    assert form["reference"].value() == "EFT 88"
    assert SupplierBillPayment.objects.count() == 0


def test_supplier_admin_lists_lead_time(admin_client):
    SupplierFactory(name="Harbour Pottery", lead_time_days=15)

    response = admin_client.get(reverse("admin:inventory_supplier_changelist"))

    assert response.context["cl"].result_list[0].lead_time_days == 15
    assert "Harbour Pottery" in response.content.decode()
