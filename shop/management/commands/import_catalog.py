"""manage.py import_catalog FILE.csv [--dry-run] [--tax-class CLASS]"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shop.catalog_import import CatalogImportError, import_catalog, open_catalog
from shop.models import TaxClass


class Command(BaseCommand):
    help = (
        "Create or update products and variants by SKU from a catalog CSV. "
        "Every row is checked first; one bad row stops the import and "
        "nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the CSV file, UTF-8 encoded.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created and updated, and write nothing.",
        )
        parser.add_argument(
            "--tax-class",
            choices=TaxClass.values,
            default="",
            help=(
                "Tax class for rows whose tax_class cell is empty or missing "
                "(printed_book for a file of books). Without it, new products "
                "are standard and existing products keep theirs."
            ),
        )

    def handle(self, *args, **options) -> None:
        try:
            report = import_catalog(
                open_catalog(options["file"]),
                dry_run=options["dry_run"],
                tax_class=options["tax_class"],
            )
        except OSError as error:
            raise CommandError(
                f"Cannot read {options['file']}: {error.strerror}"
            ) from error
        except CatalogImportError as error:
            raise CommandError(
                f"{options['file']} was not imported; nothing was changed.\n{error}"
            ) from error

        for line in report.lines():
            self.stdout.write(line)
