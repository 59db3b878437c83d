"""The nightly backorder and reorder reports, emailed to staff.

Each report is built for one business day in the shop's time zone
(SHOP_TIME_ZONE) and sent once for that day: a ReportRun row, unique per
report and day, records the sending. Both are HTML emails with the whole
report attached as CSV, sent to every address in SHOP_STAFF_EMAILS.

The queries aggregate in SQL and read the order lines in chunks (from a
server-side cursor on PostgreSQL), so a report runs a fixed number of
queries whatever the number of waiting lines. The CSV is written row by
row, but the finished attachment is held in memory, as email needs it.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from orders.models import Order, OrderLine
from shipping.dates import add_business_days, shop_today
from shop.emails import send_logged_email

from .models import PurchaseOrder, PurchaseOrderLine, ReportRun, Stock
from .reorder import ReorderSuggestion, reorder_suggestions

logger = logging.getLogger(__name__)

# The HTML body lists at most this many waiting lines; the CSV has them all.
HTML_LINE_LIMIT = 500
STREAM_CHUNK_SIZE = 2000

BACKORDER_CSV_HEADER = [
    "Order",
    "Customer",
    "Email",
    "SKU",
    "Product",
    "Options",
    "Quantity waiting",
    "Backordered on",
    "Days waiting",
    "Expected date",
]
REORDER_CSV_HEADER = [
    "SKU",
    "Product",
    "Available",
    "On order",
    "Backordered",
    "Reorder point",
    "Suggested quantity",
    "Supplier",
    "Open purchase orders",
]


@dataclass(frozen=True)
class ReportEmail:
    """A rendered report: subject, bodies and the CSV attachment."""

    subject: str
    text_body: str
    html_body: str
    filename: str
    csv_content: bytes


@dataclass(frozen=True)
class SendOutcome:
    """The result of sending a report.

    `status` is "sent", "already_sent" or "no_recipients".
    """

    status: str
    business_date: date
    run: ReportRun | None = None


def end_of_business_day(business_date: date) -> datetime:
    """Return midnight at the end of `business_date` in the shop's zone."""
    next_day = business_date + timedelta(days=1)
    return datetime.combine(next_day, time.min, tzinfo=_shop_zone())


# --- Backorder report ------------------------------------------------------


@dataclass(frozen=True)
class BackorderLine:
    """One order line waiting for stock, as printed in the report."""

    order_number: int
    customer_name: str
    customer_email: str
    sku: str
    name: str
    options: str
    quantity: int
    backordered_on: date
    days_waiting: int
    expected_date: date | None

    def csv_row(self) -> list[object]:
        return [
            self.order_number,
            self.customer_name,
            self.customer_email,
            self.sku,
            self.name,
            self.options,
            self.quantity,
            self.backordered_on.isoformat(),
            self.days_waiting,
            self.expected_date.isoformat() if self.expected_date else "",
        ]


@dataclass
class BackorderProduct:
    """The waiting lines of one SKU and their totals."""

    sku: str
    name: str
    options: str
    quantity: int
    line_count: int
    expected_date: date | None
    lines: list[BackorderLine] = field(default_factory=list)


def waiting_lines(business_date: date):
    """Return the order lines still waiting that were backordered by the end
    of `business_date` in the shop's time zone.

    A line without backordered_at counts from its order's payment.
    """
    return (
        OrderLine.objects.filter(quantity_backordered__gt=0)
        .exclude(
            order__status__in=[Order.Status.CANCELLED, Order.Status.PENDING_PAYMENT]
        )
        .annotate(waiting_since=Coalesce("backordered_at", "order__paid_at"))
        .filter(waiting_since__lt=end_of_business_day(business_date))
    )


def expected_dates(variant_ids: set[int], *, today: date) -> dict[int, date]:
    """Return when each variant's waiting units should arrive, in two queries.

    The earliest expected date among open purchase orders with units still
    to receive; else `today` plus the supplier's lead time in business
    days. A variant with neither is left out.
    """
    by_purchase_order = dict(
        PurchaseOrderLine.objects.filter(
            variant_id__in=variant_ids,
            purchase_order__status__in=PurchaseOrder.OPEN_STATUSES,
            purchase_order__expected_date__isnull=False,
            quantity_ordered__gt=F("quantity_received"),
        )
        .values("variant_id")
        .annotate(earliest=Min("purchase_order__expected_date"))
        .values_list("variant_id", "earliest")
    )
    lead_times = (
        Stock.objects.filter(variant_id__in=variant_ids - set(by_purchase_order))
        .filter(supplier__isnull=False)
        .values("variant_id")
        .annotate(lead_time=Min("supplier__lead_time_days"))
        .values_list("variant_id", "lead_time")
    )
    by_lead_time = {
        variant_id: add_business_days(today, lead_time)
        for variant_id, lead_time in lead_times
    }
    return {**by_lead_time, **by_purchase_order}


