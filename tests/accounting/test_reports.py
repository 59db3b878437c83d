from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounting.ledger import credit, debit
from accounting.models import JournalEntry
from accounting.reports import (
    Period,
    balance_sheet,
    income_statement,
    parse_period,
    sales_tax_report,
    trial_balance,
)
from tests.accounting.reports_setup import (
    make_credit_note,
    make_invoice,
    make_order,
    make_supplier_bill,
    post,
    post_credit_note,
    post_owner_investment,
    post_sale,
    post_supplier_bill,
)

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
# 14:00 UTC is 11:00 in Halifax in March.
PAID_AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def march_books():
    """The owner puts in $5,000; a Nova Scotia sale of $100.00 goods and
    $10.00 shipping with 14% HST ($15.40) is paid; the goods cost $40.00;
    an office supplies bill of $60.00 plus $8.40 HST arrives."""
    post_owner_investment(day=date(2026, 3, 1))
    order = make_order("NS", "100.00", "10.00", [("HST", "0.14")], paid_at=PAID_AT)
    post_sale(order, day=date(2026, 3, 10))
    post(
        "cogs:test",
        JournalEntry.Kind.STOCK,
        date(2026, 3, 10),
        debit("cost_of_goods_sold", D("40.00")),
        credit("inventory", D("40.00")),
    )
    post_supplier_bill(
        make_supplier_bill("MP-1", "60.00", "8.40", bill_date=date(2026, 3, 20))
    )
    return order


def rows_by_key(report):
    return {row.account.key: row for row in report.rows}


def test_trial_balance_totals_match(march_books):
    report = trial_balance(period=MARCH)

    assert report.total_debit == D("5233.80")
    assert report.total_credit == D("5233.80")
    assert report.is_balanced


def test_trial_balance_account_rows(march_books):
    rows = rows_by_key(trial_balance(period=MARCH))

    assert rows["stripe_clearing"].debit == D("125.40")
    assert rows["stripe_clearing"].closing_balance == D("125.40")
    assert rows["inventory"].credit == D("40.00")
    assert rows["inventory"].closing_balance == D("-40.00")
    assert rows["gst_hst_payable"].closing_balance == D("15.40")
    assert rows["gst_hst_payable"].closing_credit == D("15.40")
    assert rows["accounts_payable"].closing_balance == D("68.40")
    assert rows["bank"].closing_debit == D("5000.00")


def test_trial_balance_lists_every_account(march_books):
    rows = rows_by_key(trial_balance(period=MARCH))

    assert len(rows) == 25
    assert rows["cash_drawer"].debit == 0
    assert rows["cash_drawer"].closing_balance == 0


def test_trial_balance_carries_opening_balance(march_books):
    april = Period(date(2026, 4, 1), date(2026, 4, 30))

    rows = rows_by_key(trial_balance(period=april))

    assert rows["bank"].opening_balance == D("5000.00")
    assert rows["bank"].debit == 0
    assert rows["bank"].closing_balance == D("5000.00")


def test_income_statement_net_income(march_books):
    statement = income_statement(period=MARCH)

    assert statement.revenue.total == D("110.00")
    assert statement.sales_returns.total == 0
    assert statement.cost_of_goods_sold.total == D("40.00")
    assert statement.gross_profit == D("70.00")
    assert statement.expenses.total == D("60.00")
    assert statement.net_income == D("10.00")


def test_income_statement_subtracts_sales_returns(march_books):
    invoice = make_invoice(march_books, 1)
    note = make_credit_note(
        invoice, 1, "20.00", [("HST", "0.14", "2.80")], issued_at=PAID_AT
    )
    post_credit_note(note, day=date(2026, 3, 25))

    statement = income_statement(period=MARCH)

    assert statement.sales_returns.total == D("20.00")
    assert statement.net_revenue == D("90.00")
    assert statement.net_income == D("-10.00")


def test_balance_sheet_balances(march_books):
    sheet = balance_sheet(as_of=date(2026, 3, 31))

    assert sheet.assets.total == D("5093.80")
    assert sheet.liabilities.total == D("83.80")
    assert sheet.equity.total == D("5000.00")
    assert sheet.retained_earnings == D("10.00")
    assert sheet.total_liabilities_and_equity == D("5093.80")
    assert sheet.is_balanced


def test_balance_sheet_leaves_out_later_entries(march_books):
    sheet = balance_sheet(as_of=date(2026, 3, 15))

    assert sheet.liabilities.total == D("15.40")
    assert sheet.retained_earnings == D("70.00")
    assert sheet.is_balanced


