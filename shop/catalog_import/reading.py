"""Read a catalog CSV into checked rows, each with its line in the file.

Line numbers are physical lines with the header as line 1, so a row whose
description spans three quoted lines moves the next row's number by three.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shop.models import TaxClass

from .errors import CatalogImportError

REQUIRED_COLUMNS = ("sku", "name", "category", "price_cad")
OPTIONAL_COLUMNS = (
    "description",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
    "barcode",
    "parent_sku",
    "tax_class",
    "cost",
)
DIMENSION_COLUMNS = ("length_cm", "width_cm", "height_cm")
CATEGORY_SEPARATOR = ">"
MAX_SKU_LENGTH = 64
MAX_NAME_LENGTH = 255
MAX_CATEGORY_NAME_LENGTH = 120
MAX_PRICE = Decimal("9999999999.99")
AMOUNT_EXAMPLE = "as in 12.50"
MAX_DIMENSION_CM = Decimal("99999.9")


class CellError(ValueError):
    """One cell holds a value the catalog cannot take; the text says why."""


@dataclass(frozen=True)
class CatalogRow:
    """One checked row: a variant, or a product when other rows name it."""

    line: int
    sku: str
    name: str
    category_path: tuple[str, ...]
    price: Decimal
    parent_sku: str = ""
    description: str = ""
    barcode: str = ""
    tax_class: str = ""
    weight_g: int | None = None
    dimensions: dict[str, Decimal | None] = field(default_factory=dict)
    cost: Decimal | None = None


@dataclass(frozen=True)
class CatalogFile:
    """The checked rows of a file and the columns its header names."""

    columns: frozenset[str]
    rows: list[CatalogRow]


def open_catalog(path: str | Path) -> io.StringIO:
    """Read a catalog file into memory as text for read_catalog.

    Accepts a spreadsheet's UTF-8 byte-order mark. Raises CatalogImportError
    naming the line of the first byte that is not UTF-8, and OSError when
    the file cannot be read.
    """
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CatalogImportError(
            [
                f"line {line}: the file is not UTF-8 text; save it as "
                '"CSV UTF-8" and import it again'
            ]
        ) from None
    return io.StringIO(text, newline="")


def read_catalog(lines: Iterable[str]) -> CatalogFile:
    """Parse and check every row of a catalog CSV.

    `lines` is a text file opened with newline="", or open_catalog's
    result. Raises CatalogImportError listing every bad line with its fix,
    so no caller sees a file half-read.
    """
    records = _numbered_records(csv.reader(lines, strict=True))
    header = next(records, None)
    columns = _check_header(header[1] if header else None)

    errors: list[str] = []
    rows = _read_rows(records, columns, errors)
    _check_duplicate_skus(rows, errors)
    if errors:
        raise CatalogImportError(errors)
    return CatalogFile(columns=frozenset(columns), rows=rows)


def _numbered_records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Yield each record with the line it starts on, the header being 1."""
    next_line = 1
    while True:
        line = next_line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CatalogImportError(
                [
                    f"line {line}: the quotes in this row are unbalanced ({error}); "
                    "put a field that contains commas, quotes or line breaks in "
                    'double quotes, and double each quote inside it: "a ""big"" mug"'
                ]
            ) from None
        except UnicodeDecodeError:
            raise CatalogImportError(
                [
                    f"line {line}: the file is not UTF-8 text; save it as "
                    '"CSV UTF-8" and import it again'
                ]
            ) from None
        next_line = reader.line_num + 1
        yield line, cells


def _check_header(header: list[str] | None) -> list[str]:
    expected = ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    if not header:
        raise CatalogImportError(
            [f"line 1: the file is empty; its first line must be a header: {expected}"]
        )

    columns = [name.strip() for name in header]
    problems = []
    seen: set[str] = set()
    for name in columns:
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            problems.append(
                f'line 1: column "{name}" is not a catalog column; rename or '
                f"remove it (the columns are {expected})"
            )
        elif name in seen:
            problems.append(f'line 1: column "{name}" appears twice; keep one')
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(f'line 1: column "{name}" is missing; add it to the header')
    if problems:
        raise CatalogImportError(problems)
    return columns


