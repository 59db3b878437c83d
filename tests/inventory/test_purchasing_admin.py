from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from inventory.models import PurchaseOrder, PurchaseOrderLine, Stock
from tests.factories.inventory import SupplierFactory
from tests.inventory.purchasing_setup import (
    line_for,
    open_purchase_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

Status = PurchaseOrder.Status


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def line_formset(prefix="lines", rows=(), initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def test_add_purchase_order_defaults_unit_cost(staff_client):
    supplier = SupplierFactory()
    variant = stocked_variant(unit_cost="4.25")

    response = staff_client.post(
        reverse("admin:inventory_purchaseorder_add"),
        {
            "supplier": supplier.pk,
            "expected_date": "2026-04-01",
            "notes": "",
            **line_formset(
                rows=[
                    {"variant": variant.pk, "quantity_ordered": "12", "unit_cost": ""}
                ]
            ),
        },
    )

    assert response.status_code == 302
    purchase_order = PurchaseOrder.objects.get()
    [line] = purchase_order.lines.all()
    assert purchase_order.status == Status.DRAFT
    assert purchase_order.number >= 1
    assert (line.variant, line.quantity_ordered) == (variant, 12)
    assert line.unit_cost == Decimal("4.25")


def test_add_line_without_any_unit_cost_is_refused(staff_client):
    supplier = SupplierFactory()
    variant = stocked_variant(sku="NEW-1")
    variant.unit_cost = None
    variant.save()

    response = staff_client.post(
        reverse("admin:inventory_purchaseorder_add"),
        {
            "supplier": supplier.pk,
            "expected_date": "2026-04-01",
            **line_formset(
                rows=[{"variant": variant.pk, "quantity_ordered": "5", "unit_cost": ""}]
            ),
        },
    )

    assert response.status_code == 200
    assert (
        "NEW-1 has no unit cost on file; enter the price per unit agreed with "
        "the supplier." in response.content.decode()
    )
    assert PurchaseOrder.objects.count() == 0


def test_sent_order_lines_cannot_change(staff_client):
    variant = stocked_variant()
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])
    line = line_for(purchase_order, variant)

    staff_client.post(
        reverse("admin:inventory_purchaseorder_change", args=[purchase_order.pk]),
        {
            "supplier": purchase_order.supplier.pk,
            "expected_date": "2026-04-01",
            **line_formset(
                rows=[
                    {
                        "id": line.pk,
                        "purchase_order": purchase_order.pk,
                        "variant": variant.pk,
                        "quantity_ordered": "99",
                        "unit_cost": "1.00",
                    }
                ],
                initial=1,
            ),
        },
    )

    line.refresh_from_db()
    assert line.quantity_ordered == 10
    assert line.unit_cost == Decimal("4.25")


def test_send_button_emails_supplier(staff_client, django_capture_on_commit_callbacks):
    purchase_order = open_purchase_order(
        lines=[(stocked_variant(), 10, 0, "4.25")], status=Status.DRAFT
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:inventory_purchaseorder_send", args=[purchase_order.pk])
        )

    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.SENT
    assert len(mail.outbox) == 1
    assert message_texts(response) == [
        f"PO {purchase_order.number} is sent; the email to "
        f"{purchase_order.supplier.email} goes out in a moment."
    ]


def test_send_button_without_email_shows_message(staff_client):
    supplier = SupplierFactory(name="Cove Candles", email="")
    purchase_order = open_purchase_order(
        supplier=supplier,
        lines=[(stocked_variant(), 10, 0, "4.25")],
        status=Status.DRAFT,
    )

    response = staff_client.post(
        reverse("admin:inventory_purchaseorder_send", args=[purchase_order.pk])
    )

    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.DRAFT
    assert message_texts(response) == [
        f"Cove Candles has no email address, so PO {purchase_order.number} "
        "cannot be emailed; add the address on the supplier's page and send "
        "it again."
    ]


