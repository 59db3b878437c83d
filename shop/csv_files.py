"""CSV files as spreadsheets write and read them, for the admin's imports.

Exports start with a UTF-8 byte order mark, which Excel needs to read the
file as UTF-8 rather than as the system's code page, and every cell that a
spreadsheet would run as a formula gets a leading apostrophe. Imports
accept UTF-8 with or without the mark, fall back to Windows-1252 (what
Excel's plain "CSV" saves on Windows), and take that apostrophe off again,
so an exported file imports unchanged.

Before any row is read, an import is rejected when the file is not text,
is separated by semicolons, has a header but no rows, or has more rows
than settings.SHOP_IMPORT_MAX_ROWS.
"""

import csv
import io

import tablib
from django.conf import settings
from import_export.formats.base_formats import CSV

# Spreadsheets read a cell that starts with one of these as a formula, so
# such values get a leading apostrophe, which makes the cell plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"
NOT_TEXT_MESSAGE = (
    "The file is not text in UTF-8 or Windows-1252; save it as CSV UTF-8 and "
    "upload it again."
)


class CsvFileError(ValueError):
    """Error for an upload that cannot be read as a CSV file of rows. The
    message states why and what to do."""


def plain_spreadsheet_text(value: str) -> str:
    """Return `value` with a leading apostrophe when it reads as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _unescape(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def decode_csv_bytes(data: bytes) -> str:
    """Decode an uploaded file as UTF-8, else as Windows-1252.

    Raises CsvFileError for bytes that are neither, such as UTF-16 or an
    image. Windows-1252 leaves five bytes undefined, and a file with NUL
    bytes is binary, so both are rejected too.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvFileError(NOT_TEXT_MESSAGE) from None
    if "\x00" in text:
        raise CsvFileError(NOT_TEXT_MESSAGE)
    return text


class SpreadsheetCsv(CSV):
    """django-import-export's CSV format, read and written as shown above.

    It declares itself binary so that django-import-export hands over the
    uploaded bytes undecoded and leaves the export's encoding to it.
    """

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        text = in_stream
        if isinstance(in_stream, bytes):
            text = decode_csv_bytes(in_stream)
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as error:
            raise CsvFileError(
                f"The file is not a valid CSV file ({error}); save it as CSV "
                "UTF-8 and upload it again."
            ) from None
        _check_shape(rows)
        width = len(rows[0])
        dataset = tablib.Dataset(headers=rows[0])
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if any(cell.strip() for cell in row[width:]):
                raise CsvFileError(
                    f"Row {number} has {len(row)} cells but the header has "
                    f"{width} columns; remove the extra cells or add their "
                    "column names to the header."
                )
            cells = [_unescape(cell) for cell in row[:width]]
            dataset.append(cells + [""] * (width - len(cells)))
        return dataset

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\r\n")
        writer.writerow(dataset.headers or [])
        for row in dataset:
            writer.writerow(
                [plain_spreadsheet_text("" if c is None else str(c)) for c in row]
            )
        return (BYTE_ORDER_MARK + output.getvalue()).encode("utf-8")

    def get_content_type(self) -> str:
        return "text/csv; charset=utf-8"


def _check_shape(rows: list[list[str]]) -> None:
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CsvFileError("The file is empty; export a file to see its columns.")
    header = rows[0]
    if len(header) == 1 and ";" in header[0]:
        raise CsvFileError(
            "The file's columns are separated by semicolons; save it with "
            'commas as the separator (in Excel, choose "CSV UTF-8 (Comma '
            'delimited)") and upload it again.'
        )
    data_rows = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not data_rows:
        raise CsvFileError("The file has a header but no rows.")
    max_rows = settings.SHOP_IMPORT_MAX_ROWS
    if len(data_rows) > max_rows:
        raise CsvFileError(
            f"The file has {len(data_rows):,} rows, more than the {max_rows:,} an "
            f"import takes; split it into files of {max_rows:,} rows or fewer, "
            "each with the header, and import them one by one."
        )