def backorder_products(business_date: date) -> list[BackorderProduct]:
    """Total the waiting units per SKU in one aggregate query, by SKU."""
    rows = (
        waiting_lines(business_date)
        .values("sku")
        .annotate(
            name=Max("name"),
            options=Max("options"),
            variant_id=Max("variant_id"),
            quantity=Sum("quantity_backordered"),
            line_count=Count("id"),
        )
        .order_by("sku")
    )
    rows = list(rows)
    dates = expected_dates(
        {row["variant_id"] for row in rows if row["variant_id"]}, today=business_date
    )
    return [
        BackorderProduct(
            sku=row["sku"],
            name=row["name"],
            options=row["options"],
            quantity=row["quantity"],
            line_count=row["line_count"],
            expected_date=dates.get(row["variant_id"]),
        )
        for row in rows
    ]


def iter_backorder_lines(
    business_date: date, products: dict[str, BackorderProduct]
) -> Iterator[BackorderLine]:
    """Yield the waiting lines by SKU, oldest first, from a server-side
    cursor."""
    zone = _shop_zone()
    rows = (
        waiting_lines(business_date)
        .order_by("sku", "waiting_since", "id")
        .values_list(
            "order__number",
            "order__customer__first_name",
            "order__customer__last_name",
            "order__email",
            "sku",
            "name",
            "options",
            "quantity_backordered",
            "waiting_since",
        )
        .iterator(chunk_size=STREAM_CHUNK_SIZE)
    )
    for number, first, last, email, sku, name, options, quantity, since in rows:
        backordered_on = timezone.localtime(since, zone).date()
        yield BackorderLine(
            order_number=number,
            customer_name=f"{first} {last}".strip(),
            customer_email=email,
            sku=sku,
            name=name,
            options=options,
            quantity=quantity,
            backordered_on=backordered_on,
            days_waiting=(business_date - backordered_on).days,
            expected_date=products[sku].expected_date,
        )


def build_backorder_report(business_date: date) -> ReportEmail:
    """Render the backorder report of `business_date`, with all lines as CSV.

    Lines are grouped by SKU with a total per SKU and a grand total. The
    HTML lists the first HTML_LINE_LIMIT lines, the CSV every line.
    """
    products = backorder_products(business_date)
    by_sku = {product.sku: product for product in products}
    html_line_count = 0

    def keep_for_html(line: BackorderLine) -> None:
        nonlocal html_line_count
        if html_line_count < HTML_LINE_LIMIT:
            by_sku[line.sku].lines.append(line)
            html_line_count += 1

    lines = iter_backorder_lines(business_date, by_sku)
    csv_content = _write_csv(BACKORDER_CSV_HEADER, lines, on_row=keep_for_html)
    context = {
        "business_date": business_date,
        "products": products,
        "total_quantity": sum(product.quantity for product in products),
        "total_lines": sum(product.line_count for product in products),
        "shown_lines": html_line_count,
    }
    return _render(
        "backorder_report",
        context,
        subject=_backorder_subject(business_date, context),
        filename=f"backorders-{business_date.isoformat()}.csv",
        csv_content=csv_content,
    )


def _backorder_subject(business_date: date, context: dict) -> str:
    day = business_date.isoformat()
    if not context["total_lines"]:
        return f"Backorder report for {day}: nothing waiting"
    return (
        f"Backorder report for {day}: {context['total_quantity']} units "
        f"on {context['total_lines']} lines"
    )


# --- Reorder report --------------------------------------------------------


@dataclass(frozen=True)
class OpenPurchaseOrder:
    """Units of a variant still to come on one open purchase order."""

    number: int
    quantity: int


@dataclass(frozen=True)
class ReorderRow:
    """A variant due for reordering, with its open purchase orders."""

    suggestion: ReorderSuggestion
    open_purchase_orders: list[OpenPurchaseOrder]

    def csv_row(self) -> list[object]:
        suggestion = self.suggestion
        return [
            suggestion.sku,
            suggestion.name,
            suggestion.available,
            suggestion.on_order,
            suggestion.backordered,
            suggestion.reorder_point,
            suggestion.suggested_quantity,
            suggestion.supplier_name,
            "; ".join(
                f"PO {po.number}: {po.quantity}" for po in self.open_purchase_orders
            ),
        ]


def open_purchase_orders(variant_ids: set[int]) -> dict[int, list[OpenPurchaseOrder]]:
    """Return each variant's open purchase orders with units still to come."""
    rows = (
        PurchaseOrderLine.objects.filter(
            variant_id__in=variant_ids,
            purchase_order__status__in=PurchaseOrder.OPEN_STATUSES,
            quantity_ordered__gt=F("quantity_received"),
        )
        .order_by("variant_id", "purchase_order__number")
        .values_list(
            "variant_id",
            "purchase_order__number",
            F("quantity_ordered") - F("quantity_received"),
        )
    )
    result: dict[int, list[OpenPurchaseOrder]] = {}
    for variant_id, number, quantity in rows:
        result.setdefault(variant_id, []).append(OpenPurchaseOrder(number, quantity))
    return result


