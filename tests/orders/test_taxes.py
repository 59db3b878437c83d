import random
from decimal import Decimal

import pytest

from orders.taxes import (
    PRINTED_BOOK,
    STANDARD,
    TAX_CLASSES,
    ZERO_RATED,
    TaxableItem,
    TaxComponent,
    calculate_taxes,
    load_province_rates,
)
from shop.models import TaxClass
from shop.money import round_money

ALL_REGISTRATIONS = ["BC", "MB", "SK", "QC"]


def hoodie(amount="52.00"):
    return TaxableItem("hoodie", Decimal(amount), STANDARD)


def book(amount="23.99"):
    return TaxableItem("book", Decimal(amount), PRINTED_BOOK)


def taxes(province, items, shipping="0.00", registrations=ALL_REGISTRATIONS):
    return calculate_taxes(
        province=province,
        items=items,
        shipping_amount=Decimal(shipping),
        registrations=registrations,
    )


def amounts(breakdown):
    return [(c.code, c.amount) for c in breakdown.components]


# A $52.00 hoodie plus $12.00 shipping, from a shop registered in BC, MB, SK
# and QC: components, tax on the shipping, and what the customer pays.
HOODIE_BY_PROVINCE = [
    ("AB", [("GST", "3.20")], "0.60", "67.20"),
    ("BC", [("GST", "3.20"), ("PST", "4.48")], "1.44", "71.68"),
    ("MB", [("GST", "3.20"), ("RST", "4.48")], "1.44", "71.68"),
    ("NB", [("HST", "9.60")], "1.80", "73.60"),
    ("NL", [("HST", "9.60")], "1.80", "73.60"),
    ("NS", [("HST", "8.96")], "1.68", "72.96"),
    ("NT", [("GST", "3.20")], "0.60", "67.20"),
    ("NU", [("GST", "3.20")], "0.60", "67.20"),
    ("ON", [("HST", "8.32")], "1.56", "72.32"),
    ("PE", [("HST", "9.60")], "1.80", "73.60"),
    ("QC", [("GST", "3.20"), ("QST", "6.38")], "1.80", "73.58"),
    ("SK", [("GST", "3.20"), ("PST", "3.84")], "1.32", "71.04"),
    ("YT", [("GST", "3.20")], "0.60", "67.20"),
]


@pytest.mark.parametrize(
    ("province", "expected", "shipping_tax", "grand_total"), HOODIE_BY_PROVINCE
)
def test_hoodie_with_shipping_by_province(
    province, expected, shipping_tax, grand_total
):
    breakdown = taxes(province, [hoodie()], shipping="12.00")

    assert amounts(breakdown) == [(code, Decimal(a)) for code, a in expected]
    assert breakdown.shipping_tax == Decimal(shipping_tax)
    assert Decimal("64.00") + breakdown.total == Decimal(grand_total)
    assert breakdown.item_taxes["hoodie"] + breakdown.shipping_tax == breakdown.total


def test_table_covers_every_province_and_territory():
    assert {row[0] for row in HOODIE_BY_PROVINCE} == set(load_province_rates())
    assert len(load_province_rates()) == 13


def test_qst_component_in_full():
    breakdown = taxes("QC", [hoodie()], shipping="12.00")

    assert breakdown.components[1] == TaxComponent(
        code="QST",
        name="QST",
        rate=Decimal("0.09975"),
        taxable_amount=Decimal("64.00"),
        amount=Decimal("6.38"),
        shipping_amount=Decimal("1.20"),
    )


@pytest.mark.parametrize(
    ("province", "amount", "expected"),
    [("ON", "0.50", "0.07"), ("AB", "2.50", "0.13")],
)
def test_half_cent_rounds_up(province, amount, expected):
    breakdown = taxes(province, [hoodie(amount)])

    assert breakdown.total == Decimal(expected)


def test_quantity_taxed_on_line_total_not_per_unit():
    notebooks = TaxableItem("notebooks", Decimal("15.59") * 4, STANDARD)

    breakdown = taxes("ON", [notebooks])

    assert amounts(breakdown) == [("HST", Decimal("8.11"))]


def test_printed_book_in_ontario_pays_gst_only():
    breakdown = taxes("ON", [book()], shipping="12.00")

    assert breakdown.components == (
        TaxComponent(
            code="GST",
            name="GST",
            rate=Decimal("0.05"),
            taxable_amount=Decimal("35.99"),
            amount=Decimal("1.80"),
            shipping_amount=Decimal("0.60"),
        ),
    )
    assert Decimal("35.99") + breakdown.total == Decimal("37.79")


@pytest.mark.parametrize("province", ["NB", "NL", "NS", "PE", "BC", "MB", "SK", "QC"])
def test_printed_book_pays_gst_only_everywhere(province):
    breakdown = taxes(province, [book("20.00")])

    assert amounts(breakdown) == [("GST", Decimal("1.00"))]


def test_unregistered_shop_charges_bc_customer_gst_only():
    breakdown = taxes("BC", [hoodie()], shipping="12.00", registrations=[])

    assert amounts(breakdown) == [("GST", Decimal("3.20"))]
    assert breakdown.total == Decimal("3.20")


def test_registrations_ignore_case_and_spaces():
    breakdown = taxes("qc", [hoodie()], shipping="12.00", registrations=[" qc"])

    assert amounts(breakdown) == [("GST", Decimal("3.20")), ("QST", Decimal("6.38"))]


