"""The nightly backorder report: content, grouping, totals and days."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from inventory.reports import build_backorder_report
from orders.models import Order
from tests.inventory.reports_setup import (
    BUSINESS_DATE,
    make_variant,
    three_waiting_lines,
    waiting_line,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "Order",
    "Customer",
    "Email",
    "SKU",
    "Product",
    "Options",
    "Quantity waiting",
    "Backordered on",
    "Days waiting",
    "Expected date",
]


def csv_rows(report):
    return list(csv.reader(io.StringIO(report.csv_content.decode())))


def test_backorder_csv_lists_lines_by_product():
    three_waiting_lines()

    report = build_backorder_report(BUSINESS_DATE)

    assert report.filename == "backorders-2025-03-14.csv"
    assert csv_rows(report) == [
        HEADER,
        ["100003", "Casey Tremblay", "Casey@example.com", "MUG-12", "Harbour Mug",
         "", "4", "2025-03-13", "1", "2025-03-21"],
        ["100001", "Avery Tremblay", "Avery@example.com", "TOQ-RED", "Merino Toque",
         "Red", "2", "2025-03-10", "4", "2025-03-20"],
        ["100002", "Blake Tremblay", "Blake@example.com", "TOQ-RED", "Merino Toque",
         "Red", "1", "2025-03-12", "2", "2025-03-20"],
    ]  # fmt: skip


def test_backorder_subject_gives_grand_total():
    three_waiting_lines()

    report = build_backorder_report(BUSINESS_DATE)

    assert report.subject == "Backorder report for 2025-03-14: 7 units on 3 lines"


def test_backorder_text_totals_each_product():
    three_waiting_lines()

    report = build_backorder_report(BUSINESS_DATE)

    assert (
        "MUG-12 Harbour Mug: 4 units on 1 line, expected 2025-03-21\n"
        "TOQ-RED Merino Toque (Red): 3 units on 2 lines, expected 2025-03-20\n"
        "\nGrand total: 7 units on 3 lines\n"
    ) in report.text_body


def html_table_rows(html):
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.DOTALL)
    return [
        [
            " ".join(cell.split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
        ]
        for row in rows
    ]


def test_backorder_html_groups_lines_under_products():
    three_waiting_lines()

    report = build_backorder_report(BUSINESS_DATE)

    assert html_table_rows(report.html_body) == [
        ["Order", "Customer", "Waiting", "Days", "Expected"],
        ["MUG-12 Harbour Mug"],
        ["100003", "Casey Tremblay", "4", "1", "2025-03-21"],
        ["Total MUG-12 (1 line)", "4", "", "2025-03-21"],
        ["TOQ-RED Merino Toque (Red)"],
        ["100001", "Avery Tremblay", "2", "4", "2025-03-20"],
        ["100002", "Blake Tremblay", "1", "2", "2025-03-20"],
        ["Total TOQ-RED (2 lines)", "3", "", "2025-03-20"],
        ["Grand total (3 lines)", "7", ""],
    ]


def test_backorder_html_states_totals():
    three_waiting_lines()

    report = build_backorder_report(BUSINESS_DATE)

    html = " ".join(report.html_body.split())
    assert "Backorder report for Friday, March 14, 2025" in html
    assert "7 units on 3 order lines are waiting for stock, for 2 products." in html


def test_backorder_report_leaves_out_cancelled_orders():
    three_waiting_lines()
    Order.objects.filter(number=100003).update(status=Order.Status.CANCELLED)

    report = build_backorder_report(BUSINESS_DATE)

    assert [row[0] for row in csv_rows(report)[1:]] == ["100001", "100002"]
    assert report.subject == "Backorder report for 2025-03-14: 3 units on 2 lines"


def test_empty_backorder_report_says_so():
    report = build_backorder_report(BUSINESS_DATE)

    assert report.subject == "Backorder report for 2025-03-14: nothing waiting"
    assert "No order lines are waiting for stock." in report.html_body
    assert "No order lines are waiting for stock." in report.text_body
    assert csv_rows(report) == [HEADER]


def late_evening_line():
    # 23:30 in Halifax on March 14 (ADT, UTC-3) is 02:30 UTC on March 15.
    variant = make_variant(sku="LAMP-1", product_name="Lamp", quantity_on_hand=0)
    waiting_line(
        number=100010,
        variant=variant,
        first_name="Dana",
        quantity=1,
        waiting=1,
        backordered_at=datetime(2025, 3, 15, 2, 30, tzinfo=UTC),
    )


def test_late_evening_backorder_belongs_to_shop_day():
    late_evening_line()

    report = build_backorder_report(date(2025, 3, 14))

    rows = csv_rows(report)[1:]
    assert [(row[0], row[7], row[8]) for row in rows] == [("100010", "2025-03-14", "0")]


def test_late_evening_backorder_not_on_day_before():
    late_evening_line()

    report = build_backorder_report(date(2025, 3, 13))

    assert csv_rows(report) == [HEADER]


def test_late_evening_backorder_waits_one_day_next_day():
    late_evening_line()

    report = build_backorder_report(date(2025, 3, 15))

    assert [row[8] for row in csv_rows(report)[1:]] == ["1"]
