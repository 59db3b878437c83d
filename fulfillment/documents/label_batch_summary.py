"""The last page of a label batch: the shipments that got no label, and why.

It has the label's 4 x 6 in size, so a label printer prints it like the
labels before it. A long list flows onto more pages.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import SimpleDocTemplate, Spacer

from .label import MARGIN, PAGE_SIZE
from .layout import style, text

TITLE = style("batch-title", 11, bold=True)
BODY = style("batch-body", 8.5)
NUMBER = style("batch-number", 8.5, bold=True, spaceBefore=6)


@dataclass(frozen=True)
class MissingLabel:
    """A shipment of the batch whose label is not in the PDF."""

    shipment_number: str
    order_number: str
    reason: str


def render_label_batch_summary(
    *, printed: int, missing: Sequence[MissingLabel]
) -> bytes:
    """Render the summary of a batch as PDF bytes, the same bytes every time.

    `printed` is the number of labels in the batch's PDF.
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="Label batch summary",
        invariant=1,
    )
    story = [
        text(f"Shipments without a label: {len(missing)}", TITLE),
        text(f"Labels printed before this page: {printed}", BODY),
        Spacer(1, 4),
    ]
    for shipment in missing:
        order = f" (order {shipment.order_number})" if shipment.order_number else ""
        story.append(text(f"Shipment {shipment.shipment_number}{order}", NUMBER))
        story.append(text(shipment.reason, BODY))
    document.build(story)
    return buffer.getvalue()
