"""Business days for ship and delivery dates, in the shop's time zone."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

SATURDAY = 5


def shop_today() -> date:
    """Return today's date where the shop is (settings.SHOP_TIME_ZONE)."""
    return timezone.localdate(timezone=ZoneInfo(settings.SHOP_TIME_ZONE))


def is_business_day(day: date) -> bool:
    # TODO: skip statutory holidays too; only weekends are skipped now.
    return day.weekday() < SATURDAY


def add_business_days(start: date, days: int) -> date:
    """Return the date `days` business days (Monday to Friday) after `start`.

    A parcel handed over on a weekend leaves on the next business day, so
    counting starts from that day.
    """
    current = start
    while not is_business_day(current):
        current += timedelta(days=1)
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current
