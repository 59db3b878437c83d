"""Exports of the journal of a period, for accountants and their software.

Formats: plain CSV, QuickBooks Online and Xero journal imports, and a
Beancount ledger. Each writes text; `export_journal` returns it whole, so
a caller writes nothing when the export fails.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TextIO

from accounting.models import JournalEntry
from accounting.reports.periods import Period

from .beancount import write_beancount
from .csv import write_csv
from .journal import list_entries
from .qbo import write_qbo
from .xero import MAX_LINES_PER_FILE, write_xero


@dataclass(frozen=True)
class ExportFormat:
    code: str
    label: str
    extension: str
    content_type: str
    # Lines the importing software accepts in one file, when it has a limit.
    max_lines: int | None = None


FORMATS = {
    export.code: export
    for export in [
        ExportFormat("csv", "CSV journal lines", "csv", "text/csv"),
        ExportFormat("qbo", "QuickBooks Online journal import", "csv", "text/csv"),
        ExportFormat(
            "xero",
            "Xero manual journal import",
            "csv",
            "text/csv",
            max_lines=MAX_LINES_PER_FILE,
        ),
        ExportFormat("beancount", "Beancount ledger", "beancount", "text/plain"),
    ]
}


@dataclass(frozen=True)
class JournalExport:
    format: ExportFormat
    period: Period
    content: str
    entry_count: int
    line_count: int

    @property
    def filename(self) -> str:
        return (
            f"journal-{self.format.code}-{self.period.start}-{self.period.end}"
            f".{self.format.extension}"
        )

    @property
    def over_line_limit(self) -> bool:
        limit = self.format.max_lines
        return limit is not None and self.line_count > limit


def export_journal(*, period: Period, format_code: str) -> JournalExport:
    """Render the period's journal in one format.

    Raises ValueError naming the format and the choices for an unknown one.
    """
    export_format(format_code)
    return render_journal(
        entries=list_entries(period=period), period=period, format_code=format_code
    )


def export_format(format_code: str) -> ExportFormat:
    """Return the format of a code.

    Raises ValueError naming the choices for an unknown code.
    """
    found = FORMATS.get(format_code)
    if found is None:
        raise ValueError(
            f"Unknown export format {format_code!r}; choose one of "
            f"{', '.join(FORMATS)}."
        )
    return found


def render_journal(
    *, entries: Sequence[JournalEntry], period: Period, format_code: str
) -> JournalExport:
    """Render entries loaded by list_entries for `period` in one format.

    export_journal loads and renders in one call. A caller that loads the
    entries in parts, to report progress, passes them here in the order
    list_entries returns them, for the same text. Raises ValueError for
    an unknown format.
    """
    chosen = export_format(format_code)
    stream = io.StringIO()
    _writer(format_code, period)(entries, stream)
    return JournalExport(
        format=chosen,
        period=period,
        content=stream.getvalue(),
        entry_count=len(entries),
        line_count=sum(len(entry.lines.all()) for entry in entries),
    )


def _writer(
    format_code: str, period: Period
) -> Callable[[Sequence[JournalEntry], TextIO], None]:
    writers: dict[str, Callable[[Sequence[JournalEntry], TextIO], None]] = {
        "csv": write_csv,
        "qbo": write_qbo,
        "xero": write_xero,
        "beancount": partial(write_beancount, opened_on=period.start),
    }
    return writers[format_code]


__all__ = [
    "FORMATS",
    "ExportFormat",
    "JournalExport",
    "export_format",
    "export_journal",
    "list_entries",
    "render_journal",
]
