"""The business day an event belongs to, in the shop's time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def shop_date(moment: datetime) -> date:
    """Return the date of `moment` where the shop is (SHOP_TIME_ZONE).

    A payment at 02:30 UTC on March 14 belongs to March 13 in Halifax, and
    the ledger's periods and tax returns follow the shop's calendar.
    """
    return timezone.localtime(moment, ZoneInfo(settings.SHOP_TIME_ZONE)).date()
