"""Lump sums above what the lines have left take a share of the shipping.

Found by the ledger property test: a lump sum refunded without ticking
shipping, after the lines were refunded, gave back more GST than the order
charged, or came to a credit note of $0.00.
"""

from decimal import Decimal

from accounting.credit_note_amounts import (
    LineBalance,
    OrderBalance,
    TaxBalance,
    credit_for_amount,
)

D = Decimal


def refunded_book_order() -> OrderBalance:
    """Quebec: two $24.99 books, $10.00 shipping, both books refunded.

    GST 5% is $2.50 on the books and $0.50 on the shipping; QST 9.975% on
    the shipping is $1.00. Left to refund: $10.00 shipping and $1.50 tax.
    """
    return OrderBalance(
        lines=(
            LineBalance(
                "book",
                2,
                D("49.98"),
                D("2.50"),
                "printed_book",
                credited_quantity=2,
                credited_net=D("49.98"),
                credited_tax=D("2.50"),
            ),
        ),
        taxes=(
            TaxBalance(
                "GST",
                "GST",
                D("0.05"),
                D("3.00"),
                D("0.50"),
                frozenset({"printed_book"}),
                credited=D("2.50"),
            ),
            TaxBalance("QST", "QST", D("0.09975"), D("1.00"), D("1.00"), frozenset()),
        ),
        shipping_net=D("10.00"),
    )


def test_lump_sum_beyond_lines_credits_shipping():
    credit = credit_for_amount(refunded_book_order(), D("0.51"), shipping=False)

    assert credit.lines == ()
    assert credit.shipping_net == D("0.44")
    assert credit.shipping_tax == D("0.07")
    assert credit.total == D("0.51")


def test_lump_sum_beyond_lines_keeps_gst_within_charged():
    credit = credit_for_amount(refunded_book_order(), D("0.51"), shipping=False)

    taxes = [(tax.code, tax.amount) for tax in credit.taxes]
    assert taxes == [("GST", D("0.02")), ("QST", D("0.05"))]
