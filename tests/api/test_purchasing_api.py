"""Purchase orders for receiving scanners: the open list and receipts."""

from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from fulfillment.models import Shipment
from inventory.models import PurchaseOrder, Stock, StockMovement
from shop.roles import ACCOUNTING, FULFILLMENT, INVENTORY
from tests.accounting.ledger_setup import entry_lines
from tests.api.device_setup import permission_client, role_client
from tests.factories.inventory import SupplierFactory
from tests.inventory.purchasing_setup import (
    open_purchase_order,
    stocked_variant,
    waiting_order_line,
)

URL = "/api/purchase-orders/"

pytestmark = pytest.mark.django_db

Status = PurchaseOrder.Status


@pytest.fixture
def teapot():
    variant = stocked_variant(sku="POT-BLUE", unit_cost="21.00")
    variant.barcode = "0062345000093"
    variant.save(update_fields=["barcode"])
    return variant


@pytest.fixture
def mug():
    return stocked_variant(sku="MUG-OAT", unit_cost="6.50")


@pytest.fixture
def purchase_order(teapot, mug):
    """PO of 10 teapots at $21.00 and 12 mugs at $6.50, 4 mugs in already."""
    return open_purchase_order(
        lines=[(teapot, 10, 0, "21.00"), (mug, 12, 4, "6.50")],
        supplier=SupplierFactory(name="Harbour Pottery"),
        status=Status.PARTLY_RECEIVED,
    )


@pytest.fixture
def receiver():
    return role_client(INVENTORY)


def receive(client, purchase_order, lines):
    return client.post(
        f"{URL}{purchase_order.number}/receive/", {"lines": lines}, format="json"
    )


def receipts():
    return StockMovement.objects.filter(kind=StockMovement.Kind.RECEIPT)


def test_list_shows_lines_with_outstanding_units(purchase_order, receiver):
    client, _user = receiver

    response = client.get(URL)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["number"] == purchase_order.number
    assert row["supplier"] == "Harbour Pottery"
    assert row["status"] == "partly_received"
    assert [
        (
            line["sku"],
            line["quantity_ordered"],
            line["quantity_received"],
            line["quantity_outstanding"],
            line["unit_cost"],
        )
        for line in row["lines"]
    ] == [("POT-BLUE", 10, 0, 10, "21.00"), ("MUG-OAT", 12, 4, 8, "6.50")]
    assert row["lines"][0]["barcode"] == "0062345000093"


def test_list_leaves_out_unreceivable_orders(purchase_order, teapot, receiver):
    for status in (Status.DRAFT, Status.RECEIVED, Status.CANCELLED):
        open_purchase_order(lines=[(teapot, 1, 0, "21.00")], status=status)
    sent = open_purchase_order(lines=[(teapot, 2, 0, "21.00")], status=Status.SENT)
    client, _user = receiver

    response = client.get(URL)

    numbers = [row["number"] for row in response.json()["results"]]
    assert sorted(numbers) == sorted([purchase_order.number, sent.number])


@pytest.mark.parametrize("orders", [1, 4])
def test_list_query_count_is_fixed(
    teapot, mug, receiver, orders, django_assert_num_queries
):
    for _ in range(orders):
        open_purchase_order(lines=[(teapot, 2, 0, "21.00"), (mug, 3, 0, "6.50")])
    client, _user = receiver

    # Token, permissions (2), count, purchase orders, lines with variants.
    with django_assert_num_queries(6):
        response = client.get(URL)

    assert len(response.json()["results"]) == orders


def test_retrieve_finds_received_order_by_number(teapot, receiver):
    received = open_purchase_order(
        lines=[(teapot, 2, 2, "21.00")], status=Status.RECEIVED
    )
    client, _user = receiver

    response = client.get(f"{URL}{received.number}/")

    assert response.status_code == 200
    assert response.json()["status"] == "received"
    assert response.json()["lines"][0]["quantity_outstanding"] == 0


def test_receive_partial_delivery(purchase_order, teapot, receiver):
    client, _user = receiver

    response = receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 4}])

    assert response.status_code == 200
    body = response.json()
    assert body["units_received"] == 4
    assert body["filled_backorders"] == []
    assert body["purchase_order"]["status"] == "partly_received"
    teapot_line = body["purchase_order"]["lines"][0]
    assert (teapot_line["quantity_received"], teapot_line["quantity_outstanding"]) == (
        4,
        6,
    )


def test_receive_takes_units_in_at_line_cost(purchase_order, teapot, receiver):
    client, user = receiver

    receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 4}])

    stock = Stock.objects.get(variant=teapot)
    assert (stock.quantity_on_hand, stock.value_amount) == (4, Decimal("84.00"))
    movement = receipts().get()
    assert movement.created_by == user
    assert movement.reference == f"PO {purchase_order.number}"
    entry = JournalEntry.objects.get(event_key=f"stock:movement:{movement.pk}")
    assert entry_lines(entry) == [
        ("inventory", Decimal("84.00"), Decimal("0.00")),
        ("goods_received_not_billed", Decimal("0.00"), Decimal("84.00")),
    ]