def _read_rows(
    records: Iterator[tuple[int, list[str]]], columns: list[str], errors: list[str]
) -> list[CatalogRow]:
    rows = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            errors.append(
                f"line {line}: {len(cells)} fields but the header has "
                f"{len(columns)} columns; quote any field that contains a comma"
            )
            continue
        try:
            rows.append(_parse_row(line, dict(zip(columns, cells, strict=True))))
        except CellError as error:
            errors.append(f"line {line}: {error}")
    return rows


def _parse_row(line: int, cells: dict[str, str]) -> CatalogRow:
    values = {name: text.strip() for name, text in cells.items()}
    sku = _parse_sku("sku", values["sku"], required=True)
    return CatalogRow(
        line=line,
        sku=sku,
        name=_parse_name(values["name"]),
        category_path=_parse_category(values["category"]),
        price=_parse_price(values["price_cad"]),
        parent_sku=_parse_parent_sku(values.get("parent_sku", ""), sku),
        description=cells.get("description", "").strip(),
        barcode=_parse_barcode(values.get("barcode", "")),
        tax_class=_parse_tax_class(values.get("tax_class", "")),
        weight_g=_parse_weight(values.get("weight_g", "")),
        dimensions={
            name: _parse_dimension(name, values[name])
            for name in DIMENSION_COLUMNS
            if name in values
        },
        cost=_parse_cost(values.get("cost", "")),
    )


def _parse_sku(column: str, text: str, *, required: bool) -> str:
    if not text:
        if required:
            raise CellError(f"{column} is missing; every row needs its own SKU")
        return ""
    if any(character.isspace() for character in text):
        raise CellError(
            f'{column} "{text}" contains a space; write SKUs without spaces, '
            "as in MH01-XS-Black"
        )
    if len(text) > MAX_SKU_LENGTH:
        raise CellError(
            f'{column} "{text}" is {len(text)} characters long; shorten it to '
            f"{MAX_SKU_LENGTH} or fewer"
        )
    return text


def _parse_parent_sku(text: str, sku: str) -> str:
    parent_sku = _parse_sku("parent_sku", text, required=False)
    if parent_sku == sku:
        raise CellError(
            f'parent_sku "{text}" is the row\'s own SKU; leave parent_sku empty '
            "for a simple product"
        )
    return parent_sku


def _parse_name(text: str) -> str:
    if not text:
        raise CellError("name is missing; enter the name customers see")
    if len(text) > MAX_NAME_LENGTH:
        raise CellError(
            f"name is {len(text)} characters long; shorten it to "
            f"{MAX_NAME_LENGTH} or fewer"
        )
    return text


def _parse_category(text: str) -> tuple[str, ...]:
    example = "as in Men > Tops > Tees"
    if not text:
        raise CellError(f"category is missing; enter the category path, {example}")
    path = tuple(part.strip() for part in text.split(CATEGORY_SEPARATOR))
    if not all(path):
        raise CellError(
            f'category "{text}" has an empty level; separate levels with " > ", '
            f"{example}"
        )
    for part in path:
        if len(part) > MAX_CATEGORY_NAME_LENGTH:
            raise CellError(
                f'category level "{part[:40]}..." is {len(part)} characters long; '
                f"shorten it to {MAX_CATEGORY_NAME_LENGTH} or fewer"
            )
    return path


def _parse_price(text: str) -> Decimal:
    if not text:
        raise CellError(
            f"price_cad is missing; enter the price in CAD, {AMOUNT_EXAMPLE}"
        )
    return _parse_amount("price_cad", text, "the price")


def _parse_cost(text: str) -> Decimal | None:
    if not text:
        return None
    return _parse_amount("cost", text, "the unit cost")


