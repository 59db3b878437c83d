from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from fulfillment.labels import buy_label
from fulfillment.models import Shipment
from tests.factories.shop import VariantFactory

from .label_setup import make_box, make_shipment

pytestmark = pytest.mark.django_db


def assert_unchanged(shipment: Shipment, message: str) -> None:
    shipment.refresh_from_db()
    assert shipment.last_error == message
    assert shipment.status == Shipment.Status.READY
    assert shipment.label_requested_at is None
    assert shipment.tracking_number == ""
    assert shipment.box is None
    assert not shipment.label_pdf
    assert not JournalEntry.objects.exists()


def test_parcel_over_30_kg_rejected():
    make_box(max_weight_g=40000)
    heavy = VariantFactory(
        weight_g=16000,
        length_cm=Decimal("10.0"),
        width_cm=Decimal("10.0"),
        height_cm=Decimal("5.0"),
    )
    shipment = make_shipment(quantity=2, variant=heavy)

    buy_label(shipment_id=shipment.pk)

    assert_unchanged(
        shipment,
        f"Shipment {shipment.number} weighs 32.200 kg packed, over Canada "
        f"Post's 30 kg limit for one parcel. Split the shipment.",
    )


def test_item_too_large_for_any_box(canadapost):
    make_box()
    rod = VariantFactory(
        weight_g=500,
        length_cm=Decimal("62.0"),
        width_cm=Decimal("2.0"),
        height_cm=Decimal("2.0"),
    )
    shipment = make_shipment(variant=rod)

    buy_label(shipment_id=shipment.pk)

    assert_unchanged(
        shipment,
        f"Shipment {shipment.number} cannot be packed: {rod.sku} "
        f"({rod.product.name}) (62.0 x 2.0 x 2.0 cm) fits no packaging box in any "
        f"orientation, and items are never placed diagonally. The largest "
        f"box is Small carton (30.0 x 25.0 x 10.0 cm inside, 30.000 kg max). Add a "
        f"larger box, or check the item's dimensions.",
    )
    assert canadapost.requests == []


def test_item_without_weight_or_default():
    make_box()
    bare = VariantFactory(
        product__category__default_weight_g=None,
        product__category__default_length_cm=None,
    )
    shipment = make_shipment(variant=bare)

    buy_label(shipment_id=shipment.pk)

    category = bare.product.category.name
    assert_unchanged(
        shipment,
        f"{bare.sku} ({bare.product.name}) has no weight, and its category "
        f"{category!r} has no default packaging. Enter the variant's packed "
        f"weight in grams, or the category's default weight and size.",
    )


@pytest.mark.parametrize(
    "line1",
    ["PO Box 1234", "P.O. Box 77", "C.P. 5120 succ. Centre-ville", "Case postale 9"],
)
def test_po_box_rejected_for_xpresspost(line1):
    make_box()
    shipment = make_shipment(service="DOM.XP", ship_line1=line1)

    buy_label(shipment_id=shipment.pk)

    assert_unchanged(
        shipment,
        f"Shipment {shipment.number} goes to a post office box ({line1!r}), "
        f"and Expedited Parcel is a courier service that does not deliver to "
        f"one. Choose Expedited or Regular Parcel, or ask the customer for a "
        f"street address.",
    )


def test_po_box_accepted_for_expedited():
    make_box()
    shipment = make_shipment(service="DOM.EP", ship_line1="PO Box 1234")

    buy_label(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    assert shipment.last_error == ""
