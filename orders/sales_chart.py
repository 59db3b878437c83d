"""Geometry of the dashboard's daily sales chart, drawn as inline SVG.

Each day gets two bars side by side, online and in store. Bars rise from
a zero line, and a day whose refunds exceed its sales has a bar below it.
Coordinates are SVG user units in a WIDTH x HEIGHT view box, rounded to
0.1 so the markup stays short.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .dashboard import DaySales

WIDTH = 720
HEIGHT = 220
PLOT_LEFT = 64  # room for the amount labels
PLOT_RIGHT = WIDTH - 8
PLOT_TOP = 12
PLOT_BOTTOM = HEIGHT - 28  # room for the day labels
# Share of a day's slot taken by its two bars. The rest separates days.
BARS_SHARE = 0.8
DAY_LABEL_EVERY = 7


@dataclass(frozen=True)
class Bar:
    """One channel's net sales of one day, as an SVG rectangle."""

    x: float
    y: float
    width: float
    height: float
    channel: str
    day: date
    amount: Decimal


@dataclass(frozen=True)
class Label:
    """A text at one position along an axis."""

    position: float
    text: str


@dataclass(frozen=True)
class SalesChart:
    """Everything the template draws: bars, the zero line and axis labels."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    zero_y: float
    bars: list[Bar]
    amount_labels: list[Label]
    day_labels: list[Label]
    day_label_y: int


def sales_chart(days: list[DaySales]) -> SalesChart:
    """Lay out `days` (oldest first) as pairs of bars on one amount scale."""
    amounts = [amount for day in days for amount in (day.online, day.in_store)]
    top = max([Decimal(0), *amounts])
    bottom = min([Decimal(0), *amounts])
    scale = _Scale(top=top, bottom=bottom)

    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(days), 1)
    bar_width = slot * BARS_SHARE / 2
    bars = []
    for index, day in enumerate(days):
        left = PLOT_LEFT + index * slot + slot * (1 - BARS_SHARE) / 2
        bars.append(scale.bar(left, bar_width, "online", day.day, day.online))
        bars.append(
            scale.bar(left + bar_width, bar_width, "in_store", day.day, day.in_store)
        )

    return SalesChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        zero_y=scale.y(Decimal(0)),
        bars=bars,
        amount_labels=_amount_labels(scale),
        day_labels=_day_labels(days, slot),
        day_label_y=HEIGHT - 8,
    )


@dataclass(frozen=True)
class _Scale:
    top: Decimal
    bottom: Decimal

    def y(self, amount: Decimal) -> float:
        span = self.top - self.bottom
        if not span:  # every amount is 0: draw the zero line at the bottom
            return PLOT_BOTTOM
        share = float((self.top - amount) / span)
        return round(PLOT_TOP + share * (PLOT_BOTTOM - PLOT_TOP), 1)

    def bar(
        self, left: float, width: float, channel: str, day: date, amount: Decimal
    ) -> Bar:
        upper = self.y(max(amount, Decimal(0)))
        lower = self.y(min(amount, Decimal(0)))
        return Bar(
            x=round(left, 1),
            y=upper,
            width=round(width, 1),
            height=round(lower - upper, 1),
            channel=channel,
            day=day,
            amount=amount,
        )


def _amount_labels(scale: _Scale) -> list[Label]:
    values = {scale.top, Decimal(0), scale.bottom}
    return [
        Label(position=scale.y(value), text=_dollars(value))
        for value in sorted(values, reverse=True)
    ]


def _dollars(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}"


def _day_labels(days: list[DaySales], slot: float) -> list[Label]:
    # Count back from the last day so that today always has a label.
    last = len(days) - 1
    return [
        Label(
            position=round(PLOT_LEFT + (index + 0.5) * slot, 1),
            text=f"{day.day:%b} {day.day.day}",
        )
        for index, day in enumerate(days)
        if (last - index) % DAY_LABEL_EVERY == 0
    ]