def _parse_amount(column: str, text: str, meaning: str) -> Decimal:
    if "," in text and _is_number(text.replace(",", ".")):
        raise CellError(
            f'{column} "{text}" is not a number; use a dot for cents, {AMOUNT_EXAMPLE}'
        )
    if not _is_number(text):
        raise CellError(
            f'{column} "{text}" is not a number; enter {meaning} in CAD without '
            f"a currency sign, {AMOUNT_EXAMPLE}"
        )
    amount = Decimal(text)
    if amount < 0:
        raise CellError(f'{column} "{text}" is negative; enter 0 or more')
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CellError(
            f'{column} "{text}" has more than 2 decimal places; round it to '
            f"the cent, {AMOUNT_EXAMPLE}"
        )
    if amount > MAX_PRICE:
        raise CellError(f'{column} "{text}" is too large; check the amount')
    return amount.quantize(Decimal("0.01"))


def cost_warnings(catalog: CatalogFile) -> list[str]:
    """List the rows whose unit cost is above their price.

    Selling below cost is allowed (a clearance, a loss leader), but it is
    more often a typo, so the import reports it without rejecting it.
    """
    return [
        f'line {row.line}: cost "{row.cost}" is more than price_cad '
        f'"{row.price}" for sku "{row.sku}"; check both amounts'
        for row in catalog.rows
        if row.cost is not None and row.cost > row.price
    ]


def _parse_weight(text: str) -> int | None:
    if not text:
        return None
    if not _is_number(text) or Decimal(text) != Decimal(text).to_integral_value():
        raise CellError(
            f'weight_g "{text}" is not a whole number of grams; enter the packed '
            "weight in grams, as in 250"
        )
    weight = int(Decimal(text))
    if weight < 0:
        raise CellError(
            f'weight_g "{text}" is negative; enter the packed weight in grams, '
            "0 or more"
        )
    if weight > 2_147_483_647:
        raise CellError(f'weight_g "{text}" is too large; check the unit (grams)')
    return weight


def _parse_dimension(column: str, text: str) -> Decimal | None:
    if not text:
        return None
    if not _is_number(text):
        raise CellError(
            f'{column} "{text}" is not a number; enter centimetres with a dot, '
            "as in 30.5"
        )
    value = Decimal(text)
    if value < 0:
        raise CellError(f'{column} "{text}" is negative; enter 0 or more centimetres')
    if value.as_tuple().exponent < -1:  # type: ignore[operator]
        raise CellError(
            f'{column} "{text}" has more than 1 decimal place; round it to the '
            "millimetre, as in 30.5"
        )
    if value > MAX_DIMENSION_CM:
        raise CellError(f'{column} "{text}" is too large; check the unit (cm)')
    return value.quantize(Decimal("0.1"))


def _parse_barcode(text: str) -> str:
    if len(text) > MAX_SKU_LENGTH:
        raise CellError(
            f'barcode "{text}" is {len(text)} characters long; shorten it to '
            f"{MAX_SKU_LENGTH} or fewer"
        )
    return text


def _parse_tax_class(text: str) -> str:
    if text and text not in TaxClass.values:
        raise CellError(
            f'tax_class "{text}" is not a tax class; use one of '
            f"{', '.join(TaxClass.values)}, or leave it empty for the default"
        )
    return text


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _check_duplicate_skus(rows: list[CatalogRow], errors: list[str]) -> None:
    # SKUs are matched ignoring letter case, so "ms04" repeats "MS04".
    first_rows: dict[str, CatalogRow] = {}
    for row in rows:
        first = first_rows.setdefault(row.sku.lower(), row)
        if first is row:
            continue
        if first.sku == row.sku:
            errors.append(
                f'line {row.line}: sku "{row.sku}" is already on line '
                f"{first.line}; keep one row per SKU"
            )
        else:
            errors.append(
                f'line {row.line}: sku "{row.sku}" differs from sku "{first.sku}" '
                f"on line {first.line} only in letter case, and SKUs are matched "
                "ignoring case; keep one row per SKU, or choose another SKU"
            )
