import random
from decimal import Decimal
from itertools import combinations

import pytest

from shipping.packing import Box, PackedParcel, pack_items
from shipping.parcels import ParcelItem


def item(weight_g, length, width, height, quantity=1):
    return ParcelItem(
        weight_g=weight_g,
        length_cm=Decimal(length),
        width_cm=Decimal(width),
        height_cm=Decimal(height),
        quantity=quantity,
    )


def box(name, length, width, height, *, empty_weight_g=500, max_weight_g=30000):
    """Build a box whose outer dimensions equal its inner ones."""
    sides = (Decimal(length), Decimal(width), Decimal(height))
    return Box(name, *sides, *sides, empty_weight_g, max_weight_g)


SMALL = box("Small", "25", "20", "10", empty_weight_g=150, max_weight_g=10000)
MEDIUM = box("Medium", "35", "25", "15", empty_weight_g=300, max_weight_g=20000)
LARGE = box("Large", "45", "35", "25", empty_weight_g=500, max_weight_g=25000)
BOOKS = item(270, "29.2", "21.6", "3.8", quantity=24)


def summary(parcels: list[PackedParcel]) -> list[tuple[str, int, int]]:
    return [
        (parcel.box.name, len(parcel.placements), parcel.weight_g) for parcel in parcels
    ]


def test_books_fit_one_roomy_box():
    parcels = pack_items(items=[BOOKS], boxes=[box("Carton", "60", "45", "25")])

    assert summary(parcels) == [("Carton", 24, 6980)]
    assert parcels[0].billable_weight_kg("DOM.EP") == Decimal("13.500")


def test_books_fill_the_roomy_box_in_rows():
    parcels = pack_items(items=[BOOKS], boxes=[box("Carton", "60", "45", "25")])

    sides = {(p.length_cm, p.width_cm, p.height_cm) for p in parcels[0].placements}
    assert sides == {(Decimal("29.2"), Decimal("21.6"), Decimal("3.8"))}
    corners = {(p.x_cm, p.y_cm) for p in parcels[0].placements}
    assert corners == {
        (Decimal("0"), Decimal("0")),
        (Decimal("29.2"), Decimal("0")),
        (Decimal("0"), Decimal("21.6")),
        (Decimal("29.2"), Decimal("21.6")),
    }


def test_books_need_two_narrower_boxes():
    parcels = pack_items(items=[BOOKS], boxes=[box("Narrow", "60", "40", "25")])

    assert summary(parcels) == [("Narrow", 20, 5900), ("Narrow", 4, 1580)]
    assert parcels[0].billable_weight_kg("DOM.EP") == Decimal("12.000")
    assert parcels[1].billable_weight_kg("DOM.EP") == Decimal("12.000")


def test_billable_weight_uses_service_factor():
    parcels = pack_items(items=[BOOKS], boxes=[box("Carton", "60", "45", "25")])

    # 67,500 cm³ over 6,000 cm³/kg for Regular Parcel.
    assert parcels[0].billable_weight_kg("DOM.RP") == Decimal("11.250")


def test_billable_weight_uses_outer_dimensions():
    padded = Box(
        "Padded",
        *(Decimal("30"), Decimal("20"), Decimal("10")),
        *(Decimal("32"), Decimal("22"), Decimal("12")),
        200,
        10000,
    )

    parcels = pack_items(items=[item(300, "30", "20", "10")], boxes=[padded])

    assert parcels[0].outer_dimensions_cm == (Decimal(32), Decimal(22), Decimal(12))
    # 8,448 cm³ over 5,000 cm³/kg, rounded up to the gram.
    assert parcels[0].billable_weight_kg("DOM.EP") == Decimal("1.690")


@pytest.mark.parametrize(
    ("items", "boxes", "expected"),
    [
        # Two small items take the small box, not the large one.
        ([item(200, "10", "10", "5", 2)], [LARGE, SMALL], [("Small", 2, 550)]),
        # A large item and ten small ones share the large box's gaps.
        (
            [item(3000, "40", "30", "20"), item(200, "10", "10", "5", 10)],
            [SMALL, MEDIUM, LARGE],
            [("Large", 11, 5500)],
        ),
        # 12,960 cm³ of items do not physically fit the 13,125 cm³ medium
        # box, so they go in the large one.
        (
            [
                item(800, "30", "20", "12"),
                item(300, "20", "15", "8", 2),
                item(100, "10", "8", "4", 3),
            ],
            [SMALL, MEDIUM, LARGE],
            [("Large", 6, 2200)],
        ),
        # Three 4 kg units in a box that takes 10 kg with its own 0.5 kg.
        (
            [item(4000, "10", "10", "10", 3)],
            [box("Light duty", "60", "45", "25", max_weight_g=10000)],
            [("Light duty", 2, 8500), ("Light duty", 1, 4500)],
        ),
        # Quantity multiplies units, never sides: two units fill two boxes.
        (
            [item(500, "30", "20", "10", 2)],
            [box("Snug", "30", "20", "10")],
            [("Snug", 1, 1000), ("Snug", 1, 1000)],
        ),
        # The same two units stack in a box twice as tall.
        (
            [item(500, "30", "20", "10", 2)],
            [box("Snug", "30", "20", "10"), box("Double", "30", "20", "20")],
            [("Double", 2, 1500)],
        ),
    ],
    ids=[
        "smallest box",
        "mixed sizes",
        "volume is not enough",
        "weight limit",
        "quantity",
        "stacked",
    ],
)
def test_pack_items_cases(items, boxes, expected):
    parcels = pack_items(items=items, boxes=boxes)

    assert summary(parcels) == expected


