"""Write the journal of a period as CSV, QuickBooks, Xero or Beancount."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounting.exports import FORMATS, export_journal
from accounting.reports.periods import parse_period


class Command(BaseCommand):
    help = (
        "Export the journal entries dated between two business days, both "
        "included, in the shop's time zone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            required=True,
            dest="format_code",
            help=f"Export format: {', '.join(FORMATS)}.",
        )
        parser.add_argument(
            "--from", required=True, dest="start", help="First day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--to", required=True, dest="end", help="Last day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--output",
            help="File to write; standard output when left out. An existing "
            "file is replaced.",
        )

    def handle(self, *args, format_code, start, end, output, **options) -> None:
        try:
            period = parse_period(start, end)
            export = export_journal(period=period, format_code=format_code)
        except ValueError as error:
            raise CommandError(str(error)) from None

        if output is None:
            self.stdout.write(export.content, ending="")
        else:
            self._write_file(Path(output), export.content)
            self.stderr.write(
                f"Wrote {export.entry_count} entries ({export.line_count} lines) "
                f"for {period} to {output}."
            )
        if export.over_line_limit:
            self.stderr.write(
                self.style.WARNING(
                    f"{export.line_count} lines exceed the {export.format.max_lines} "
                    f"lines {export.format.label} accepts in one file; export "
                    "shorter periods."
                )
            )

    def _write_file(self, path: Path, content: str) -> None:
        if not path.parent.is_dir():
            raise CommandError(
                f"Cannot write {path}: the folder {path.parent} does not exist."
            )
        path.write_text(content, encoding="utf-8")
