"""A purchase order from reorder suggestion to the supplier bill paid."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from accounting.bills import GoodsLine, enter_supplier_bill, pay_supplier_bill
from inventory import purchasing
from inventory.models import PurchaseOrder, Stock
from tests.factories.inventory import SupplierFactory
from tests.inventory.purchasing_setup import balance, stocked_variant

pytestmark = pytest.mark.django_db


def test_purchase_order_received_billed_and_paid(django_capture_on_commit_callbacks):
    supplier = SupplierFactory(name="Harbour Pottery")
    mug = stocked_variant(
        supplier=supplier, reorder_point=5, reorder_quantity=12, unit_cost="4.00"
    )
    [purchase_order] = purchasing.create_draft_purchase_orders(
        suggestions=purchasing.reorder_suggestions(), user=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)
    line = purchase_order.lines.get()

    first = purchasing.receive_purchase_order(
        purchase_order=purchase_order, quantities={line.pk: 5}, user=None
    )
    second = purchasing.receive_purchase_order(
        purchase_order=purchase_order, quantities={line.pk: 7}, user=None
    )
    received = {
        "status": purchase_order.status,
        "inventory": balance("inventory"),
        "goods_received_not_billed": balance("goods_received_not_billed"),
    }
    bill = enter_supplier_bill(
        supplier=supplier,
        supplier_invoice_number="HP-2231",
        bill_date=date(2026, 3, 20),
        due_date=date(2026, 4, 19),
        lines=[
            GoodsLine(receipt=first.movements[0], amount=Decimal("20.00")),
            GoodsLine(receipt=second.movements[0], amount=Decimal("28.00")),
        ],
        gst_hst_amount=Decimal("6.72"),
    )
    pay_supplier_bill(bill=bill, amount=Decimal("54.72"), paid_on=date(2026, 4, 10))

    assert len(mail.outbox) == 1
    assert received == {
        "status": PurchaseOrder.Status.RECEIVED,
        "inventory": Decimal("48.00"),
        "goods_received_not_billed": Decimal("-48.00"),
    }
    assert Stock.objects.get(variant=mug).value_amount == Decimal("48.00")
    assert balance("inventory") == Decimal("48.00")
    assert balance("goods_received_not_billed") == Decimal("0.00")
    assert balance("gst_hst_recoverable") == Decimal("6.72")
    assert balance("accounts_payable") == Decimal("0.00")
    assert balance("bank") == Decimal("-54.72")