def test_receive_form_receives_part(staff_client):
    variant = stocked_variant()
    purchase_order = open_purchase_order(lines=[(variant, 10, 0, "4.25")])
    line = line_for(purchase_order, variant)
    url = reverse("admin:inventory_purchaseorder_receive", args=[purchase_order.pk])

    response = staff_client.post(url, {f"line_{line.pk}": "4"})

    assert response.status_code == 302
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.PARTLY_RECEIVED
    assert Stock.objects.get(variant=variant).quantity_on_hand == 4
    assert message_texts(response) == [
        f"Received 4 units on PO {purchase_order.number}, now partly received; "
        "0 waiting order lines got stock and can ship."
    ]


def test_receive_form_over_receipt_keeps_input(staff_client):
    variant = stocked_variant(sku="MUG-BLUE")
    purchase_order = open_purchase_order(lines=[(variant, 10, 4, "4.25")])
    line = line_for(purchase_order, variant)
    url = reverse("admin:inventory_purchaseorder_receive", args=[purchase_order.pk])

    response = staff_client.post(url, {f"line_{line.pk}": "7"})

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f"MUG-BLUE on PO {purchase_order.number}: 7 units received but only 6 "
        "outstanding" in page
    )
    assert f'name="line_{line.pk}" value="7"' in page
    line.refresh_from_db()
    assert line.quantity_received == 4
    assert Stock.objects.get(variant=variant).quantity_on_hand == 0


def test_reorder_screen_lists_suggestions(staff_client):
    supplier = SupplierFactory(name="Harbour Pottery")
    stocked_variant(sku="MUG-BLUE", supplier=supplier, reorder_point=5)
    stocked_variant(sku="LOOSE-1", reorder_point=2)

    response = staff_client.get(reverse("admin:inventory_reorder"))

    page = response.content.decode()
    assert "MUG-BLUE" in page
    assert "Harbour Pottery" in page
    assert "LOOSE-1" in page
    assert "<strong>No supplier</strong>, so not ordered." in page
    assert "1 variant without a supplier is listed but not ordered." in page


def test_reorder_screen_drafts_orders_per_supplier(staff_client):
    pottery = SupplierFactory(name="Harbour Pottery")
    linens = SupplierFactory(name="Atlantic Linens")
    mug = stocked_variant(supplier=pottery, reorder_point=5, reorder_quantity=12)
    towel = stocked_variant(supplier=linens, reorder_point=2)
    loose = stocked_variant(reorder_point=2)

    response = staff_client.post(
        reverse("admin:inventory_reorder"),
        {"variant": [mug.pk, towel.pk, loose.pk]},
    )

    orders = list(PurchaseOrder.objects.order_by("number"))
    assert [order.supplier for order in orders] == [linens, pottery]
    assert PurchaseOrderLine.objects.filter(variant=loose).count() == 0
    assert response.status_code == 302
    assert response.url == (
        reverse("admin:inventory_purchaseorder_changelist")
        + f"?id__in={orders[0].pk},{orders[1].pk}"
    )
    assert message_texts(response) == [
        f"Drafted purchase orders {orders[0].number}, {orders[1].number}. "
        "1 selected without a supplier or no longer due."
    ]


def test_reorder_screen_without_selection_shows_message(staff_client):
    stocked_variant(supplier=SupplierFactory(), reorder_point=5)

    response = staff_client.post(reverse("admin:inventory_reorder"), {})

    assert response.status_code == 200
    assert PurchaseOrder.objects.count() == 0
    assert message_texts(response) == [
        "No variants selected; tick the rows to order, then create the "
        "purchase orders again."
    ]


def test_inventory_index_links_reorder_screen(staff_client):
    response = staff_client.get(reverse("admin:app_list", args=["inventory"]))

    assert reverse("admin:inventory_reorder") in response.content.decode()


def test_variant_autocomplete_finds_sku(staff_client):
    variant = stocked_variant(sku="MUG-BLUE")
    stocked_variant(sku="TOWEL-01")

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "inventory",
            "model_name": "purchaseorderline",
            "field_name": "variant",
            "term": "MUG",
        },
    )

    assert [item["id"] for item in response.json()["results"]] == [str(variant.pk)]
