from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command

from shipping.models import PackagingBox
from shipping.packing import Box, pack_items
from shipping.parcels import ParcelItem


def load_demo_boxes() -> str:
    output = StringIO()
    call_command("load_demo_boxes", stdout=output)
    return output.getvalue()


def as_box(packaging_box: PackagingBox) -> Box:
    return Box(
        name=packaging_box.name,
        inner_length_cm=packaging_box.inner_length_cm,
        inner_width_cm=packaging_box.inner_width_cm,
        inner_height_cm=packaging_box.inner_height_cm,
        outer_length_cm=packaging_box.outer_length_cm,
        outer_width_cm=packaging_box.outer_width_cm,
        outer_height_cm=packaging_box.outer_height_cm,
        empty_weight_g=packaging_box.empty_weight_g,
        max_weight_g=packaging_box.max_weight_g,
    )


@pytest.mark.django_db
def test_load_demo_boxes_creates_four():
    output = load_demo_boxes()

    names = list(PackagingBox.objects.values_list("name", flat=True))
    assert names == ["Book carton", "Large", "Medium", "Small"]
    assert "Created packaging box Small (25 x 20 x 10 cm)." in output


@pytest.mark.django_db
def test_load_demo_boxes_stores_sizes():
    load_demo_boxes()

    carton = PackagingBox.objects.get(name="Book carton")
    assert carton.inner_length_cm == Decimal("60.0")
    assert carton.outer_height_cm == Decimal("25.6")
    assert carton.empty_weight_g == 800
    assert carton.max_weight_g == 30000


@pytest.mark.django_db
def test_load_demo_boxes_twice_changes_nothing():
    load_demo_boxes()
    PackagingBox.objects.create(
        name="Own box",
        inner_length_cm=10,
        inner_width_cm=10,
        inner_height_cm=10,
        outer_length_cm=11,
        outer_width_cm=11,
        outer_height_cm=11,
        empty_weight_g=100,
        max_weight_g=5000,
    )

    output = load_demo_boxes()

    assert PackagingBox.objects.count() == 5
    assert "Updated packaging box Medium (35 x 25 x 15 cm)." in output


@pytest.mark.django_db
def test_demo_boxes_pack_the_book_order():
    load_demo_boxes()
    boxes = [as_box(each) for each in PackagingBox.objects.all()]
    books = ParcelItem(
        weight_g=270,
        length_cm=Decimal("29.2"),
        width_cm=Decimal("21.6"),
        height_cm=Decimal("3.8"),
        quantity=24,
    )

    parcels = pack_items(items=[books], boxes=boxes)

    assert [parcel.box.name for parcel in parcels] == ["Book carton"]
    assert parcels[0].weight_g == 7280
    # 60.6 x 45.6 x 25.6 cm outside is 70,740.864 cm³, over 5,000 cm³/kg.
    assert parcels[0].billable_weight_kg("DOM.EP") == Decimal("14.149")


def test_packaging_box_registered_in_admin():
    assert admin.site.is_registered(PackagingBox)