def build_reorder_report(business_date: date) -> ReportEmail:
    """Render the reorder report: every variant at or below its reorder
    point, with the suggested quantity and the purchase orders open for it.
    """
    suggestions = reorder_suggestions()
    purchase_orders = open_purchase_orders({item.variant_id for item in suggestions})
    rows = [
        ReorderRow(item, purchase_orders.get(item.variant_id, []))
        for item in suggestions
    ]
    day = business_date.isoformat()
    products = f"{len(rows)} {_plural(len(rows), 'product')}"
    subject = (
        f"Reorder report for {day}: {products} to reorder"
        if rows
        else f"Reorder report for {day}: nothing to reorder"
    )
    return _render(
        "reorder_report",
        {"business_date": business_date, "rows": rows},
        subject=subject,
        filename=f"reorder-{day}.csv",
        csv_content=_write_csv(REORDER_CSV_HEADER, iter(rows)),
    )


# --- Sending ----------------------------------------------------------------


def send_backorder_report(*, business_date: date | None = None) -> SendOutcome:
    """Email the backorder report of `business_date` (default: the shop's
    today) to the staff, once per day; see send_report."""
    return send_report(
        ReportRun.Report.BACKORDERS, build_backorder_report, business_date
    )


def send_reorder_report(*, business_date: date | None = None) -> SendOutcome:
    """Email the reorder report of `business_date` (default: the shop's
    today) to the staff, once per day; see send_report."""
    return send_report(ReportRun.Report.REORDER, build_reorder_report, business_date)


def send_report(
    report: str,
    build: Callable[[date], ReportEmail],
    business_date: date | None,
) -> SendOutcome:
    """Build and email a report to SHOP_STAFF_EMAILS unless already sent.

    Claims the day with a ReportRun row and sends in the same transaction.
    A second caller's insert waits on the unique index until the first
    commits, then finds the day sent, so two workers never both send. A
    failed send raises and rolls the claim back so a retry sends again;
    the EmailLog row of the failure goes with it, and send_logged_email's
    warning in the log remains.
    """
    business_date = business_date or shop_today()
    recipients = list(settings.SHOP_STAFF_EMAILS)
    if not recipients:
        logger.warning(
            "No staff email addresses: %s report for %s not sent; "
            "set SHOP_STAFF_EMAILS",
            report,
            business_date,
            extra={"report": report, "business_date": str(business_date)},
        )
        return SendOutcome("no_recipients", business_date)

    with transaction.atomic():
        run = _claim(report, business_date, recipients)
        if run is None:
            logger.info(
                "The %s report for %s was already sent",
                report,
                business_date,
                extra={"report": report, "business_date": str(business_date)},
            )
            return SendOutcome("already_sent", business_date)
        email = build(business_date)
        for address in recipients:
            _send(email, to=address, kind=f"{report}_report", day=business_date)

    logger.info(
        "Sent the %s report for %s to %s staff",
        report,
        business_date,
        len(recipients),
        extra={"report": report, "business_date": str(business_date)},
    )
    return SendOutcome("sent", business_date, run)


def _claim(report: str, business_date: date, recipients: list[str]):
    try:
        with transaction.atomic():
            return ReportRun.objects.create(
                report=report,
                business_date=business_date,
                recipients=", ".join(recipients),
            )
    except IntegrityError:
        return None


def _send(email: ReportEmail, *, to: str, kind: str, day: date) -> None:
    # TODO: compress the CSV, or link to a download, when it passes mail
    # servers' size limits (about 100 MiB at a million waiting lines).
    send_logged_email(
        to=to,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        attachments=[(email.filename, email.csv_content, "text/csv")],
        kind=kind,
        reference=day.isoformat(),
    )


def _render(
    template: str, context: dict, *, subject: str, filename: str, csv_content: bytes
) -> ReportEmail:
    context = {**context, "shop_name": settings.SHOP_NAME, "filename": filename}
    return ReportEmail(
        subject=subject,
        text_body=render_to_string(f"emails/{template}.txt", context),
        html_body=render_to_string(f"emails/{template}.html", context),
        filename=filename,
        csv_content=csv_content,
    )


def _write_csv(
    header: list[str],
    rows: Iterator,
    *,
    on_row: Callable[[object], None] | None = None,
) -> bytes:
    """Write rows with a csv_row() method as UTF-8 CSV, one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row.csv_row())
        if on_row is not None:
            on_row(row)
    return buffer.getvalue().encode()


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


def _shop_zone() -> ZoneInfo:
    return ZoneInfo(settings.SHOP_TIME_ZONE)
