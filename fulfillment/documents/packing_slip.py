"""The packing slip that goes in each parcel, as a letter-size PDF."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.platypus import (
    Flowable,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .layout import address, barcode, style, text

MARGIN = 0.6 * inch
CONTENT_WIDTH = LETTER[0] - 2 * MARGIN
BARCODE_WIDTH = 2.6 * inch

TITLE = style("slip-title", 16, bold=True)
HEADING = style("slip-heading", 11, bold=True, spaceBefore=12, spaceAfter=4)
BODY = style("slip-body", 10)
SMALL = style("slip-small", 8.5)
CELL_HEADER = style("slip-cell-header", 9, bold=True)

TABLE_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.grey),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
    ]
)


@dataclass(frozen=True)
class SlipLine:
    """Units of one order line packed in this parcel."""

    sku: str
    name: str
    quantity: int
    options: str = ""
    bin_location: str = ""


@dataclass(frozen=True)
class BackorderLine:
    """Units of one order line still waiting for stock.

    `expected_ship_date` is None when no date can be promised.
    """

    sku: str
    name: str
    quantity: int
    expected_ship_date: date | None = None


@dataclass(frozen=True)
class PackingSlip:
    """The values one packing slip prints; addresses are lines, name first."""

    shop_name: str
    shop_address: tuple[str, ...]
    order_number: str
    shipment_number: str
    ship_to: tuple[str, ...]
    lines: tuple[SlipLine, ...]
    backorders: tuple[BackorderLine, ...] = ()


def render_packing_slip(slip: PackingSlip) -> bytes:
    """Render one packing slip as PDF bytes, the same bytes every time."""
    return render_packing_slips([slip])


def render_packing_slips(slips: Sequence[PackingSlip]) -> bytes:
    """Render packing slips into one PDF, each starting on a new page.

    The PDF's creation date and ID are fixed, so the same slips give the
    same bytes. Raises ValueError when `slips` is empty.
    """
    if not slips:
        raise ValueError("No packing slips to render: pass at least one.")

    story: list[Flowable] = []
    for index, slip in enumerate(slips):
        if index:
            story.append(PageBreak())
        story.extend(_slip_story(slip))

    buffer = io.BytesIO()
    title = f"Packing slip {slips[0].shipment_number}"
    if len(slips) > 1:
        title = f"Packing slips ({len(slips)})"
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=slips[0].shop_name,
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()


def _slip_story(slip: PackingSlip) -> list[Flowable]:
    story: list[Flowable] = [_header(slip), Spacer(1, 14)]
    story.append(text("Ship to", HEADING))
    story.append(address(slip.ship_to, BODY))
    story.append(text("In this parcel", HEADING))
    story.append(_lines_table(slip.lines))
    if slip.backorders:
        story.append(text("Still on backorder", HEADING))
        story.append(text("These items will follow in a later parcel.", SMALL))
        story.append(Spacer(1, 4))
        story.append(_backorders_table(slip.backorders))
    return story


def _header(slip: PackingSlip) -> Table:
    shop = [
        text(slip.shop_name, TITLE),
        Spacer(1, 4),
        address(slip.shop_address, BODY, bold_first=False),
    ]
    numbers = [
        text("Packing slip", TITLE),
        Spacer(1, 4),
        text(f"Order {slip.order_number}", BODY),
        text(f"Shipment {slip.shipment_number}", BODY),
        Spacer(1, 6),
        barcode(slip.shipment_number, max_width=BARCODE_WIDTH, bar_height=0.5 * inch),
    ]
    table = Table(
        [[shop, numbers]],
        colWidths=[CONTENT_WIDTH - BARCODE_WIDTH, BARCODE_WIDTH],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _item(name: str, options: str) -> list[Flowable]:
    cell: list[Flowable] = [text(name, BODY)]
    if options:
        cell.append(text(options, SMALL))
    return cell


def _lines_table(lines: Sequence[SlipLine]) -> Table:
    rows: list[list] = [
        [text(label, CELL_HEADER) for label in ("SKU", "Item", "Qty", "Bin")]
    ]
    for line in lines:
        rows.append(
            [
                text(line.sku, BODY),
                _item(line.name, line.options),
                text(str(line.quantity), BODY),
                text(line.bin_location, BODY),
            ]
        )
    widths = [1.4 * inch, CONTENT_WIDTH - 3.4 * inch, 0.6 * inch, 1.4 * inch]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _backorders_table(backorders: Sequence[BackorderLine]) -> Table:
    labels = ("SKU", "Item", "Qty", "Expected to ship")
    rows: list[list] = [[text(label, CELL_HEADER) for label in labels]]
    for line in backorders:
        rows.append(
            [
                text(line.sku, BODY),
                text(line.name, BODY),
                text(str(line.quantity), BODY),
                text(_ship_date_text(line.expected_ship_date), BODY),
            ]
        )
    widths = [1.4 * inch, CONTENT_WIDTH - 3.8 * inch, 0.6 * inch, 1.8 * inch]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _ship_date_text(day: date | None) -> str:
    if day is None:
        return "Date to be confirmed"
    # Built from parts so the system locale cannot change the words.
    return (
        f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
    )


DAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
