"""The dashboard on the admin index: orders.dashboard's figures with links.

Importing this module wraps the default admin site's index view so that
its template, templates/admin/index.html, receives a `dashboard` context.
Each count, sale and refund amount links to the change list or screen
that lists what it sums up. Net sales are derived and have no link.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse

from inventory.allocation import WAITING_STATUSES
from shipping import selectors as shipping_selectors
from shop import failed_emails
from shop.money import format_money

from .dashboard import (
    ONLINE_CHANNELS,
    ChannelAmounts,
    Dashboard,
    PeriodSales,
    SalesSummary,
    build_dashboard,
)
from .models import Order
from .sales_chart import sales_chart

# Query values of the filters the links use (see orders/admin.py,
# shipping/admin.py and accounting/admin/invoices.py).
BACKORDER_FILTER = {"backorder": "waiting"}
ATTENTION_FILTER = {"attention": "failed"}


@dataclass(frozen=True)
class Cell:
    """An amount as shown, with the change list behind it ("" for none)."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class PeriodTable:
    """One period's sales, refunds and net sales by channel."""

    title: str
    rows: list[tuple[str, list[Cell]]]


@dataclass(frozen=True)
class WorkCount:
    """A count of things waiting for staff, linked to the list of them.

    `value` is None when the user may not see the count.
    """

    label: str
    value: int | None
    url: str
    detail: str = ""


def dashboard_context(request) -> dict:
    """Return the template context of the dashboard for the request's user."""
    dashboard = build_dashboard(request.user)
    sales = dashboard.sales
    return {
        "sales_periods": _sales_tables(sales) if sales else None,
        "sales_days": sales.days if sales else None,
        "sales_chart": sales_chart(sales.days) if sales else None,
        "work_counts": _work_counts(dashboard),
        # Every staff member may use the lookup, whatever the role.
        "lookup_url": reverse("admin:orders_lookup"),
    }


def _sales_tables(sales: SalesSummary) -> list[PeriodTable]:
    return [
        PeriodTable(title="Today", rows=_period_rows(sales.today)),
        PeriodTable(title="This month", rows=_period_rows(sales.month)),
    ]


def _period_rows(period: PeriodSales) -> list[tuple[str, list[Cell]]]:
    orders_url = reverse("admin:orders_order_changelist")
    notes_url = reverse("admin:accounting_creditnote_changelist")
    paid = {"paid_at__gte": period.start, "paid_at__lt": period.end}
    issued = {"issued_at__gte": period.start, "issued_at__lt": period.end}
    net = period.net
    return [
        ("Sales", _channel_cells(period.sales, orders_url, paid, "channel__in")),
        (
            "Refunds",
            _channel_cells(period.refunds, notes_url, issued, "order__channel__in"),
        ),
        ("Net sales", [Cell(format_money(value)) for value in _values(net)]),
    ]


def _values(amounts: ChannelAmounts) -> list[Decimal]:
    return [amounts.online, amounts.in_store, amounts.total]


def _channel_cells(
    amounts: ChannelAmounts, url: str, period: dict, channel_key: str
) -> list[Cell]:
    channels = [
        ",".join(ONLINE_CHANNELS),
        Order.Channel.IN_STORE.value,
        None,
    ]
    cells = []
    for value, channel in zip(_values(amounts), channels, strict=True):
        query = {**period, channel_key: channel} if channel else period
        cells.append(Cell(format_money(value), _with_query(url, query)))
    return cells


def _work_counts(dashboard: Dashboard) -> list[WorkCount]:
    backorders = dashboard.backorders
    status_in = ",".join(sorted(WAITING_STATUSES))
    counts = [
        WorkCount(
            label="Orders waiting to ship",
            value=dashboard.orders_to_ship,
            url=_changelist("orders_order", {"status__in": status_in}),
        ),
        WorkCount(
            label="Order lines on backorder",
            value=backorders.lines if backorders else None,
            detail=_units_waiting(backorders.units) if backorders else "",
            url=_changelist("orders_order", BACKORDER_FILTER),
        ),
        WorkCount(
            label="Variants at or below their reorder point",
            value=dashboard.stock_to_reorder,
            url=reverse("admin:inventory_reorder"),
        ),
        WorkCount(
            label="Emails that failed and were not resent",
            value=dashboard.failed_emails,
            detail=f"failed in the last {failed_emails.ATTENTION_DAYS} days",
            url=_changelist("shop_emaillog", ATTENTION_FILTER),
        ),
        WorkCount(
            label="Carrier calls failed, not retried",
            value=dashboard.failed_carrier_calls,
            detail=f"failed in the last {shipping_selectors.ATTENTION_DAYS} days",
            url=_changelist("shipping_carriercall", ATTENTION_FILTER),
        ),
    ]
    return [count for count in counts if count.value is not None]


def _units_waiting(units: int) -> str:
    return f"{units} unit{'' if units == 1 else 's'} waiting for stock"


def _changelist(name: str, query: dict) -> str:
    return _with_query(reverse(f"admin:{name}_changelist"), query)


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}"


def _index_with_dashboard(original_index):
    def index(request, extra_context=None):
        context = {"dashboard": dashboard_context(request), **(extra_context or {})}
        return original_index(request, extra_context=context)

    return index


admin.site.index = _index_with_dashboard(admin.site.index)  # type: ignore[method-assign]
