import csv
import io
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from subprocess import run

import pytest
from beancount import loader
from django.core.management import CommandError, call_command

from accounting.exports import export_journal
from accounting.reports import Period
from tests.accounting.reports_setup import (
    make_invoice,
    make_order,
    make_supplier_bill,
    post_owner_investment,
    post_sale,
    post_supplier_bill,
)

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
PAID_AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def sale_entry():
    """A $5,000.00 investment, a Quebec sale of $50.00 goods and $10.00
    shipping (GST $3.00, QST $5.99, total $68.99) and a $60.00 bill with
    $8.40 HST. Returns the sale's entry."""
    post_owner_investment(day=date(2026, 3, 1))
    order = make_order(
        "QC", "50.00", "10.00", [("GST", "0.05"), ("QST", "0.09975")], paid_at=PAID_AT
    )
    sale = post_sale(order, day=date(2026, 3, 10), invoice=make_invoice(order, 7))
    bill = make_supplier_bill("MP-3", "60.00", "8.40", bill_date=date(2026, 3, 21))
    post_supplier_bill(bill)
    return sale


def rows(content):
    return list(csv.reader(io.StringIO(content)))


def test_csv_export_header_and_sale_row(sale_entry):
    content = export_journal(period=MARCH, format_code="csv").content

    table = rows(content)
    assert table[0] == [
        "Date",
        "Entry",
        "Event key",
        "Account code",
        "Account name",
        "Debit",
        "Credit",
        "Memo",
        "Documents",
    ]
    assert table[3] == [
        "2026-03-10",
        str(sale_entry.pk),
        f"sale:order:{sale_entry.order_id}",
        "1010",
        "Stripe clearing",
        "68.99",
        "0.00",
        f"sale:order:{sale_entry.order_id}",
        f"order {sale_entry.order.number}; invoice 7",
    ]
    assert len(table) == 1 + 2 + 5 + 3


def test_qbo_export_header_and_rows(sale_entry):
    content = export_journal(period=MARCH, format_code="qbo").content

    table = rows(content)
    assert table[0] == [
        "Journal No.",
        "Journal Date",
        "Account Name",
        "Debits",
        "Credits",
        "Description",
        "Name",
    ]
    assert table[7] == [
        f"LF-{sale_entry.pk}",
        "03/10/2026",
        "QST payable",
        "",
        "5.99",
        f"sale:order:{sale_entry.order_id}",
        "",
    ]
    assert table[-1][2:5] == ["Accounts payable", "", "68.40"]
    assert table[-1][6] == "Maritime Paper Co."


def test_xero_export_signed_amounts(sale_entry):
    content = export_journal(period=MARCH, format_code="xero").content

    table = rows(content)
    assert table[0] == [
        "Narration",
        "Date",
        "Description",
        "AccountCode",
        "TaxRate",
        "Amount",
        "TrackingName1",
        "TrackingOption1",
        "TrackingName2",
        "TrackingOption2",
    ]
    narration = f"LF-{sale_entry.pk} sale:order:{sale_entry.order_id}"
    assert table[3][:6] == [narration, "10/03/2026", "", "1010", "Tax Exempt", "68.99"]
    assert table[4][:6] == [narration, "10/03/2026", "", "4000", "Tax Exempt", "-50.00"]
    sale_total = sum(Decimal(row[5]) for row in table[1:] if row[0] == narration)
    assert sale_total == 0


def test_beancount_export_passes_bean_check(sale_entry):
    content = export_journal(period=MARCH, format_code="beancount").content

    ledger, errors, options = loader.load_string(content)

    assert errors == []
    assert options["operating_currency"] == ["CAD"]
    transactions = [item for item in ledger if hasattr(item, "postings")]
    assert len(transactions) == 3


def test_beancount_export_sale_transaction(sale_entry):
    content = export_journal(period=MARCH, format_code="beancount").content

    assert "2026-03-01 open Assets:1010-Stripe-Clearing CAD\n" in content
    assert "2026-03-01 open Liabilities:2240-QST-Payable CAD\n" in content
    assert (
        f'2026-03-10 * "sale:order:{sale_entry.order_id}"\n'
        f"  entry-id: {sale_entry.pk}\n"
        f'  event-key: "sale:order:{sale_entry.order_id}"\n'
        f'  documents: "order {sale_entry.order.number}; invoice 7"\n'
        "  Assets:1010-Stripe-Clearing  68.99 CAD\n"
        "  Income:4000-Sales-Revenue-Online  -50.00 CAD\n"
    ) in content


def test_export_command_writes_file(sale_entry, tmp_path):
    output = tmp_path / "march.csv"
    stderr = io.StringIO()

    call_command(
        "export_journal",
        "--format=qbo",
        "--from=2026-03-01",
        "--to=2026-03-31",
        f"--output={output}",
        stderr=stderr,
    )

    assert rows(output.read_text())[1][:3] == [
        "LF-" + str(sale_entry.pk - 1),
        "03/01/2026",
        "Bank",
    ]
    assert (
        f"Wrote 3 entries (10 lines) for 2026-03-01 to 2026-03-31 to {output}."
        in stderr.getvalue()
    )


def test_export_command_to_standard_output(sale_entry):
    stdout = io.StringIO()

    call_command(
        "export_journal",
        "--format=csv",
        "--from=2026-03-10",
        "--to=2026-03-10",
        stdout=stdout,
    )

    assert len(rows(stdout.getvalue())) == 1 + 5


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--format=csv", "--from=2026-04-01", "--to=2026-03-31"],
            "The period starts on 2026-04-01 after it ends on 2026-03-31",
        ),
        (
            ["--format=csv", "--from=2026-03-01", "--to=31/03/2026"],
            "Invalid end date '31/03/2026': use the form YYYY-MM-DD",
        ),
        (
            ["--format=sage", "--from=2026-03-01", "--to=2026-03-31"],
            "Unknown export format 'sage'; choose one of csv, qbo, xero, beancount.",
        ),
    ],
)
def test_export_command_rejects_bad_input(sale_entry, tmp_path, arguments, message):
    output = tmp_path / "journal.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export_journal", *arguments, f"--output={output}")

    assert message in str(raised.value)
    assert not output.exists()


def test_export_command_exits_non_zero(tmp_path):
    output = tmp_path / "journal.csv"
    result = run(
        [
            sys.executable,
            "manage.py",
            "export_journal",
            "--format=csv",
            "--from=2026-04-01",
            "--to=2026-03-01",
            f"--output={output}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert (
        "The period starts on 2026-04-01 after it ends on 2026-03-01" in result.stderr
    )
    assert not output.exists()