def test_receive_by_barcode_adds_repeated_codes(purchase_order, teapot, receiver):
    client, _user = receiver
    lines = [
        {"code": "0062345000093", "quantity": 2},
        {"code": "pot-blue", "quantity": 3},
        {"code": "MUG-OAT", "quantity": 8},
    ]

    response = receive(client, purchase_order, lines)

    assert response.json()["units_received"] == 13
    assert response.json()["purchase_order"]["status"] == "partly_received"
    assert Stock.objects.get(variant=teapot).quantity_on_hand == 5


def test_receive_last_units_closes_order(purchase_order, receiver):
    client, _user = receiver
    lines = [{"code": "POT-BLUE", "quantity": 10}, {"code": "MUG-OAT", "quantity": 8}]

    response = receive(client, purchase_order, lines)

    assert response.json()["purchase_order"]["status"] == "received"
    purchase_order.refresh_from_db()
    assert purchase_order.status == Status.RECEIVED


def test_receive_fills_waiting_backorders(purchase_order, teapot, receiver):
    older = waiting_order_line(teapot, quantity=3)
    newer = waiting_order_line(teapot, quantity=4, hours_after_first=1)
    client, _user = receiver

    response = receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 5}])

    assert response.json()["filled_backorders"] == [
        {
            "order_number": older.order.number,
            "sku": "POT-BLUE",
            "quantity_allocated": 3,
            "quantity_backordered": 0,
        },
        {
            "order_number": newer.order.number,
            "sku": "POT-BLUE",
            "quantity_allocated": 2,
            "quantity_backordered": 2,
        },
    ]
    stock = Stock.objects.get(variant=teapot)
    assert (stock.quantity_on_hand, stock.quantity_allocated) == (5, 5)


def test_receive_plans_shipments_of_filled_orders(purchase_order, teapot, receiver):
    line = waiting_order_line(teapot, quantity=3)
    client, _user = receiver

    receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 3}])

    shipment = Shipment.objects.get(order=line.order)
    assert [(s.order_line_id, s.quantity) for s in shipment.lines.all()] == [
        (line.pk, 3)
    ]


def test_receive_over_outstanding_is_rejected(purchase_order, mug, receiver):
    client, _user = receiver

    response = receive(client, purchase_order, [{"code": "MUG-OAT", "quantity": 9}])

    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            f"MUG-OAT on PO {purchase_order.number}: 9 units received but only 8 "
            "outstanding; enter at most 8, and take up the extra units with the "
            "supplier."
        ]
    }
    assert Stock.objects.get(variant=mug).quantity_on_hand == 0
    assert not receipts().exists()


def test_receive_unknown_code_is_rejected(purchase_order, receiver):
    client, _user = receiver
    lines = [{"code": "POT-BLUE", "quantity": 1}, {"code": "LID-9", "quantity": 1}]

    response = receive(client, purchase_order, lines)

    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            f"PO {purchase_order.number} has no line with SKU or barcode 'LID-9'; "
            "check the item against the packing list, and take up items not "
            "ordered with the supplier."
        ]
    }
    assert not receipts().exists()


def test_receive_zero_units_is_rejected(purchase_order, receiver):
    client, _user = receiver

    response = receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 0}])

    assert response.status_code == 400
    assert response.json() == {
        "lines": {
            "0": {
                "quantity": [
                    "Enter the units delivered now, 1 or more; leave out items "
                    "that did not come."
                ]
            }
        }
    }


def test_receive_without_lines_is_rejected(purchase_order, receiver):
    client, _user = receiver

    response = receive(client, purchase_order, [])

    assert response.status_code == 400
    assert response.json() == {
        "lines": {"non_field_errors": ["This list may not be empty."]}
    }


@pytest.mark.parametrize(
    ("status", "label"),
    [(Status.DRAFT, "draft"), (Status.RECEIVED, "received")],
)
def test_receive_closed_order_conflicts(teapot, receiver, status, label):
    purchase_order = open_purchase_order(lines=[(teapot, 2, 0, "21.00")], status=status)
    client, _user = receiver

    response = receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 1}])

    assert response.status_code == 409
    assert response.json() == {
        "detail": (
            f"PO {purchase_order.number} is {label}; only sent or partly received "
            "purchase orders can be received."
        )
    }
    assert not receipts().exists()


def test_receive_unknown_order_is_not_found(receiver):
    client, _user = receiver

    response = client.post(f"{URL}999999/receive/", {"lines": []}, format="json")

    assert response.status_code == 404


@pytest.mark.parametrize("role", [ACCOUNTING, FULFILLMENT])
def test_list_forbidden_without_view_permission(purchase_order, role):
    client, _user = role_client(role)

    response = client.get(URL)

    assert response.status_code == 403


@pytest.mark.parametrize("role", [ACCOUNTING, FULFILLMENT])
def test_receive_forbidden_without_change_permission(purchase_order, role):
    client, _user = role_client(role)

    response = receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 1}])

    assert response.status_code == 403
    assert not receipts().exists()


def test_receive_forbidden_with_view_permission_only(purchase_order):
    client, _user = permission_client("inventory.view_purchaseorder")

    response = receive(client, purchase_order, [{"code": "POT-BLUE", "quantity": 1}])

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account lacks the permission: inventory.change_purchaseorder."
    }
