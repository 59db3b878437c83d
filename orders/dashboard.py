"""Figures for the back office's front page: sales and the work waiting.

Sales are goods plus shipping before tax, as the ledger books revenue:
sales taxes are owed to the government and are not the shop's income, and
cash rounding is neither. An order counts on the day it was paid, in the
shop's time zone, as its sale entry is dated. A refund is not taken back
from the day of the sale: its credit note (goods and shipping before tax)
is subtracted on the day it was issued, as the ledger posts it to sales
returns. Phone orders count as online: both are sold at a distance.

Every function runs a fixed number of queries whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounting.models import CreditNote
from inventory.allocation import WAITING_STATUSES
from inventory.reorder import count_reorder_suggestions
from shipping.selectors import unresolved_failed_calls
from shop.failed_emails import unresolved_failed_emails
from shop.money import ZERO, round_money

from .models import Order, OrderLine

CHART_DAYS = 30
ONLINE_CHANNELS = (Order.Channel.ONLINE, Order.Channel.PHONE)

# Permissions a user needs to see each panel, the view permissions of the
# screens its numbers link to. Sales also need payments and credit notes,
# so the Fulfillment role, which views orders to ship them, is shown no
# sales.
SALES_PERMISSIONS = (
    "orders.view_order",
    "orders.view_payment",
    "accounting.view_creditnote",
)
ORDERS_PERMISSIONS = ("orders.view_order",)
BACKORDER_PERMISSIONS = ("orders.view_order", "orders.view_orderline")
# The reorder screen's own permission (inventory/admin_reorder.py).
REORDER_PERMISSIONS = ("inventory.add_purchaseorder",)
EMAIL_PERMISSIONS = ("shop.view_emaillog",)
CARRIER_CALL_PERMISSIONS = ("shipping.view_carriercall",)


@dataclass(frozen=True)
class ChannelAmounts:
    """An amount in CAD split by where the sale was made."""

    online: Decimal = ZERO
    in_store: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.online + self.in_store

    def __add__(self, other: "ChannelAmounts") -> "ChannelAmounts":
        return ChannelAmounts(
            online=self.online + other.online, in_store=self.in_store + other.in_store
        )

    def __sub__(self, other: "ChannelAmounts") -> "ChannelAmounts":
        return ChannelAmounts(
            online=self.online - other.online, in_store=self.in_store - other.in_store
        )


@dataclass(frozen=True)
class PeriodSales:
    """Sales and refunds from `start` (included) to `end` (excluded)."""

    start: datetime
    end: datetime
    sales: ChannelAmounts
    refunds: ChannelAmounts

    @property
    def net(self) -> ChannelAmounts:
        return self.sales - self.refunds


@dataclass(frozen=True)
class DaySales:
    """Net sales of one day in the shop's time zone."""

    day: date
    online: Decimal
    in_store: Decimal

    @property
    def total(self) -> Decimal:
        return self.online + self.in_store


@dataclass(frozen=True)
class SalesSummary:
    """Today, the month to date, and the last CHART_DAYS days, oldest first."""

    today: PeriodSales
    month: PeriodSales
    days: list[DaySales]


@dataclass(frozen=True)
class Backorders:
    """Order lines waiting for stock on orders still to ship."""

    lines: int
    units: int


@dataclass(frozen=True)
class Dashboard:
    """One user's panels, each None when it is hidden from that user."""

    sales: SalesSummary | None
    orders_to_ship: int | None
    backorders: Backorders | None
    stock_to_reorder: int | None
    failed_emails: int | None
    failed_carrier_calls: int | None


def build_dashboard(user, *, now: datetime | None = None) -> Dashboard:
    """Compute the panels `user` has the permissions for (see *_PERMISSIONS).

    Runs two queries for sales, one for each count and two for the reorder
    count, whatever the number of rows, and none for a panel not shown.
    """

    def allowed(permissions: tuple[str, ...]) -> bool:
        return user.has_perms(permissions)

    return Dashboard(
        sales=sales_summary(now=now) if allowed(SALES_PERMISSIONS) else None,
        orders_to_ship=(
            orders_to_ship().count() if allowed(ORDERS_PERMISSIONS) else None
        ),
        backorders=backorder_totals() if allowed(BACKORDER_PERMISSIONS) else None,
        stock_to_reorder=(
            count_reorder_suggestions() if allowed(REORDER_PERMISSIONS) else None
        ),
        failed_emails=(
            unresolved_failed_emails(now=now).count()
            if allowed(EMAIL_PERMISSIONS)
            else None
        ),
        failed_carrier_calls=(
            unresolved_failed_calls(now=now).count()
            if allowed(CARRIER_CALL_PERMISSIONS)
            else None
        ),
    )


