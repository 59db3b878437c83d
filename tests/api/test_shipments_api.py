"""Shipments for packing handhelds: pick lists, packed, shipped."""

from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from fulfillment import services
from fulfillment.models import Shipment
from inventory.models import Stock, StockMovement
from orders.models import Order
from shop.roles import ACCOUNTING, FULFILLMENT, INVENTORY
from tests.accounting.ledger_setup import entry_lines
from tests.api.device_setup import permission_client, role_client
from tests.fulfillment.shipment_setup import half_stocked_order
from tests.inventory.allocation_setup import paid_order, stocked_variant

URL = "/api/shipments/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    """A paid order: a shipment of 2 MUG-OAT (bin A-3), 3 POT-BLUE waiting."""
    order, _purchase_order = half_stocked_order()
    Stock.objects.filter(variant__sku="MUG-OAT").update(bin_location="A-3")
    return order


@pytest.fixture
def shipment(order):
    return order.shipments.get()


@pytest.fixture
def packer():
    return role_client(FULFILLMENT)


def ship(client, shipment, **fields):
    body = {"tracking_number": "7023 2101 5500 0012", "carrier": "canadapost"}
    return client.post(
        f"{URL}{shipment.number}/ship/", {**body, **fields}, format="json"
    )


def shipment_movements():
    return StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT)


def test_list_shows_pick_list_with_bins(order, shipment, packer):
    client, _user = packer

    response = client.get(URL)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["number"] == f"{order.number}-1"
    assert row["order_number"] == order.number
    assert row["status"] == "ready"
    assert (row["ship_name"], row["ship_city"], row["ship_province"]) == (
        "Avery Tremblay",
        "Halifax",
        "NS",
    )
    [line] = row["lines"]
    assert line["sku"] == "MUG-OAT"
    assert line["quantity"] == 2
    assert line["bin_location"] == "A-3"
    assert line["name"] == shipment.lines.get().order_line.name


def test_list_leaves_out_shipped(shipment, packer):
    client, _user = packer
    services.mark_shipped(
        shipment=shipment,
        carrier="canadapost",
        service_code="",
        service_name="",
        tracking_number="1234567890123456",
        user=None,
    )

    response = client.get(URL)

    assert response.json()["results"] == []


def test_list_filters_by_status(shipment, packer):
    client, _user = packer
    services.mark_packed(shipment=shipment, user=None)

    ready = client.get(URL, {"status": "ready"})
    packed = client.get(URL, {"status": "packed"})

    assert ready.json()["results"] == []
    assert [row["number"] for row in packed.json()["results"]] == [shipment.number]


@pytest.mark.parametrize("orders", [1, 4])
def test_list_query_count_is_fixed(packer, orders, django_assert_num_queries):
    for index in range(orders):
        mug = stocked_variant(quantity=5, sku=f"MUG-{index}")
        teapot = stocked_variant(quantity=5, sku=f"POT-{index}")
        paid_order([(mug, 1), (teapot, 2)])
    client, _user = packer

    # Token, permissions (2), count, shipments with orders, lines, bins.
    with django_assert_num_queries(7):
        response = client.get(URL)

    assert len(response.json()["results"]) == orders


def test_retrieve_finds_shipment_by_number(shipment, packer):
    client, _user = packer

    response = client.get(f"{URL}{shipment.number}/")

    assert response.status_code == 200
    assert response.json()["lines"][0]["bin_location"] == "A-3"


def test_retrieve_unknown_shipment_is_not_found(packer):
    client, _user = packer

    response = client.get(f"{URL}999999-1/")

    assert response.status_code == 404


def test_pack_marks_shipment_packed(shipment, packer):
    client, _user = packer

    response = client.post(f"{URL}{shipment.number}/pack/")

    assert response.status_code == 200
    assert response.json()["status"] == "packed"
    assert response.json()["packed_at"] is not None
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PACKED


def test_pack_twice_conflicts(shipment, packer):
    client, _user = packer
    client.post(f"{URL}{shipment.number}/pack/")

    response = client.post(f"{URL}{shipment.number}/pack/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Shipment {shipment.number} is packed, so it cannot become packed."
    }


def test_ship_records_tracking_and_carrier(shipment, packer):
    client, _user = packer

    response = ship(client, shipment, service_name="Expedited Parcel")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "shipped"
    assert body["tracking_number"] == "7023210155000012"
    assert (body["carrier"], body["service_name"]) == ("canadapost", "Expedited Parcel")
    assert body["shipped_at"] is not None


def test_ship_takes_units_out_of_stock(shipment, packer):
    client, user = packer

    ship(client, shipment)

    stock = Stock.objects.get(variant__sku="MUG-OAT")
    assert (stock.quantity_on_hand, stock.quantity_allocated) == (3, 0)
    movement = shipment_movements().get()
    assert (movement.quantity, movement.value_amount) == (-2, Decimal("-13.00"))
    assert movement.created_by == user


def test_ship_posts_cost_of_goods_sold(shipment, packer):
    client, _user = packer

    ship(client, shipment)

    movement = shipment_movements().get()
    entry = JournalEntry.objects.get(event_key=f"stock:movement:{movement.pk}")
    assert entry_lines(entry) == [
        ("inventory", Decimal("0.00"), Decimal("13.00")),
        ("cost_of_goods_sold", Decimal("13.00"), Decimal("0.00")),
    ]


def test_ship_leaves_order_partly_shipped(order, shipment, packer):
    client, _user = packer

    ship(client, shipment)

    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED


def test_ship_twice_conflicts(shipment, packer):
    client, _user = packer
    ship(client, shipment)

    response = ship(client, shipment)

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Shipment {shipment.number} is shipped, so it cannot become shipped."
    }
    assert shipment_movements().count() == 1


def test_ship_cancelled_shipment_conflicts(shipment, packer):
    Shipment.objects.filter(pk=shipment.pk).update(status=Shipment.Status.CANCELLED)
    client, _user = packer

    response = ship(client, shipment)

    assert response.status_code == 409
    assert response.json() == {
        "detail": (
            f"Shipment {shipment.number} is cancelled, so it cannot become shipped."
        )
    }
    assert not shipment_movements().exists()


def test_ship_invalid_tracking_number_is_rejected(shipment, packer):
    client, _user = packer

    response = ship(client, shipment, tracking_number="7023-2101")

    assert response.status_code == 400
    assert response.json() == {
        "tracking_number": [
            "'7023-2101' is not a tracking number; use only the letters and "
            "digits printed under the label's barcode."
        ]
    }
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert not shipment_movements().exists()


def test_ship_without_tracking_number_is_rejected(shipment, packer):
    client, _user = packer

    response = client.post(f"{URL}{shipment.number}/ship/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "tracking_number": [
            f"Shipment {shipment.number} has no tracking number from a bought "
            "label; send the one printed under its barcode."
        ]
    }
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY


def test_ship_unknown_carrier_is_rejected(shipment, packer):
    client, _user = packer

    response = ship(client, shipment, carrier="dhl")

    assert response.status_code == 400
    assert response.json() == {"carrier": ['"dhl" is not a valid choice.']}


def test_list_forbidden_to_inventory_role(shipment):
    client, _user = role_client(INVENTORY)

    response = client.get(URL)

    assert response.status_code == 403


def test_pack_forbidden_to_accounting_role(shipment):
    client, _user = role_client(ACCOUNTING)

    response = client.post(f"{URL}{shipment.number}/pack/")

    assert response.status_code == 403
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY


def test_ship_forbidden_with_view_permission_only(shipment):
    client, _user = permission_client("fulfillment.view_shipment")

    response = ship(client, shipment)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account lacks the permission: fulfillment.change_shipment."
    }
    assert not shipment_movements().exists()
