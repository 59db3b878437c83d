"""manage.py check_stock: compare stored stock totals with the movements."""

from django.core.management.base import BaseCommand, CommandError

from inventory.stock_check import find_stock_drift


class Command(BaseCommand):
    help = (
        "Report each stock quantity, stock value and order allocation that "
        "differs from the sum of its stock movements. Exits with status 1 "
        "when any differs."
    )

    def handle(self, *args, **options) -> None:
        report = find_stock_drift()
        for drift in [*report.stocks, *report.lines]:
            self.stdout.write(str(drift))
        if report:
            count = len(report.stocks) + len(report.lines)
            raise CommandError(
                f"{count} stored figure(s) differ from the stock movements; "
                "each is listed above.",
                returncode=1,
            )
        self.stdout.write("Stock, values and allocations match their movements.")
