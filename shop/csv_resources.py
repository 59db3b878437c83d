"""The rules every CSV import of the admin shares (django-import-export).

The header must name known columns only, with the required ones present:
a misspelt column would otherwise be ignored silently. Rows are
numbered as a spreadsheet shows them, the header being row 1, and each
row's key (a SKU, an email) may appear once. Every change an import saves
is recorded in the model's history with the staff member, and with the
change reason "CSV import" and the file's name.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from import_export import resources
from import_export.results import RowResult

from .import_cells import cell_text

MAX_REASON_LENGTH = 100
EMPTY_CELL = "(empty)"
# Unicode category Cc except the tab. PostgreSQL rejects NUL in text, and
# the others are invisible in a spreadsheet, so a cell never needs them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def sheet_row(kwargs) -> int:
    """Return the spreadsheet row of the row being imported (header is 1)."""
    return kwargs["row_number"] + 1


class BeforeAfterDiff(resources.Diff):
    """A row's cells for the preview, a changed one as "old → new".

    django-import-export's own diff marks changed characters, which makes
    a price of 52.00 changed to 2.00 read as a deleted "5".
    """

    def as_html(self) -> list[str]:
        cells = []
        for old, new in zip(self.left, self.right, strict=True):
            old, new = force_str(old), force_str(new)
            if self.new or old == new:
                cells.append(new)
            else:
                cells.append(f"{old or EMPTY_CELL} → {new or EMPTY_CELL}")
        return cells


class HeaderError(ValueError):
    """The file's header names an unknown column or misses a required one."""


class CsvResource(resources.ModelResource):
    """A model resource with the shared header, key and history rules."""

    required_columns: tuple[str, ...] = ()

    @classmethod
    def get_diff_class(cls):
        return BeforeAfterDiff

    class Meta:
        skip_unchanged = True
        report_skipped = True
        store_row_values = True
        clean_model_instances = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        dataset.headers = [cell_text(name) for name in dataset.headers or []]
        self.keys_seen: dict[object, int] = {}
        self.header_problems = self._header_problems(dataset.headers)
        if self.header_problems:
            raise HeaderError(" ".join(self.header_problems))

    def import_row(self, row, instance_loader, **kwargs):
        # With a bad header every row would report the same missing column,
        # so the rows are not read at all.
        if self.header_problems:
            skipped = self.get_row_result_class()()
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        return super().import_row(row, instance_loader, **kwargs)

    def before_import_row(self, row, **kwargs):
        # Runs before the row's key is looked up, which on PostgreSQL would
        # fail on a NUL character.
        errors = {}
        for column, value in row.items():
            found = CONTROL_CHARACTER.search(cell_text(value))
            if found:
                errors[column] = [
                    f"{column} contains the control character "
                    f"U+{ord(found.group()):04X}, which a spreadsheet does not "
                    "show; delete the cell's text and type it again"
                ]
        if errors:
            raise ValidationError(errors)
        super().before_import_row(row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            raise ValidationError(self.column_errors(error)) from None

    def validate_instance(self, instance, import_validation_errors=None, **kwargs):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=list(self.attributes_of(errors)))
        except ValidationError as error:
            errors.update(self.column_errors(error))
        if errors:
            raise ValidationError(errors)

    def column_errors(self, error: ValidationError) -> dict[str, list[str]]:
        """Return an error's messages by column name instead of model field."""
        columns = {}
        for field in self.get_import_fields():
            if field.attribute:
                columns[field.attribute] = field.column_name
        return {
            columns.get(name, name): messages
            for name, messages in error.message_dict.items()
        }

    def attributes_of(self, errors: dict) -> set[str]:
        """Return the model fields of the columns with errors."""
        by_column = {f.column_name: f.attribute for f in self.get_import_fields()}
        return {by_column.get(column) or column for column in errors}

    def repeated_key_error(self, key, description: str, kwargs) -> str:
        """Return an error when `key` was on an earlier row, else remember it.

        `description` names the key for the message, as "sku 'MH01'".
        """
        first_row = self.keys_seen.setdefault(key, sheet_row(kwargs))
        if first_row == sheet_row(kwargs):
            return ""
        return f"{description} is already on row {first_row}; keep one row for it"

    def before_save_instance(self, instance, row, **kwargs):
        reason = f"CSV import {kwargs.get('file_name') or ''}".strip()
        instance._change_reason = reason[:MAX_REASON_LENGTH]

    def _header_problems(self, headers: list[str]) -> list[str]:
        columns = [field.column_name for field in self.get_import_fields()]
        listed = ", ".join(columns)
        problems = [
            f"The header has column '{name}', which this import does not know; "
            f"rename or remove it (the columns are {listed})."
            for name in headers
            if name not in columns
        ]
        problems += [
            f"The header has no column '{name}'; add it (the columns are {listed})."
            for name in self.required_columns
            if name not in headers
        ]
        return problems
