"""The shared body of send_backorder_report and send_reorder_report."""

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError

from inventory.reports import SendOutcome


class ReportCommand(BaseCommand):
    report_name = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Business day of the report, YYYY-MM-DD; default today in "
            "SHOP_TIME_ZONE.",
        )

    def handle(self, *args, **options):
        business_date = parse_business_date(options["date"])
        outcome = self.send(business_date=business_date)
        self.report_outcome(outcome)

    def send(self, *, business_date: date | None) -> SendOutcome:
        raise NotImplementedError

    def report_outcome(self, outcome: SendOutcome) -> None:
        day = outcome.business_date.isoformat()
        if outcome.status == "no_recipients":
            raise CommandError(
                f"No staff email addresses: the {self.report_name} for {day} was "
                "not sent. Set SHOP_STAFF_EMAILS to a comma-separated list."
            )
        if outcome.status == "already_sent":
            self.stdout.write(f"The {self.report_name} for {day} was already sent.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent the {self.report_name} for {day} to {outcome.run.recipients}."
            )
        )


def parse_business_date(value: str | None) -> date | None:
    """Parse --date, raising CommandError with the fix for a bad value."""
    if value is None:
        return None
    try:
        # A calendar date, not a moment: no time zone applies.
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007
    except ValueError:
        raise CommandError(
            f"Invalid --date {value!r}: use YYYY-MM-DD, for example 2025-03-14."
        ) from None
