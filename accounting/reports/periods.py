"""Reporting periods: a range of business days in the shop's time zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class Period:
    """The business days from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(
                f"The period starts on {self.start} after it ends on {self.end}; "
                "give a start date on or before the end date."
            )

    def __str__(self) -> str:
        return f"{self.start} to {self.end}"

    def bounds(self) -> tuple[datetime, datetime]:
        """Return the aware instants the period covers, end excluded.

        Midnight in the shop's time zone (SHOP_TIME_ZONE) opens the first
        day and closes the last one, so a timestamp filters the same days
        as JournalEntry.entry_date.
        """
        zone = ZoneInfo(settings.SHOP_TIME_ZONE)
        opens = datetime.combine(self.start, time.min, tzinfo=zone)
        closes = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return opens, closes


def parse_date(value: str, *, label: str) -> date:
    """Parse an ISO date (YYYY-MM-DD); raise ValueError naming the value."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"Invalid {label} date {value!r}: use the form YYYY-MM-DD, "
            "for example 2026-03-31."
        ) from None


def parse_period(start: str, end: str) -> Period:
    """Build a Period from two ISO dates given as text.

    Raises ValueError with a message fit to show staff for a malformed date
    or a start after the end.
    """
    return Period(parse_date(start, label="start"), parse_date(end, label="end"))
