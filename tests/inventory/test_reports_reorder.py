"""The nightly reorder report: what to order, from whom, what is coming."""

import csv
import io
import re
from datetime import date

import pytest

from inventory.reports import build_reorder_report
from tests.factories.inventory import SupplierFactory
from tests.inventory.reports_setup import (
    BUSINESS_DATE,
    make_variant,
    open_purchase_order,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "SKU",
    "Product",
    "Available",
    "On order",
    "Backordered",
    "Reorder point",
    "Suggested quantity",
    "Supplier",
    "Open purchase orders",
]


def earrings_below_point():
    """3 available + 2 on PO 7 = 5, at or below the point of 6: order 10."""
    supplier = SupplierFactory(name="Sea Glass Studio")
    earrings = make_variant(
        sku="EAR-01",
        product_name="Sea Glass Earrings",
        supplier=supplier,
        quantity_on_hand=4,
        quantity_allocated=1,
        reorder_point=6,
        reorder_quantity=10,
    )
    open_purchase_order(
        number=7,
        supplier=supplier,
        variant=earrings,
        quantity=2,
        expected_date=date(2025, 3, 18),
    )
    make_variant(
        sku="EAR-02",
        product_name="Driftwood Earrings",
        supplier=supplier,
        quantity_on_hand=20,
        reorder_point=6,
        reorder_quantity=10,
    )


def test_reorder_csv_lists_products_at_point():
    earrings_below_point()

    report = build_reorder_report(BUSINESS_DATE)

    rows = list(csv.reader(io.StringIO(report.csv_content.decode())))
    assert rows == [
        HEADER,
        ["EAR-01", "Sea Glass Earrings", "3", "2", "0", "6", "10",
         "Sea Glass Studio", "PO 7: 2"],
    ]  # fmt: skip


def test_reorder_html_lists_products_at_point():
    earrings_below_point()

    report = build_reorder_report(BUSINESS_DATE)

    cells = [
        " ".join(cell.split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", report.html_body, re.DOTALL)
    ]
    assert cells == [
        "EAR-01 Sea Glass Earrings",
        "3",
        "6",
        "10",
        "Sea Glass Studio",
        "PO 7: 2",
    ]
    assert report.subject == "Reorder report for 2025-03-14: 1 product to reorder"


def test_reorder_text_names_supplier_and_orders():
    earrings_below_point()

    report = build_reorder_report(BUSINESS_DATE)

    assert (
        "EAR-01 Sea Glass Earrings: available 3, reorder point 6, order 10 "
        "from Sea Glass Studio; open: PO 7 (2)\n"
    ) in report.text_body


def test_empty_reorder_report_says_so():
    report = build_reorder_report(BUSINESS_DATE)

    assert report.subject == "Reorder report for 2025-03-14: nothing to reorder"
    assert "No product is at or below its reorder point." in report.html_body
    assert "No product is at or below its reorder point." in report.text_body
    assert report.csv_content.decode() == ",".join(HEADER) + "\r\n"
