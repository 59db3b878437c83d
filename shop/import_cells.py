"""Cells of the admin's CSV imports, read and checked one column at a time.

Each widget turns a cell's text into a value, or raises ValueError with a
message that shows the value and how to write it. CellField puts the column
name in front, so the preview reads "price 'abc' is not a number; use a
plain amount like 12.50". Exports write the same text back, so a file
exported, edited and imported again keeps every value it did not edit.
"""

import re
from decimal import Decimal, InvalidOperation

from import_export.fields import Field
from import_export.widgets import Widget

YES_WORDS = {"yes", "y", "true", "1"}
# Digits with at most one decimal point: no exponent, NaN or Infinity,
# which Decimal would accept.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
SCIENTIFIC_NOTATION = re.compile(r"[+-]?\d+([.,]\d+)?[eE][+-]?\d+")
# GTIN lengths: EAN-8, UPC-A, EAN-13 (and ISBN-13), GTIN-14.
BARCODE_LENGTHS = (8, 12, 13, 14)
NO_WORDS = {"no", "n", "false", "0"}


class CellField(Field):
    """A resource field whose errors name its column."""

    def clean(self, row, **kwargs):
        try:
            return super().clean(row, **kwargs)
        except ValueError as error:
            raise ValueError(f"{self.column_name} {error}") from None


def cell_text(value) -> str:
    """Return a cell's text without surrounding spaces, "" when empty."""
    return "" if value is None else str(value).strip()


class TextWidget(Widget):
    """Plain text up to `max_length` characters; `required` rejects blanks."""

    def __init__(self, *, max_length: int, required: bool = False, example: str = ""):
        super().__init__()
        self.max_length = max_length
        self.required = required
        self.example = example

    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value)
        if not text and self.required:
            raise ValueError(f"is missing; enter a value, {self.example}")
        if len(text) > self.max_length:
            raise ValueError(
                f"'{text[:40]}...' is {len(text)} characters long; shorten it to "
                f"{self.max_length} or fewer"
            )
        return text

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class CodeWidget(TextWidget):
    """A SKU or other code: required, and without spaces."""

    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value, row, **kwargs)
        if any(character.isspace() for character in text):
            raise ValueError(
                f"'{text}' contains a space; write it without spaces, {self.example}"
            )
        return text


class BarcodeWidget(TextWidget):
    """A GTIN barcode of 8, 12, 13 or 14 digits, or blank for none."""

    def __init__(self):
        super().__init__(max_length=64)

    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value, row, **kwargs)
        if SCIENTIFIC_NOTATION.fullmatch(text):
            raise ValueError(
                f"'{text}' is a number in scientific notation, because a "
                "spreadsheet turned the barcode into a number; format the "
                "barcode column as text and type the full digits again"
            )
        if text and (not text.isascii() or not text.isdigit()):
            raise ValueError(
                f"'{text}' is not a barcode; use the digits under the bars only, "
                "like 9780451457998"
            )
        if text and len(text) not in BARCODE_LENGTHS:
            raise ValueError(
                f"'{text}' has {len(text)} digits, but a barcode has 8, 12, 13 or "
                "14; check the digits under the bars"
            )
        return text


class MoneyWidget(Widget):
    """An amount in CAD to the cent, 0 or more, without a currency sign."""

    def clean(self, value, row=None, **kwargs) -> Decimal:
        text = cell_text(value)
        if not text:
            raise ValueError("is missing; enter an amount like 12.50")
        amount = _decimal(text)
        if amount is None:
            raise ValueError(f"'{text}' is not a number; use a plain amount like 12.50")
        if amount < 0:
            raise ValueError(f"'{text}' is negative; enter 0 or more, like 12.50")
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(
                f"'{text}' has more than 2 decimal places; round it to the cent, "
                "like 12.50"
            )
        if amount >= Decimal("1e10"):
            raise ValueError(f"'{text}' is too large; check the amount")
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else f"{value:.2f}"


class WholeNumberWidget(Widget):
    """A whole number from 0 to `max_value`; blank is None when allowed."""

    def __init__(self, *, unit: str, max_value: int, blank: bool = True):
        super().__init__()
        self.unit = unit
        self.max_value = max_value
        self.blank = blank

    def clean(self, value, row=None, **kwargs) -> int | None:
        text = cell_text(value)
        if not text:
            if self.blank:
                return None
            raise ValueError(f"is missing; enter a whole number of {self.unit}")
        number = _decimal(text)
        if number is None or number != number.to_integral_value():
            raise ValueError(
                f"'{text}' is not a whole number; enter {self.unit} as a number like 12"
            )
        if not 0 <= number <= self.max_value:
            raise ValueError(
                f"'{text}' is out of range; enter 0 to {self.max_value} {self.unit}"
            )
        return int(number)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class CentimetreWidget(Widget):
    """A length in centimetres with at most one decimal place, or blank."""

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        text = cell_text(value)
        if not text:
            return None
        length = _decimal(text)
        if length is None or length < 0:
            raise ValueError(
                f"'{text}' is not a length; enter centimetres, 0 or more, like 30.5"
            )
        if length.as_tuple().exponent < -1:  # type: ignore[operator]
            raise ValueError(
                f"'{text}' has more than 1 decimal place; round it to the "
                "millimetre, like 30.5"
            )
        if length >= Decimal("100000"):
            raise ValueError(f"'{text}' is too large; check the unit (cm)")
        return length.quantize(Decimal("0.1"))

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else f"{value:.1f}"


class YesNoWidget(Widget):
    """yes or no (also y/n, true/false, 1/0, in any case).

    With `blank` set, an empty cell is None: the caller keeps the value.
    """

    def __init__(self, *, blank: bool = False):
        super().__init__()
        self.blank = blank

    def clean(self, value, row=None, **kwargs) -> bool | None:
        text = cell_text(value).lower()
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
        if not text and self.blank:
            return None
        if not text:
            raise ValueError("is missing; enter yes or no")
        raise ValueError(f"'{cell_text(value)}' is not yes or no; enter yes or no")

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        return "yes" if value else "no"


def _decimal(text: str) -> Decimal | None:
    if not PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
