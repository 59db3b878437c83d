from decimal import Decimal

import pytest

from shipping.parcels import (
    Parcel,
    ParcelItem,
    billable_weight_kg,
    dim_factor,
    pack_parcels,
)


def item(weight_g, length, width, height, quantity=1):
    return ParcelItem(
        weight_g=weight_g,
        length_cm=Decimal(length),
        width_cm=Decimal(width),
        height_cm=Decimal(height),
        quantity=quantity,
    )


@pytest.mark.parametrize(
    ("parcel_item", "service", "expected"),
    [
        # 7,500 cm³ at 1.2 kg: dimensional weight wins on both factors.
        (item(1200, "30", "25", "10"), "DOM.RP", "1.250"),
        (item(1200, "30", "25", "10"), "DOM.XP", "1.500"),
        # The same box at 3 kg: actual weight wins.
        (item(3000, "30", "25", "10"), "DOM.RP", "3.000"),
        (item(3000, "30", "25", "10"), "DOM.XP", "3.000"),
        # A light, bulky box: 24,000 cm³ at 0.5 kg.
        (item(500, "40", "30", "20"), "DOM.RP", "4.000"),
        (item(500, "40", "30", "20"), "DOM.EP", "4.800"),
        # 1,010 cm³: 0.16833 kg and 0.202 kg, rounded up to the gram.
        (item(100, "10", "10", "10.1"), "DOM.RP", "0.169"),
        (item(100, "10", "10", "10.1"), "DOM.EP", "0.202"),
    ],
)
def test_billable_weight_greater_of_actual_and_dimensional(
    parcel_item, service, expected
):
    assert billable_weight_kg([parcel_item], service=service) == Decimal(expected)


@pytest.mark.parametrize(
    ("service", "factor"),
    [
        ("DOM.RP", 6000),
        ("DOM.EP", 5000),
        ("DOM.XP", 5000),
        ("DOM.PC", 5000),
        ("USA.EP", 5000),
        ("INT.XP", 5000),
    ],
)
def test_dim_factor_per_service(service, factor):
    assert dim_factor(service) == factor


def test_dim_factor_read_from_settings(settings):
    settings.SHIPPING_DIM_FACTORS = {"DOM.RP": 4000}

    weight = billable_weight_kg([item(1200, "30", "25", "10")], service="DOM.RP")

    assert weight == Decimal("1.875")


def test_dim_factor_unknown_service_raises():
    with pytest.raises(
        ValueError, match=r"No dimensional weight factor for service 'DOM\.ZZ'"
    ):
        dim_factor("DOM.ZZ")


def test_quantity_multiplies_volume_not_dimensions():
    # Three 4,000 cm³ boxes make 12,000 cm³ (2.4 kg at 5,000), not a box
    # of 60 x 60 x 30 cm (108,000 cm³, 21.6 kg).
    mugs = item(200, "20", "20", "10", quantity=3)

    assert billable_weight_kg([mugs], service="DOM.EP") == Decimal("2.400")


def test_quantity_multiplies_weight():
    plates = item(900, "20", "20", "5", quantity=4)

    assert billable_weight_kg([plates], service="DOM.EP") == Decimal("3.600")


def test_items_combine_weight_and_volume():
    mugs = item(200, "20", "20", "10", quantity=3)
    plates = item(900, "20", "20", "5", quantity=4)

    weight = billable_weight_kg([mugs, plates], service="DOM.EP")

    # 12,000 + 8,000 cm³ = 4.0 kg dimensional; 0.6 + 3.6 = 4.2 kg actual.
    assert weight == Decimal("4.200")


def test_pack_parcels_one_box_up_to_30_kg():
    kettlebells = item(10_000, "20", "20", "20", quantity=3)

    parcels = pack_parcels([kettlebells], service="DOM.RP")

    assert parcels == [Parcel(30_000, Decimal("24000.000"), Decimal("30.000"))]


def test_pack_parcels_splits_over_30_kg():
    kettlebells = item(12_000, "20", "20", "20", quantity=4)

    parcels = pack_parcels([kettlebells], service="DOM.RP")

    assert [p.billable_weight_kg for p in parcels] == [
        Decimal("24.000"),
        Decimal("24.000"),
    ]


def test_pack_parcels_fills_first_box_with_room():
    # Four 7 kg units fill 28 kg and the fifth opens a second box. Four of
    # the 0.5 kg units top up the first box to 30 kg, six go in the second.
    heavy = item(7000, "30", "20", "20", quantity=5)
    light = item(500, "20", "20", "5", quantity=10)

    parcels = pack_parcels([light, heavy], service="DOM.EP")

    assert [(p.weight_g, p.billable_weight_kg) for p in parcels] == [
        (30_000, Decimal("30.000")),
        (10_000, Decimal("10.000")),
    ]


def test_pack_parcels_splits_on_dimensional_weight():
    # 20 kg of volume each at 5,000 cm³/kg: one per box on Expedited.
    pillows = item(1000, "50", "50", "40", quantity=2)

    parcels = pack_parcels([pillows], service="DOM.EP")

    assert [p.billable_weight_kg for p in parcels] == [
        Decimal("20.000"),
        Decimal("20.000"),
    ]


def test_pack_parcels_regular_parcel_fits_one_box():
    pillows = item(1000, "45", "40", "40", quantity=2)

    parcels = pack_parcels([pillows], service="DOM.RP")

    assert [p.billable_weight_kg for p in parcels] == [Decimal("24.000")]


@pytest.mark.parametrize(
    ("parcel_item", "message"),
    [
        (item(31_000, "20", "20", "20"), "Item 1 weighs 31.000 kg billable"),
        (item(1000, "80", "70", "60"), "Item 1 weighs 67.200 kg billable"),
        (item(1000, "210", "10", "10"), "Item 1 measures 210 x 10 x 10 cm"),
        (item(1000, "195", "30", "25"), "Item 1 measures 195 x 30 x 25 cm"),
    ],
)
def test_pack_parcels_rejects_unit_too_big(parcel_item, message):
    with pytest.raises(ValueError, match=message):
        pack_parcels([parcel_item], service="DOM.EP")


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "The parcel is empty"),
        ([item(0, "20", "20", "20")], "Item 1 has invalid weight 0 g"),
        (
            [item(500, "20", "20", "20"), item(500, "20", "0", "20")],
            "Item 2 has invalid dimensions 20 x 0 x 20 cm",
        ),
        ([item(500, "20", "20", "20", quantity=0)], "Item 1 has invalid quantity 0"),
    ],
)
def test_billable_weight_rejects_invalid_items(items, message):
    with pytest.raises(ValueError, match=message):
        billable_weight_kg(items, service="DOM.RP")