@pytest.fixture
def tax_quarter():
    """Sales to five provinces, a partial refund in BC and an expense bill.

    NS  $100.00 + $10.00 shipping, HST 14%          = $15.40
    BC  $200.00, GST 5% $10.00, PST 7% $14.00
    QC   $50.00 + $10.00 shipping, GST $3.00, QST 9.975% $5.985 -> $5.99
    MB   $80.00, GST $4.00, RST 7% $5.60
    SK   $40.00, GST $2.00, PST 6% $2.40
    BC refund of $50.00 goods: GST $2.50, PST $3.50
    Bill: $60.00 office supplies, HST $8.40
    """
    sales = [
        ("NS", "100.00", "10.00", [("HST", "0.14")]),
        ("BC", "200.00", "0.00", [("GST", "0.05"), ("PST", "0.07")]),
        ("QC", "50.00", "10.00", [("GST", "0.05"), ("QST", "0.09975")]),
        ("MB", "80.00", "0.00", [("GST", "0.05"), ("RST", "0.07")]),
        ("SK", "40.00", "0.00", [("GST", "0.05"), ("PST", "0.06")]),
    ]
    orders = {}
    for number, (province, subtotal, shipping, taxes) in enumerate(sales, start=1):
        order = make_order(province, subtotal, shipping, taxes, paid_at=PAID_AT)
        invoice = make_invoice(order, number)
        post_sale(order, day=date(2026, 3, 10), invoice=invoice)
        orders[province] = order
    note = make_credit_note(
        orders["BC"].invoice,
        1,
        "50.00",
        [("GST", "0.05", "2.50"), ("PST", "0.07", "3.50")],
        issued_at=PAID_AT,
    )
    post_credit_note(note, day=date(2026, 3, 20))
    post_supplier_bill(
        make_supplier_bill("MP-2", "60.00", "8.40", bill_date=date(2026, 3, 21))
    )
    return orders


def test_sales_tax_gst_hst_return_lines(tax_quarter):
    report = sales_tax_report(period=MARCH)

    assert report.gst_hst.line_101 == D("440.00")
    assert report.gst_hst.line_103 == D("31.90")
    assert report.gst_hst.line_106 == D("8.40")
    assert report.gst_hst.line_109 == D("23.50")


def test_sales_tax_collected_by_component(tax_quarter):
    report = sales_tax_report(period=MARCH)

    collected = {
        (row.code, row.province): (row.charged, row.refunded, row.collected)
        for row in report.collected
    }
    assert collected == {
        ("GST", "BC"): (D("10.00"), D("2.50"), D("7.50")),
        ("GST", "MB"): (D("4.00"), D("0.00"), D("4.00")),
        ("GST", "QC"): (D("3.00"), D("0.00"), D("3.00")),
        ("GST", "SK"): (D("2.00"), D("0.00"), D("2.00")),
        ("HST", "NS"): (D("15.40"), D("0.00"), D("15.40")),
        ("PST", "BC"): (D("14.00"), D("3.50"), D("10.50")),
        ("PST", "SK"): (D("2.40"), D("0.00"), D("2.40")),
        ("QST", "QC"): (D("5.99"), D("0.00"), D("5.99")),
        ("RST", "MB"): (D("5.60"), D("0.00"), D("5.60")),
    }


def test_sales_tax_provincial_returns(tax_quarter):
    report = sales_tax_report(period=MARCH)

    provincial = {
        (row.code, row.province): (row.taxable_sales, row.collected)
        for row in report.provincial
    }
    assert provincial == {
        ("PST", "BC"): (D("150.00"), D("10.50")),
        ("PST", "SK"): (D("40.00"), D("2.40")),
        ("RST", "MB"): (D("80.00"), D("5.60")),
        ("QST", "QC"): (D("60.00"), D("5.99")),
    }


def test_sales_tax_report_outside_period_empty(tax_quarter):
    report = sales_tax_report(period=Period(date(2026, 4, 1), date(2026, 4, 30)))

    assert report.collected == []
    assert report.gst_hst.line_101 == 0
    assert report.gst_hst.line_109 == 0


def test_period_rejects_start_after_end():
    with pytest.raises(
        ValueError, match="starts on 2026-04-01 after it ends on 2026-03-31"
    ):
        parse_period("2026-04-01", "2026-03-31")


def test_period_rejects_malformed_date():
    with pytest.raises(ValueError, match="Invalid start date '31/03/2026'"):
        parse_period("31/03/2026", "2026-04-30")


def test_period_bounds_in_shop_time_zone():
    opens, closes = MARCH.bounds()

    assert opens == datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    assert closes == datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