def shop_midnight(day: date) -> datetime:
    """Return the moment `day` starts in the shop's time zone.

    Where a daylight saving change skips midnight, zoneinfo places the
    missing time at the moment of the change, which is when that day
    starts.
    """
    zone = ZoneInfo(settings.SHOP_TIME_ZONE)
    return datetime.combine(day, time.min, tzinfo=zone)


def sales_summary(*, now: datetime | None = None) -> SalesSummary:
    """Sum net sales per channel for today, the month and each chart day.

    Days are calendar days in settings.SHOP_TIME_ZONE, so a day is 23 or
    25 hours long across a daylight saving change. Runs two queries: one
    grouped by day over the orders paid and one over the credit notes
    issued since the earlier of the month's first day and the chart's.
    """
    zone = ZoneInfo(settings.SHOP_TIME_ZONE)
    today = timezone.localtime(now or timezone.now(), zone).date()
    month_start = today.replace(day=1)
    chart_start = today - timedelta(days=CHART_DAYS - 1)
    first_day = min(month_start, chart_start)
    start, end = shop_midnight(first_day), shop_midnight(today + timedelta(days=1))

    paid_orders = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    sales = _daily_amounts(paid_orders, moment="paid_at", channel="channel")
    credit_notes = CreditNote.objects.filter(issued_at__gte=start, issued_at__lt=end)
    refunds = _daily_amounts(credit_notes, moment="issued_at", channel="order__channel")

    next_month = (month_start + timedelta(days=31)).replace(day=1)
    return SalesSummary(
        today=_period(sales, refunds, today, today + timedelta(days=1)),
        month=_period(sales, refunds, month_start, next_month),
        days=[
            _day(sales, refunds, chart_start + timedelta(days=offset))
            for offset in range(CHART_DAYS)
        ],
    )


DailyAmounts = dict[date, ChannelAmounts]


def _daily_amounts(queryset: QuerySet, *, moment: str, channel: str) -> DailyAmounts:
    """Sum subtotal plus shipping of `queryset` by shop day and channel."""
    zone = ZoneInfo(settings.SHOP_TIME_ZONE)
    rows = (
        queryset.annotate(
            shop_day=TruncDate(moment, tzinfo=zone), sale_channel=F(channel)
        )
        .values("shop_day", "sale_channel")
        .annotate(amount=Sum(F("subtotal_amount") + F("shipping_amount")))
        .order_by()
    )
    totals: defaultdict[date, ChannelAmounts] = defaultdict(ChannelAmounts)
    for row in rows:
        # SQLite sums decimals as floats, so round back to the cent.
        amount = round_money(row["amount"])
        if row["sale_channel"] == Order.Channel.IN_STORE:
            totals[row["shop_day"]] += ChannelAmounts(in_store=amount)
        else:
            totals[row["shop_day"]] += ChannelAmounts(online=amount)
    return dict(totals)


def _sum_days(amounts: DailyAmounts, first: date, end: date) -> ChannelAmounts:
    in_period = (value for day, value in amounts.items() if first <= day < end)
    return sum(in_period, ChannelAmounts())


def _period(
    sales: DailyAmounts, refunds: DailyAmounts, first: date, end: date
) -> PeriodSales:
    return PeriodSales(
        start=shop_midnight(first),
        end=shop_midnight(end),
        sales=_sum_days(sales, first, end),
        refunds=_sum_days(refunds, first, end),
    )


def _day(sales: DailyAmounts, refunds: DailyAmounts, day: date) -> DaySales:
    net = sales.get(day, ChannelAmounts()) - refunds.get(day, ChannelAmounts())
    return DaySales(day=day, online=net.online, in_store=net.in_store)


def orders_to_ship() -> QuerySet[Order]:
    """Return the paid orders with units still to ship."""
    return Order.objects.filter(status__in=WAITING_STATUSES)


def backordered_lines() -> QuerySet[OrderLine]:
    """Return the lines of orders still to ship that wait for stock."""
    return OrderLine.objects.filter(
        quantity_backordered__gt=0, order__status__in=WAITING_STATUSES
    )


def backorder_totals() -> Backorders:
    """Count the backordered lines and their units, in one query."""
    totals = backordered_lines().aggregate(
        lines=Count("pk"), units=Sum("quantity_backordered", default=0)
    )
    return Backorders(lines=totals["lines"], units=totals["units"])
