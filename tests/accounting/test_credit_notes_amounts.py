"""Credit note amounts: pure rules on plain values."""

from decimal import Decimal

import pytest

from accounting.credit_note_amounts import (
    LineBalance,
    OrderBalance,
    TaxBalance,
    credit_for_amount,
    credit_for_units,
    credit_remaining,
    split_cents,
)

D = Decimal


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        ("10.00", ["52.00", "26.00"], ["6.67", "3.33"]),
        ("0.01", ["1.00", "1.00"], ["0.01", "0.00"]),
        ("1.00", ["1.00", "1.00", "1.00"], ["0.34", "0.33", "0.33"]),
        ("5.00", ["0.00", "3.00"], ["0.00", "5.00"]),
        ("5.00", ["0.00", "0.00"], ["5.00", "0.00"]),
    ],
)
def test_split_cents_table(total, weights, parts):
    result = split_cents(D(total), [D(weight) for weight in weights])

    assert result == [D(part) for part in parts]


def bc_order() -> OrderBalance:
    """BC, registered for PST: a $40.00 mug and a $20.00 book, $10.00
    shipping. GST 5% on $70.00 is $3.50; PST 7% on the mug and its part of
    the shipping ($46.67) is $3.27."""
    return OrderBalance(
        lines=(
            LineBalance("mug", 2, D("40.00"), D("4.80"), "standard"),
            LineBalance("book", 1, D("20.00"), D("1.00"), "printed_book"),
        ),
        taxes=(
            TaxBalance(
                "GST",
                "GST",
                D("0.05"),
                D("3.50"),
                D("0.50"),
                frozenset({"standard", "printed_book"}),
            ),
            TaxBalance(
                "PST", "PST", D("0.07"), D("3.27"), D("0.47"), frozenset({"standard"})
            ),
        ),
        shipping_net=D("10.00"),
    )


def test_units_credit_taxes_by_class():
    credit = credit_for_units(bc_order(), {"book": 1}, shipping=False)

    assert [(line.key, line.net_amount, line.tax_amount) for line in credit.lines] == [
        ("book", D("20.00"), D("1.00"))
    ]
    assert [(tax.code, tax.amount) for tax in credit.taxes] == [("GST", D("1.00"))]
    assert credit.total == D("21.00")


def test_units_credit_lines_match_taxes():
    credit = credit_for_units(bc_order(), {"mug": 1}, shipping=True)

    line_tax = sum(line.tax_amount for line in credit.lines)
    assert line_tax + credit.shipping_tax == credit.tax_total
    assert credit.subtotal == D("20.00")
    assert credit.shipping_net == D("10.00")
    assert [(tax.code, tax.amount) for tax in credit.taxes] == [
        ("GST", D("1.50")),
        ("PST", D("1.87")),
    ]


def test_last_units_credit_what_is_left():
    balance = bc_order()
    first = credit_for_units(balance, {"mug": 1}, shipping=True)
    after_first = OrderBalance(
        lines=(
            LineBalance(
                "mug",
                2,
                D("40.00"),
                D("4.80"),
                "standard",
                credited_quantity=1,
                credited_net=first.lines[0].net_amount,
                credited_tax=first.lines[0].tax_amount,
            ),
            balance.lines[1],
        ),
        taxes=tuple(
            TaxBalance(
                tax.code,
                tax.name,
                tax.rate,
                tax.amount,
                tax.shipping_amount,
                tax.tax_classes,
                credited=next(c.amount for c in first.taxes if c.code == tax.code),
            )
            for tax in balance.taxes
        ),
        shipping_net=D("10.00"),
        credited_shipping_net=first.shipping_net,
        credited_shipping_tax=first.shipping_tax,
    )

    second = credit_for_units(after_first, {"mug": 1, "book": 1}, shipping=False)

    assert first.total + second.total == D("76.77")
    assert first.tax_total + second.tax_total == D("6.77")


def test_lump_sum_stays_within_zero_rated_line():
    balance = OrderBalance(
        lines=(
            LineBalance("food", 1, D("50.00"), D("0.00"), "zero_rated"),
            LineBalance("mug", 1, D("50.00"), D("7.50"), "standard"),
        ),
        taxes=(
            TaxBalance(
                "HST", "HST", D("0.15"), D("7.50"), D("0.00"), frozenset({"standard"})
            ),
        ),
        shipping_net=D("0.00"),
    )

    credit = credit_for_amount(balance, D("107.49"), shipping=False)

    assert [(line.key, line.net_amount, line.tax_amount) for line in credit.lines] == [
        ("food", D("50.00"), D("0.00")),
        ("mug", D("49.99"), D("7.50")),
    ]
    assert credit.total == D("107.49")


def test_credit_remaining_is_whole_order():
    credit = credit_remaining(bc_order())

    assert credit.total == D("76.77")
    assert credit.shipping_tax == D("0.97")
