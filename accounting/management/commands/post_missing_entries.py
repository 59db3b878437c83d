"""manage.py post_missing_entries: post events from before the ledger."""

from django.core.management.base import BaseCommand, CommandError

from accounting.posting.missing import post_missing_entries


class Command(BaseCommand):
    help = (
        "Post a journal entry for every paid, invoiced order and every stock "
        "movement with a value that has none yet, such as those recorded "
        "before the ledger existed. Each event posts once, so running it "
        "again posts nothing. Movements with no value are left out."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List how many entries would be posted, and post nothing.",
        )

    def handle(self, *args, **options) -> None:
        dry_run = options["dry_run"]
        result = post_missing_entries(dry_run=dry_run)

        verb = "Would post" if dry_run else "Posted"
        self.stdout.write(f"{verb} {len(result.sales)} sale entries.")
        self.stdout.write(
            f"{verb} {len(result.stock_movements)} stock movement entries."
        )
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} events failed to post; correct them and "
                "run the command again:\n" + "\n".join(result.errors)
            )
