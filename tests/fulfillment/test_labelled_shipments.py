"""Shipments with a bought label: still in the queue, packed, then shipped."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fulfillment import services
from fulfillment.labels import buy_label
from fulfillment.models import Shipment
from fulfillment.tracking_numbers import InvalidTrackingNumber, clean_tracking_number
from shop.roles import FULFILLMENT
from tests.api.device_setup import role_client
from tests.inventory.allocation_setup import paid_order, stocked_variant

from .label_setup import make_box

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:fulfillment_shipment_changelist"
API = "/api/shipments/"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def packer():
    client, _user = role_client(FULFILLMENT)
    return client


@pytest.fixture
def labelled():
    """A paid order's shipment of one 800 g book with the shop's own label."""
    make_box()
    variant = stocked_variant(quantity=3, sku="BOOK-1")
    variant.weight_g = 800
    variant.length_cm = Decimal("20.0")
    variant.width_cm = Decimal("15.0")
    variant.height_cm = Decimal("5.0")
    variant.save()
    order = paid_order(
        [(variant, 1)],
        shipping_method="DOM.EP",
        shipping_method_name="Expedited Parcel",
    )
    shipment = buy_label(shipment_id=order.shipments.get().pk)
    assert shipment.status == Shipment.Status.LABELLED
    return shipment


def mark_shipped_form(staff_client, shipment, **fields):
    data = {
        "action": "mark_shipped",
        "_selected_action": [shipment.pk],
        **{f"shipment-{shipment.pk}-{name}": value for name, value in fields.items()},
    }
    if fields:
        data["apply"] = "1"
    return staff_client.post(reverse(CHANGELIST), data)


@pytest.mark.parametrize(
    ("entered", "carrier", "expected"),
    [
        ("LF100006-1", "shop", "LF100006-1"),
        ("LF 100006-1", "shop", "LF100006-1"),
        ("AB-12-3", "other", "AB-12-3"),
        ("7023 2101 5500 0012", "canadapost", "7023210155000012"),
        ("CA123456789CA", "canadapost", "CA123456789CA"),
        ("1Z 999 AA1 01 2345 6784", "ups", "1Z999AA10123456784"),
        ("", "shop", ""),
    ],
)
def test_tracking_number_cleaned_per_carrier(entered, carrier, expected):
    assert clean_tracking_number(entered, carrier=carrier) == expected


@pytest.mark.parametrize(
    ("entered", "carrier"),
    [
        ("7023-2101", "canadapost"),
        ("LF100006-1", "purolator"),
        ("LF100006-", "shop"),
        ("-LF100006", "other"),
        ("LF1000/06", "shop"),
        ("LF10é006", "shop"),
    ],
)
def test_tracking_number_rejects_foreign_characters(entered, carrier):
    with pytest.raises(InvalidTrackingNumber):
        clean_tracking_number(entered, carrier=carrier)


def test_mark_shipped_form_preselects_label_carrier(staff_client, labelled):
    response = mark_shipped_form(staff_client, labelled)

    assert '<option value="shop" selected>' in response.text
    assert f'value="LF{labelled.number}"' in response.text


def test_mark_shipped_form_ships_with_own_label(staff_client, labelled):
    mark_shipped_form(
        staff_client,
        labelled,
        carrier="shop",
        service_code="DOM.EP",
        service_name="Expedited Parcel",
        tracking_number=f"LF{labelled.number}",
    )

    labelled.refresh_from_db()
    assert labelled.status == Shipment.Status.SHIPPED
    assert labelled.tracking_number == f"LF{labelled.number}"
    assert labelled.carrier == "shop"


def test_mark_shipped_form_blank_tracking_keeps_label(staff_client, labelled):
    mark_shipped_form(staff_client, labelled, carrier="shop", tracking_number="")

    labelled.refresh_from_db()
    assert labelled.status == Shipment.Status.SHIPPED
    assert labelled.tracking_number == f"LF{labelled.number}"


def test_mark_shipped_form_blank_tracking_without_label(staff_client):
    shipment = paid_order([(stocked_variant(quantity=3), 1)]).shipments.get()

    response = mark_shipped_form(
        staff_client, shipment, carrier="canadapost", tracking_number=""
    )

    assert (
        f"Shipment {shipment.number} has no tracking number yet; enter the one "
        "printed under its label&#x27;s barcode."
    ) in response.text
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY


def test_api_ship_with_own_label_number(packer, labelled):
    response = packer.post(
        f"{API}{labelled.number}/ship/",
        {"tracking_number": f"LF{labelled.number}"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "shipped"
    assert (body["carrier"], body["tracking_number"]) == (
        "shop",
        f"LF{labelled.number}",
    )
    assert body["service_name"] == "Expedited Parcel"


def test_api_ship_empty_body_keeps_label(packer, labelled):
    response = packer.post(f"{API}{labelled.number}/ship/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["tracking_number"] == f"LF{labelled.number}"
    assert response.json()["carrier"] == "shop"


def test_api_ship_label_number_under_other_carrier(packer, labelled):
    response = packer.post(
        f"{API}{labelled.number}/ship/", {"carrier": "canadapost"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "tracking_number": [
            f"'LF{labelled.number}' is not a tracking number; use only the letters "
            "and digits printed under the label's barcode."
        ]
    }
    labelled.refresh_from_db()
    assert labelled.status == Shipment.Status.LABELLED


def test_queue_keeps_labelled_shipments(staff_client, labelled):
    response = staff_client.get(reverse(CHANGELIST))

    numbers = [shipment.number for shipment in response.context["cl"].result_list]
    assert numbers == [labelled.number]
    assert "Labelled, not packed" in response.text


def test_api_pick_list_keeps_labelled_shipments(packer, labelled):
    response = packer.get(API)

    rows = response.json()["results"]
    assert [(row["number"], row["status"]) for row in rows] == [
        (labelled.number, "labelled")
    ]


def test_pack_after_label_keeps_label(packer, labelled):
    response = packer.post(f"{API}{labelled.number}/pack/")

    assert response.status_code == 200
    assert response.json()["status"] == "labelled"
    assert response.json()["packed_at"] is not None
    labelled.refresh_from_db()
    assert labelled.status == Shipment.Status.LABELLED
    assert labelled.tracking_number == f"LF{labelled.number}"


def test_pack_labelled_twice_conflicts(packer, labelled):
    services.mark_packed(shipment=labelled, user=None)
    labelled.refresh_from_db()

    response = packer.post(f"{API}{labelled.number}/pack/")

    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        f"Shipment {labelled.number} is labelled and was packed at "
    )
    assert response.json()["detail"].endswith(
        ", so there is nothing left to pack; ship it."
    )
