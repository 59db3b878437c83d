"""Checks that stored stock quantities and values match the movement ledger.

Stock rows and order lines store running totals so that reads are cheap;
the movements are the record. find_stock_drift() recomputes the totals
from the movements and lists every stored figure that differs. It reads
only, so it may run while the shop trades, but a figure written between
its queries can show as a difference that is gone on the next run.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from accounting.models import SupplierBillLine
from orders.models import OrderLine
from shop.money import ZERO, round_money

from .models import Stock, StockMovement


@dataclass(frozen=True)
class StockDrift:
    """A Stock figure that differs from the sum of its movements."""

    stock_id: int
    sku: str
    location: str
    field: str
    stored: int | Decimal
    expected: int | Decimal

    def __str__(self) -> str:
        return (
            f"{self.sku} at {self.location}: {self.field} is {self.stored}, "
            f"but its movements add up to {self.expected}"
        )


@dataclass(frozen=True)
class LineDrift:
    """An order's allocated units of a variant differing from its movements."""

    order_number: str
    sku: str
    stored: int
    expected: int

    def __str__(self) -> str:
        return (
            f"Order {self.order_number}, {self.sku}: {self.stored} allocated on "
            f"its lines, but its movements add up to {self.expected}"
        )


@dataclass(frozen=True)
class DriftReport:
    stocks: list[StockDrift]
    lines: list[LineDrift]

    def __bool__(self) -> bool:
        return bool(self.stocks or self.lines)


def find_stock_drift() -> DriftReport:
    """Compare stored stock and allocation totals with the movement ledger.

    For each Stock row: quantity on hand and allocated against the sums of
    its movements, and value against the sum of its movements' values plus
    the cost corrections of supplier bills (stock_value_change). For each
    order and variant: the lines' allocated units against the order's
    movements that changed the allocation (ALLOCATION, RELEASE, SHIPMENT),
    matched by the order number in their reference. Five queries.
    """
    return DriftReport(stocks=_stock_drift(), lines=_line_drift())


def _stock_drift() -> list[StockDrift]:
    moved = {
        row["stock_id"]: row
        for row in StockMovement.objects.order_by()
        .values("stock_id")
        .annotate(
            on_hand=Sum("quantity"),
            allocated=Sum("quantity_allocated_change"),
            value=Sum("value_amount"),
        )
    }
    billed = dict(
        SupplierBillLine.objects.filter(receipt__isnull=False)
        .order_by()
        .values("receipt__stock_id")
        .annotate(value=Sum("stock_value_change"))
        .values_list("receipt__stock_id", "value")
    )

    drift = []
    stocks = Stock.objects.select_related("variant", "location").order_by("pk")
    for stock in stocks.iterator():
        totals = moved.get(stock.pk, {})
        expected = {
            "quantity_on_hand": totals.get("on_hand") or 0,
            "quantity_allocated": totals.get("allocated") or 0,
            # SQLite sums decimals as floats, so both sums are rounded.
            "value_amount": round_money(
                (totals.get("value") or ZERO) + (billed.get(stock.pk) or ZERO)
            ),
        }
        for field, value in expected.items():
            if getattr(stock, field) != value:
                drift.append(
                    StockDrift(
                        stock_id=stock.pk,
                        sku=stock.variant.sku,
                        location=stock.location.code,
                        field=field,
                        stored=getattr(stock, field),
                        expected=value,
                    )
                )
    return drift


def _line_drift() -> list[LineDrift]:
    skus: dict[int, str] = {}
    moved: dict[tuple[str, int], int] = defaultdict(int)
    movements = (
        StockMovement.objects.exclude(quantity_allocated_change=0)
        .order_by()
        .values("reference", "stock__variant_id", "stock__variant__sku")
        .annotate(allocated=Sum("quantity_allocated_change"))
    )
    for row in movements:
        key = (row["reference"], row["stock__variant_id"])
        moved[key] += row["allocated"]
        skus[row["stock__variant_id"]] = row["stock__variant__sku"]

    stored: dict[tuple[str, int], int] = defaultdict(int)
    lines = (
        OrderLine.objects.filter(quantity_allocated__gt=0, variant__isnull=False)
        .order_by()
        .values("order__number", "variant_id", "variant__sku")
        .annotate(allocated=Sum("quantity_allocated"))
    )
    for row in lines:
        stored[(str(row["order__number"]), row["variant_id"])] += row["allocated"]
        skus[row["variant_id"]] = row["variant__sku"]

    return [
        LineDrift(
            order_number=reference,
            sku=skus[variant_id],
            stored=stored.get((reference, variant_id), 0),
            expected=moved.get((reference, variant_id), 0),
        )
        for reference, variant_id in sorted(set(moved) | set(stored))
        if stored.get((reference, variant_id), 0)
        != moved.get((reference, variant_id), 0)
    ]