def test_tall_item_lies_down():
    flat = box("Flat", "45", "35", "15")

    parcels = pack_items(items=[item(1000, "10", "10", "40")], boxes=[flat])

    placement = parcels[0].placements[0]
    assert placement.length_cm == Decimal("40")
    assert placement.height_cm == Decimal("10")


def test_long_item_never_placed_diagonally():
    # The box's space diagonal is 79 cm, but items sit square to the walls.
    rod = item(500, "62", "2", "2")

    with pytest.raises(ValueError) as error:
        pack_items(items=[rod], boxes=[SMALL, box("Carton", "60", "45", "25")])

    assert str(error.value) == (
        "Item 1 (62 x 2 x 2 cm) fits no packaging box in any orientation, and "
        "items are never placed diagonally. The largest box is Carton "
        "(60 x 45 x 25 cm inside, 30.000 kg max). Add a larger box, or check "
        "the item's dimensions."
    )


def test_item_heavier_than_every_box_raises():
    anvil = item(21000, "10", "10", "10")

    with pytest.raises(ValueError) as error:
        pack_items(items=[item(100, "5", "5", "5"), anvil], boxes=[SMALL, MEDIUM])

    assert str(error.value) == (
        "Item 2 weighs 21.000 kg, more than any packaging box it fits in can "
        "take with the box's own weight. The largest box is Medium "
        "(35 x 25 x 15 cm inside, 20.000 kg max). Add a stronger box, or "
        "check the item's weight."
    )


def test_item_fitting_only_a_weak_box_raises():
    anvil = item(9900, "30", "20", "12")
    weak = box("Weak", "35", "25", "15", max_weight_g=10000)

    with pytest.raises(ValueError, match=r"^Item 1 weighs 9\.900 kg"):
        pack_items(items=[anvil], boxes=[SMALL, weak])


def test_pack_items_without_boxes_raises():
    with pytest.raises(ValueError) as error:
        pack_items(items=[BOOKS], boxes=[])

    assert str(error.value) == (
        "No packaging boxes to pack into: add one in the admin."
    )


def test_pack_items_without_items_raises():
    with pytest.raises(ValueError, match=r"^The parcel is empty"):
        pack_items(items=[], boxes=[SMALL])


def test_placements_stay_inside_and_apart():
    rng = random.Random(7)
    items = [
        item(
            rng.randint(50, 3000),
            rng.randint(2, 40),
            rng.randint(2, 30),
            rng.randint(1, 20),
            rng.randint(1, 3),
        )
        for _ in range(60)
    ]

    parcels = pack_items(items=items, boxes=[SMALL, MEDIUM, LARGE])

    assert sum(len(parcel.placements) for parcel in parcels) == sum(
        each.quantity for each in items
    )
    for parcel in parcels:
        assert parcel.weight_g <= parcel.box.max_weight_g
        for placement in parcel.placements:
            assert _inside(placement, parcel.box)
        for first, second in combinations(parcel.placements, 2):
            assert not _overlap(first, second)


def test_placements_keep_item_sides():
    items = [item(100, "7", "3", "5", 4), item(200, "12", "9", "2", 3)]

    parcels = pack_items(items=items, boxes=[SMALL])

    for placement in parcels[0].placements:
        source = items[placement.item_number - 1]
        placed = sorted((placement.length_cm, placement.width_cm, placement.height_cm))
        assert placed == sorted((source.length_cm, source.width_cm, source.height_cm))


def _inside(placement, packing_box):
    ends = _ends(placement)
    return min(placement.x_cm, placement.y_cm, placement.z_cm) >= 0 and all(
        end <= limit for end, limit in zip(ends, packing_box.inner_size, strict=True)
    )


def _overlap(first, second):
    starts_1 = (first.x_cm, first.y_cm, first.z_cm)
    starts_2 = (second.x_cm, second.y_cm, second.z_cm)
    return all(
        start_1 < end_2 and start_2 < end_1
        for start_1, end_1, start_2, end_2 in zip(
            starts_1, _ends(first), starts_2, _ends(second), strict=True
        )
    )


def _ends(placement):
    return (
        placement.x_cm + placement.length_cm,
        placement.y_cm + placement.width_cm,
        placement.z_cm + placement.height_cm,
    )
