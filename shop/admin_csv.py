"""CSV import and export buttons on admin change lists (django-import-export).

Import takes two steps. The upload runs the whole file in a transaction
that is rolled back (a dry run). The preview lists every row with its
outcome (new, changed, unchanged) or its errors, and each error names the
row, the column, the value and the fix. Only a file without errors gets
the "Confirm import" button. The confirmed import reads the stored file again
in one transaction, and rolls all of it back if any row fails by then.

Import needs the add and change permissions of every model the resource
writes; export needs their view permission. Each saved change lands in the
model's history with the staff member, so the admin log is not written.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin

from .csv_files import NOT_TEXT_MESSAGE, CsvFileError, SpreadsheetCsv

OUTCOMES = {
    "new": "New",
    "update": "Changed",
    "skip": "Unchanged",
    "delete": "Deleted",
    "invalid": "Invalid",
    "error": "Failed",
}


@dataclass
class RowReport:
    """One data row of an import preview: its outcome and its errors."""

    number: int
    outcome: str
    errors: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)


def row_reports(result) -> list[RowReport]:
    """Describe every row of an import result, numbered as in a spreadsheet.

    The header is row 1, so the first data row is row 2.
    """
    reports = []
    for index, row in enumerate(result.rows, start=2):
        report = RowReport(index, OUTCOMES.get(row.import_type, row.import_type))
        if row.validation_error is not None:
            for column, problems in _error_dict(row.validation_error).items():
                report.errors += [_row_error(index, column, p) for p in problems]
        report.errors += [f"Row {index}: {error.error}" for error in row.errors]
        # Rows that failed have no diff: their cells are shown as written.
        report.diff = row.diff or [
            row.row_values.get(column, "") for column in result.diff_headers
        ]
        reports.append(report)
    return reports


def _error_dict(error) -> dict[str, list[str]]:
    try:
        return error.message_dict
    except AttributeError:
        return {"__all__": error.messages}


def _row_error(number: int, column: str, problem: str) -> str:
    if column == "__all__" or problem.startswith(column):
        return f"Row {number}: {problem}"
    return f"Row {number}: {column}: {problem}"


class CsvImportExportMixin(ImportExportMixin):
    """Import and export CSV files of `resource_classes` on a change list.

    `csv_models` lists the models an import writes, for the permission
    checks; the admin's own model when empty.
    """

    formats = [SpreadsheetCsv]
    import_template_name = "admin/import_export/csv_import.html"
    skip_admin_log = True
    skip_export_form = True
    csv_models: tuple = ()
    export_file_stem = ""

    def has_import_permission(self, request) -> bool:
        return super().has_import_permission(request) and all(
            request.user.has_perm(self._permission(action, model))
            for model in self.csv_models or (self.model,)
            for action in ("add", "change")
        )

    def has_export_permission(self, request) -> bool:
        return super().has_export_permission(request) and all(
            request.user.has_perm(self._permission("view", model))
            for model in self.csv_models or (self.model,)
        )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        # django-import-export's message names the Python exception.
        message = str(e) if isinstance(e, CsvFileError) else NOT_TEXT_MESSAGE
        form.add_error("import_file", message)

    # TODO: previews run in the web request, and SHOP_IMPORT_MAX_ROWS only
    # bounds their time; run large imports as staff jobs (shop.jobs).
    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            response.context_data["row_reports"] = row_reports(result)
            response.context_data["header_errors"] = [
                str(error.error) for error in result.base_errors
            ]
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The file or the shop changed after the preview, and the whole
            # import was rolled back.
            problems = [e for report in row_reports(result) for e in report.errors]
            problems += [str(error.error) for error in result.base_errors]
            messages.error(
                request,
                "Nothing was imported: " + " ".join(problems[:5]) + " Upload the "
                "file again to see every problem.",
            )
            info = self.get_model_info()
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))
        return super().process_result(result, request)

    def get_export_filename(self, request, queryset, file_format):
        stem = self.export_file_stem or self.model._meta.model_name
        return f"{stem}-{timezone.localdate():%Y-%m-%d}.csv"

    @staticmethod
    def _permission(action: str, model) -> str:
        return f"{model._meta.app_label}.{action}_{model._meta.model_name}"
