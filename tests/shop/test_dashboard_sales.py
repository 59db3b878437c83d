from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest

from orders.dashboard import CHART_DAYS, sales_summary
from orders.models import Order
from tests.factories.orders import OrderFactory
from tests.shop.dashboard_setup import halifax, paid_order, refund_in_full

IN_STORE = Order.Channel.IN_STORE
NOW = halifax(2025, 3, 15, 12, 0)


@pytest.fixture(autouse=True)
def _halifax(settings):
    settings.SHOP_TIME_ZONE = "America/Halifax"


@pytest.fixture
def march_sales():
    """Sales around 15 March 2025 (amounts are goods + shipping, before tax).

    Online: $112.00 paid a second before midnight on the 14th, $64.00 at
    midnight on the 15th, $90.00 on the 3rd refunded in full on the 15th,
    and $500.00 at 23:30 on 28 February (already 1 March in UTC). Across
    the daylight saving change on the 9th: $20.00 online at 00:30 and
    $15.00 in store at 23:30. In store: $38.50 on the 15th.
    """
    paid_order(halifax(2025, 3, 14, 23, 59, 59), subtotal="100.00")
    paid_order(halifax(2025, 3, 15, 0, 0), subtotal="52.00")
    paid_order(
        halifax(2025, 3, 15, 10, 15), subtotal="38.50", shipping="0", channel=IN_STORE
    )
    refunded = paid_order(halifax(2025, 3, 3, 14, 0), subtotal="80.00", shipping="10")
    refund_in_full(refunded, issued_at=halifax(2025, 3, 15, 9, 0))
    paid_order(halifax(2025, 2, 28, 23, 30), subtotal="500.00", shipping="0")
    paid_order(halifax(2025, 3, 9, 0, 30), subtotal="20.00", shipping="0")
    paid_order(
        halifax(2025, 3, 9, 23, 30), subtotal="15.00", shipping="0", channel=IN_STORE
    )
    OrderFactory(subtotal_amount=Decimal("999.00"))  # awaiting payment


@pytest.mark.django_db
def test_today_sales_split_by_channel(march_sales):
    today = sales_summary(now=NOW).today

    assert today.sales.online == Decimal("64.00")
    assert today.sales.in_store == Decimal("38.50")
    assert today.sales.total == Decimal("102.50")


@pytest.mark.django_db
def test_today_refund_counts_on_issue_day(march_sales):
    today = sales_summary(now=NOW).today

    assert today.refunds.online == Decimal("90.00")
    assert today.refunds.in_store == Decimal("0.00")
    assert today.net.online == Decimal("-26.00")
    assert today.net.in_store == Decimal("38.50")
    assert today.net.total == Decimal("12.50")


@pytest.mark.django_db
def test_month_sales_start_at_shop_midnight(march_sales):
    month = sales_summary(now=NOW).month

    assert month.sales.online == Decimal("286.00")
    assert month.sales.in_store == Decimal("53.50")
    assert month.sales.total == Decimal("339.50")


@pytest.mark.django_db
def test_month_net_of_refund(march_sales):
    month = sales_summary(now=NOW).month

    assert month.refunds.online == Decimal("90.00")
    assert month.net.online == Decimal("196.00")
    assert month.net.in_store == Decimal("53.50")
    assert month.net.total == Decimal("249.50")


@pytest.mark.django_db
def test_chart_net_sales_per_shop_day(march_sales):
    days = sales_summary(now=NOW).days

    expected = {
        date(2025, 2, 14) + timedelta(days=offset): (Decimal("0"), Decimal("0"))
        for offset in range(CHART_DAYS)
    }
    expected[date(2025, 2, 28)] = (Decimal("500.00"), Decimal("0"))
    expected[date(2025, 3, 3)] = (Decimal("90.00"), Decimal("0"))
    expected[date(2025, 3, 9)] = (Decimal("20.00"), Decimal("15.00"))
    expected[date(2025, 3, 14)] = (Decimal("112.00"), Decimal("0"))
    expected[date(2025, 3, 15)] = (Decimal("-26.00"), Decimal("38.50"))
    assert len(days) == 30
    assert [day.day for day in days] == sorted(expected)
    assert {day.day: (day.online, day.in_store) for day in days} == expected


@pytest.mark.django_db
def test_period_bounds_at_shop_midnight():
    summary = sales_summary(now=NOW)

    assert summary.today.start == halifax(2025, 3, 15)
    assert summary.today.end == halifax(2025, 3, 16)
    assert summary.month.start == halifax(2025, 3, 1)
    assert summary.month.end == halifax(2025, 4, 1)


@pytest.mark.django_db
def test_day_of_dst_change_lasts_23_hours():
    today = sales_summary(now=halifax(2025, 3, 9, 12, 0)).today

    assert today.start.utcoffset() == timedelta(hours=-4)
    assert today.end.utcoffset() == timedelta(hours=-3)
    length = today.end.astimezone(UTC) - today.start.astimezone(UTC)
    assert length == timedelta(hours=23)
