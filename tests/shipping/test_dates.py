from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from shipping.dates import add_business_days, shop_today

THURSDAY = date(2026, 3, 5)
FRIDAY = date(2026, 3, 6)
SATURDAY = date(2026, 3, 7)
SUNDAY = date(2026, 3, 8)
MONDAY = date(2026, 3, 9)
TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (THURSDAY, 0, THURSDAY),
        (THURSDAY, 1, FRIDAY),
        (THURSDAY, 2, MONDAY),
        (FRIDAY, 1, MONDAY),
        (FRIDAY, 5, date(2026, 3, 13)),
        (SATURDAY, 0, MONDAY),
        (SATURDAY, 1, TUESDAY),
        (SUNDAY, 1, TUESDAY),
        (THURSDAY, 10, date(2026, 3, 19)),
    ],
)
def test_add_business_days_skips_weekends(start, days, expected):
    assert add_business_days(start, days) == expected


def test_shop_today_uses_shop_time_zone(settings, monkeypatch):
    # 02:00 UTC on Saturday is still Friday evening in Halifax (UTC-4).
    settings.SHOP_TIME_ZONE = "America/Halifax"
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 7, 2, 0, tzinfo=UTC))

    assert shop_today() == FRIDAY
