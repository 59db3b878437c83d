from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from inventory import purchasing
from inventory.models import PurchaseOrder
from inventory.purchasing import PurchaseOrderError
from shop.models import EmailLog
from tests.factories.inventory import SupplierFactory
from tests.inventory.purchasing_setup import open_purchase_order, stocked_variant

pytestmark = pytest.mark.django_db

Status = PurchaseOrder.Status


def test_transitions_follow_the_purchase_order_path():
    allowed = {
        status: sorted(targets)
        for status, targets in purchasing.ALLOWED_TRANSITIONS.items()
    }

    assert allowed == {
        "draft": ["cancelled", "sent"],
        "sent": ["cancelled", "partly_received", "received"],
        "partly_received": ["partly_received", "received"],
        "received": [],
        "cancelled": [],
    }


def test_create_purchase_order_numbers_in_sequence():
    supplier = SupplierFactory()

    first = purchasing.create_purchase_order(supplier=supplier, user=None)
    second = purchasing.create_purchase_order(supplier=supplier, user=None)

    assert second.number == first.number + 1
    assert first.status == Status.DRAFT


def test_create_purchase_order_expects_goods_after_lead_time():
    supplier = SupplierFactory(lead_time_days=3)
    # 14:00 UTC is 10:00 in Halifax on Friday, March 6, 2026.
    friday = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: friday)
        purchase_order = purchasing.create_purchase_order(supplier=supplier, user=None)

    assert purchase_order.expected_date == date(2026, 3, 11)


def test_create_drafts_groups_lines_by_supplier():
    pottery = SupplierFactory(name="Harbour Pottery")
    linens = SupplierFactory(name="Atlantic Linens")
    mug = stocked_variant(
        sku="MUG", supplier=pottery, reorder_point=5, reorder_quantity=12
    )
    bowl = stocked_variant(
        sku="BOWL", supplier=pottery, reorder_point=2, unit_cost="7.50"
    )
    towel = stocked_variant(
        sku="TOWEL", supplier=linens, reorder_point=4, reorder_quantity=10
    )

    orders = purchasing.create_draft_purchase_orders(
        suggestions=purchasing.reorder_suggestions(), user=None
    )

    assert [order.supplier for order in orders] == [linens, pottery]
    assert [order.status for order in orders] == [Status.DRAFT, Status.DRAFT]
    lines = {
        order.supplier.name: [
            (line.variant, line.quantity_ordered, line.unit_cost)
            for line in order.lines.all()
        ]
        for order in orders
    }
    assert lines == {
        "Atlantic Linens": [(towel, 10, Decimal("4.00"))],
        "Harbour Pottery": [(bowl, 3, Decimal("7.50")), (mug, 12, Decimal("4.00"))],
    }


def test_create_drafts_skips_variants_without_supplier():
    stocked_variant(reorder_point=5)

    orders = purchasing.create_draft_purchase_orders(
        suggestions=purchasing.reorder_suggestions(), user=None
    )

    assert orders == []
    assert PurchaseOrder.objects.count() == 0


def test_create_drafts_takes_variants_off_reorder_list():
    stocked_variant(supplier=SupplierFactory(), reorder_point=5, reorder_quantity=12)

    purchasing.create_draft_purchase_orders(
        suggestions=purchasing.reorder_suggestions(), user=None
    )

    assert purchasing.reorder_suggestions() == []


def test_send_marks_order_sent_and_queues_email(django_capture_on_commit_callbacks):
    variant = stocked_variant()
    purchase_order = open_purchase_order(
        lines=[(variant, 10, 0, "4.25")], status=Status.DRAFT
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)

    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.SENT
    assert purchase_order.sent_at is not None
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_send_without_supplier_email_is_refused(django_capture_on_commit_callbacks):
    supplier = SupplierFactory(name="Cove Candles", email="")
    purchase_order = open_purchase_order(
        supplier=supplier,
        lines=[(stocked_variant(), 5, 0, "3.00")],
        status=Status.DRAFT,
    )

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PurchaseOrderError) as error,
    ):
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)

    assert str(error.value) == (
        f"Cove Candles has no email address, so PO {purchase_order.number} "
        "cannot be emailed; add the address on the supplier's page and send "
        "it again."
    )
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.DRAFT
    assert purchase_order.sent_at is None
    assert callbacks == []
    assert mail.outbox == []


def test_send_without_lines_is_refused():
    purchase_order = open_purchase_order(lines=[], status=Status.DRAFT)

    with pytest.raises(PurchaseOrderError) as error:
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)

    assert str(error.value) == (
        f"PO {purchase_order.number} has no lines; add what to order, then send it."
    )
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.DRAFT


def test_send_twice_is_refused(django_capture_on_commit_callbacks):
    purchase_order = open_purchase_order(
        lines=[(stocked_variant(), 5, 0, "3.00")], status=Status.DRAFT
    )
    # 14:00 UTC on March 6, 2026 is 10:00 in Halifax.
    sent_at = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(timezone, "now", lambda: sent_at)
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)

    with pytest.raises(PurchaseOrderError) as error:
        purchasing.send_purchase_order(purchase_order=purchase_order, user=None)

    assert str(error.value) == (
        f"PO {purchase_order.number} is sent, so it cannot be sent; "
        "it went to the supplier on March 6, 2026."
    )
    assert EmailLog.objects.filter(kind="purchase_order").count() == 1


def test_cancel_sent_order():
    purchase_order = open_purchase_order(lines=[(stocked_variant(), 5, 0, "3.00")])

    purchasing.cancel_purchase_order(purchase_order=purchase_order, user=None)

    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.CANCELLED


def test_cancel_order_with_receipts_is_refused():
    purchase_order = open_purchase_order(
        lines=[(stocked_variant(), 5, 2, "3.00")], status=Status.PARTLY_RECEIVED
    )

    with pytest.raises(PurchaseOrderError) as error:
        purchasing.cancel_purchase_order(purchase_order=purchase_order, user=None)

    assert str(error.value) == (
        f"PO {purchase_order.number} has goods received against it, so it "
        "cannot be cancelled; receive the rest or ask the supplier to close it."
    )
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.PARTLY_RECEIVED


def test_cancel_cancelled_order_is_refused():
    purchase_order = open_purchase_order(lines=[], status=Status.CANCELLED)

    with pytest.raises(PurchaseOrderError) as error:
        purchasing.cancel_purchase_order(purchase_order=purchase_order, user=None)

    assert str(error.value) == (
        f"PO {purchase_order.number} is cancelled, so it cannot be cancelled; "
        "draft a new purchase order instead."
    )


def test_lines_editable_only_while_draft():
    draft = open_purchase_order(lines=[], status=Status.DRAFT)
    sent = open_purchase_order(lines=[], status=Status.SENT)

    purchasing.check_lines_editable(draft)
    with pytest.raises(PurchaseOrderError) as error:
        purchasing.check_lines_editable(sent)

    assert str(error.value) == (
        f"PO {sent.number} is sent, so its lines can no longer change; cancel "
        "it and draft a new purchase order instead."
    )
