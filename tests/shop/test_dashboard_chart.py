from datetime import date, timedelta
from decimal import Decimal

from orders.dashboard import DaySales
from orders.sales_chart import PLOT_BOTTOM, PLOT_TOP, sales_chart


def days(*amounts: tuple[str, str]) -> list[DaySales]:
    first = date(2025, 3, 1)
    return [
        DaySales(
            day=first + timedelta(days=index),
            online=Decimal(online),
            in_store=Decimal(in_store),
        )
        for index, (online, in_store) in enumerate(amounts)
    ]


def test_tallest_bar_reaches_top():
    chart = sales_chart(days(("100.00", "50.00"), ("0", "25.00")))

    online, in_store = chart.bars[0], chart.bars[1]
    assert online.y == PLOT_TOP
    assert online.y + online.height == PLOT_BOTTOM
    assert in_store.height == (PLOT_BOTTOM - PLOT_TOP) / 2
    assert chart.zero_y == PLOT_BOTTOM


def test_refund_day_bar_below_zero_line():
    chart = sales_chart(days(("90.00", "0"), ("-30.00", "0")))

    negative = chart.bars[2]
    assert chart.zero_y == 12 + (192 - 12) * 0.75
    assert negative.y == chart.zero_y
    assert negative.y + negative.height == PLOT_BOTTOM
    assert [label.text for label in chart.amount_labels] == ["$90", "$0", "-$30"]


def test_empty_month_draws_flat_bars():
    chart = sales_chart(days(("0", "0"), ("0", "0")))

    assert [bar.height for bar in chart.bars] == [0, 0, 0, 0]
    assert chart.zero_y == PLOT_BOTTOM
    assert [label.text for label in chart.amount_labels] == ["$0"]


def test_day_labels_count_back_from_today():
    chart = sales_chart(days(*[("1.00", "1.00")] * 30))

    assert [label.text for label in chart.day_labels] == [
        "Mar 2",
        "Mar 9",
        "Mar 16",
        "Mar 23",
        "Mar 30",
    ]
