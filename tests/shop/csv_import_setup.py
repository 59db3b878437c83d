"""Helpers for the admin's CSV import tests: upload, preview, confirm."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def upload(client, admin_prefix, text, name="import.csv"):
    """Post `text` (str, sent as UTF-8, or bytes) as a CSV file to an import
    page; return the preview."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(
        reverse(f"admin:{admin_prefix}_import"),
        {"format": "0", "resource": "0", "import_file": file},
    )


def confirm(client, admin_prefix, preview):
    """Press "Confirm import" on a preview; return the response."""
    form = preview.context["confirm_form"]
    return client.post(reverse(f"admin:{admin_prefix}_process_import"), form.initial)


def import_csv(client, admin_prefix, text, name="import.csv"):
    """Upload and confirm a file that must have no errors."""
    preview = upload(client, admin_prefix, text, name)
    assert preview.context.get("confirm_form") is not None, preview_errors(preview)
    return confirm(client, admin_prefix, preview)


def preview_errors(preview) -> list[str]:
    """Return every error a preview lists, header errors first."""
    errors = list(preview.context.get("header_errors") or [])
    for report in preview.context.get("row_reports") or []:
        errors += report.errors
    return errors


def outcomes(preview) -> list[tuple[int, str]]:
    """Return (row, outcome) for every data row of a preview."""
    return [(r.number, r.outcome) for r in preview.context["row_reports"]]


def export_rows_and_queries(client, url_name) -> tuple[int, int]:
    """Export from an admin page; return the data rows and the queries run."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url_name))
    return len(response.content.decode().splitlines()) - 1, len(queries)
