"""Fonts, paragraph styles and the barcode shared by the shipment PDFs."""

from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

# The PDF standard fonts need no embedding and cover Windows-1252, which
# contains every letter of English and French.
# TODO: characters outside Windows-1252 (Ł, Chinese names) print as boxes;
# embed a Unicode TrueType font to print them.
FONT = "Helvetica"
BOLD_FONT = "Helvetica-Bold"


def style(name: str, size: float, *, bold: bool = False, **extra) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=BOLD_FONT if bold else FONT,
        fontSize=size,
        leading=round(size * 1.2, 1),
        # Break lines only between words: a word cut in two on a label or
        # a slip reads as two words to a person and to text extraction.
        splitLongWords=0,
        **extra,
    )


def text(value: str, paragraph_style: ParagraphStyle) -> Paragraph:
    """Wrap plain `value` in a paragraph, escaping what reads as markup."""
    return Paragraph(escape(value), paragraph_style)


def address(
    lines: Iterable[str], paragraph_style: ParagraphStyle, *, bold_first: bool = True
) -> Paragraph:
    """Set address lines in one paragraph, the first (the name) in bold."""
    escaped = [escape(line) for line in lines if line]
    if escaped and bold_first:
        escaped[0] = f"<b>{escaped[0]}</b>"
    return Paragraph("<br/>".join(escaped), paragraph_style)


def barcode(value: str, *, max_width: float, bar_height: float) -> Code128:
    """Return a Code 128 barcode of `value` no wider than `max_width` points.

    Bars are 1 pt (0.014 in) wide when they fit and narrower for long
    values. Raises ValueError for an empty value or characters outside
    ASCII, which Code 128 cannot encode.
    """
    if not value or not value.isascii():
        raise ValueError(
            f"Cannot print {value!r} as a Code 128 barcode: use ASCII characters."
        )
    code = Code128(value, barWidth=1.0, barHeight=bar_height, humanReadable=True)
    if code.width > max_width:
        code = Code128(
            value,
            barWidth=max_width / code.width,
            barHeight=bar_height,
            humanReadable=True,
        )
    return code