def test_mixed_cart_splits_shipping_by_value():
    # $12.00 shipping over $23.99 of books and $52.00 of clothing: $3.79 and
    # $8.21 (the exact shares are 3.788... and 8.211...).
    breakdown = taxes("ON", [book(), hoodie()], shipping="12.00")

    gst, hst = breakdown.components
    assert (gst.code, gst.taxable_amount, gst.amount) == (
        "GST",
        Decimal("27.78"),
        Decimal("1.39"),
    )
    assert (hst.code, hst.taxable_amount, hst.amount) == (
        "HST",
        Decimal("60.21"),
        Decimal("7.83"),
    )
    assert breakdown.item_taxes == {"book": Decimal("1.20"), "hoodie": Decimal("6.76")}
    assert breakdown.shipping_tax == Decimal("1.26")
    assert breakdown.total == Decimal("9.22")


def test_mixed_cart_in_quebec_books_pay_no_qst():
    breakdown = taxes("QC", [book(), hoodie()], shipping="12.00")

    gst, qst = breakdown.components
    assert (gst.taxable_amount, gst.amount) == (Decimal("87.99"), Decimal("4.40"))
    assert (qst.taxable_amount, qst.amount) == (Decimal("60.21"), Decimal("6.01"))


def test_zero_rated_goods_pay_no_tax():
    seeds = TaxableItem("seeds", Decimal("40.00"), ZERO_RATED)

    breakdown = taxes("ON", [seeds], shipping="12.00")

    assert breakdown.components == ()
    assert breakdown.item_taxes == {"seeds": Decimal("0.00")}
    assert breakdown.shipping_tax == Decimal("0.00")
    assert breakdown.total == Decimal("0.00")


def test_zero_rated_share_of_shipping_is_untaxed():
    seeds = TaxableItem("seeds", Decimal("20.00"), ZERO_RATED)

    breakdown = taxes("ON", [seeds, hoodie()], shipping="12.00")

    assert amounts(breakdown) == [("HST", Decimal("7.89"))]
    assert breakdown.components[0].taxable_amount == Decimal("60.67")
    assert breakdown.item_taxes["seeds"] == Decimal("0.00")


def test_shipping_alone_is_taxed_at_standard_rate():
    breakdown = taxes("ON", [], shipping="10.00")

    assert amounts(breakdown) == [("HST", Decimal("1.30"))]
    assert breakdown.shipping_tax == Decimal("1.30")


def test_left_over_cent_goes_to_largest_remainder():
    items = [TaxableItem(key, Decimal("0.10"), STANDARD) for key in "abc"]

    breakdown = taxes("ON", items)

    assert breakdown.total == Decimal("0.04")
    assert breakdown.item_taxes == {
        "a": Decimal("0.02"),
        "b": Decimal("0.01"),
        "c": Decimal("0.01"),
    }


def random_cart(rng):
    return [
        TaxableItem(
            index,
            Decimal(rng.randint(0, 50_000)) / 100 * rng.randint(1, 5),
            rng.choice(TAX_CLASSES),
        )
        for index in range(rng.randint(0, 6))
    ]


def test_line_taxes_add_up_over_random_carts():
    rng = random.Random(20260101)
    provinces = sorted(load_province_rates())

    for _ in range(2000):
        items = random_cart(rng)
        shipping = Decimal(rng.randint(0, 4000)) / 100
        registrations = rng.sample(ALL_REGISTRATIONS, rng.randint(0, 4))
        breakdown = taxes(rng.choice(provinces), items, str(shipping), registrations)

        components = breakdown.components
        assert sum(breakdown.item_taxes.values()) + breakdown.shipping_tax == (
            breakdown.total
        )
        assert breakdown.total == sum(c.amount for c in components)
        assert breakdown.shipping_tax == sum(c.shipping_amount for c in components)
        for component in components:
            expected = round_money(component.taxable_amount * component.rate)
            assert component.amount == expected
            assert 0 <= component.shipping_amount <= component.amount


def test_tax_classes_match_shop_tax_class():
    assert set(TAX_CLASSES) == set(TaxClass.values)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"province": "ZZ"}, ValueError, "Unknown province or territory code 'ZZ'"),
        ({"registrations": ["B.C."]}, ValueError, "Unknown province code 'B.C.'"),
        (
            {"shipping_amount": Decimal("-1.00")},
            ValueError,
            "Invalid shipping amount: -1.00",
        ),
        (
            {"shipping_amount": Decimal("1.005")},
            ValueError,
            "Invalid shipping amount: 1.005",
        ),
        ({"shipping_amount": 1.5}, TypeError, "must be a Decimal, not 1.5"),
    ],
)
def test_invalid_arguments_raise(kwargs, error, message):
    arguments = {
        "province": "ON",
        "items": [hoodie()],
        "shipping_amount": Decimal("12.00"),
        "registrations": [],
    } | kwargs

    with pytest.raises(error, match=message):
        calculate_taxes(**arguments)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            [TaxableItem("gift", Decimal("5.00"), "luxury")],
            "Unknown tax class 'luxury'",
        ),
        ([hoodie(), hoodie()], "Duplicate item key 'hoodie'"),
        ([hoodie("-52.00")], "Invalid amount for item 'hoodie': -52.00"),
    ],
)
def test_invalid_items_raise(items, message):
    with pytest.raises(ValueError, match=message):
        taxes("ON", items)
