"""The shop's own 4 x 6 in shipping label, for parcels sent without a
carrier-issued label (no Canada Post credentials set)."""

import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Spacer

from .layout import address, barcode, style, text

PAGE_SIZE = (4 * inch, 6 * inch)
MARGIN = 0.2 * inch
WIDTH = PAGE_SIZE[0] - 2 * MARGIN
BARCODE_HEIGHT = 0.9 * inch
# Height of the barcode block: bars, the printed number and padding.
BARCODE_BLOCK = BARCODE_HEIGHT + 0.45 * inch
FROM_HEIGHT = 1.3 * inch
SERVICE_HEIGHT = 0.55 * inch

LABEL = style("label-caption", 7, bold=True)
FROM = style("label-from", 9)
SERVICE = style("label-service", 12, bold=True)
TO = style("label-to", 14)


@dataclass(frozen=True)
class ShippingLabel:
    """The values one label prints; addresses are lines, name first."""

    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    service: str
    weight_g: int
    tracking_number: str
    shipment_number: str = ""


def render_label(label: ShippingLabel) -> bytes:
    """Render a 4 x 6 in label as PDF bytes, the same bytes every time.

    Addresses wrap between words. An address too long for its box is set
    in a smaller size so that nothing is cut off. Raises ValueError when
    the tracking number cannot be printed as a Code 128 barcode.
    """
    code = barcode(label.tracking_number, max_width=WIDTH, bar_height=BARCODE_HEIGHT)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE_SIZE, invariant=1)
    canvas.setTitle(f"Shipping label {label.tracking_number}")
    top = PAGE_SIZE[1] - MARGIN
    _draw_box(canvas, _from_block(label), top=top, height=FROM_HEIGHT)
    top -= FROM_HEIGHT
    _draw_box(canvas, _service_block(label), top=top, height=SERVICE_HEIGHT)
    top -= SERVICE_HEIGHT
    to_height = top - MARGIN - BARCODE_BLOCK
    _draw_box(canvas, _to_block(label), top=top, height=to_height)

    code.drawOn(canvas, MARGIN + (WIDTH - code.width) / 2, MARGIN + 0.3 * inch)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def format_weight(weight_g: int) -> str:
    """Format grams as kilograms to the gram: 1250 -> "1.250 kg"."""
    kilograms = Decimal(weight_g) / 1000
    return f"{kilograms:.3f} kg"


def _from_block(label: ShippingLabel) -> list[Flowable]:
    return [text("FROM", LABEL), address(label.sender, FROM)]


def _service_block(label: ShippingLabel) -> list[Flowable]:
    line = f"{label.service}, {format_weight(label.weight_g)}"
    block: list[Flowable] = [text(line, SERVICE)]
    if label.shipment_number:
        block.append(text(f"Shipment {label.shipment_number}", FROM))
    return block


def _to_block(label: ShippingLabel) -> list[Flowable]:
    return [text("SHIP TO", LABEL), Spacer(1, 4), address(label.recipient, TO)]


def _draw_box(canvas: Canvas, story: list[Flowable], *, top: float, height: float):
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top, MARGIN + WIDTH, top)
    frame = Frame(
        MARGIN,
        top - height,
        WIDTH,
        height,
        leftPadding=2,
        rightPadding=2,
        topPadding=4,
        bottomPadding=2,
        showBoundary=0,
    )
    # Shrinking keeps a long address whole: a cut line could misroute it.
    frame.addFromList(
        [KeepInFrame(WIDTH - 4, height - 6, story, mode="shrink")], canvas
    )
