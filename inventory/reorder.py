"""Reorder suggestions: the variants due for reordering and the units to order.

A variant's position is what it will have once everything settles: units
available now, plus units still to come on open purchase orders (draft,
sent or partly received), less units customers are waiting for on
backorder on paid orders. A variant is due for reordering when its
position is at or below its reorder point.

The supplier, reorder point and reorder quantity are read from the stock
row at the default location. Available units are counted over every
location, as the storefront counts them.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import F, QuerySet, Sum
from django.db.models.expressions import Combinable

from orders.models import OrderLine
from shop.money import ZERO

from .allocation import WAITING_STATUSES
from .models import PurchaseOrder, PurchaseOrderLine, Stock, default_location_id


@dataclass(frozen=True)
class ReorderSuggestion:
    """One variant due for reordering, with the units suggested."""

    variant_id: int
    sku: str
    name: str
    supplier_id: int | None
    supplier_name: str
    available: int
    on_order: int
    backordered: int
    reorder_point: int
    reorder_quantity: int
    unit_cost: Decimal
    suggested_quantity: int

    @property
    def position(self) -> int:
        return self.available + self.on_order - self.backordered


def suggested_quantity(*, position: int, reorder_point: int, reorder_quantity: int):
    """Return the units that lift `position` above `reorder_point`.

    The result is the smallest multiple of `reorder_quantity` (a case or
    a supplier's minimum) that does it. A reorder quantity of 0 means "no
    fixed multiple": the suggestion is then exactly the units that lift
    the position one above the point. Returns 0 when the position is
    already above the point.
    """
    shortfall = reorder_point - position + 1
    if shortfall <= 0:
        return 0
    if reorder_quantity == 0:
        return shortfall
    cases = -(-shortfall // reorder_quantity)
    return cases * reorder_quantity


def reorder_suggestions() -> list[ReorderSuggestion]:
    """List active variants whose position is at or below the reorder point.

    A reorder point of 0 (the default) means the variant is not reordered
    by point: it is listed only when customers wait for more units than
    are available and on order (a position below 0). Variants without a
    supplier are listed too, with supplier_id None. Sorted by supplier
    name, then SKU. Runs three queries whatever the catalog's size (two
    when nothing is due), except that SQLite loads the stock rows in
    batches of 999.
    """
    due = _due_stocks()
    stocks = (
        Stock.objects.select_related("variant__product", "supplier")
        .only(*SUGGESTION_FIELDS)
        .in_bulk([row.stock_id for row in due])
    )
    return [_suggestion(stocks[row.stock_id], row) for row in due]


def count_reorder_suggestions() -> int:
    """Count the variants reorder_suggestions() lists, in two queries."""
    positions, params = _positions_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM ({positions}) AS positions WHERE {DUE_SQL}",
            params,
        )
        return cursor.fetchone()[0]


# The fields _suggestion reads. Loading only these spares parsing the
# timestamps and descriptions of thousands of rows.
SUGGESTION_FIELDS = (
    "supplier__name",
    "reorder_point",
    "reorder_quantity",
    "variant__sku",
    "variant__size",
    "variant__colour",
    "variant__unit_cost",
    "variant__product__name",
)

# Each stock row at the default location with the units that make its
# position. Every grouped subquery reads its table once and is joined on
# the variant, where a correlated subquery would run once per stock row
# (seconds at 50,000 rows, see docs/benchmarks.md). The ORM cannot join a
# grouped subquery, so _positions_sql fills this in with querysets
# compiled to SQL.
POSITIONS_SQL = """
SELECT
    stock.id AS stock_id,
    stock.reorder_point,
    stock.supplier_name,
    stock.sku,
    COALESCE(available.units, 0) AS available,
    COALESCE(on_order.units, 0) AS on_order,
    COALESCE(backordered.units, 0) AS backordered,
    COALESCE(available.units, 0)
        + COALESCE(on_order.units, 0)
        - COALESCE(backordered.units, 0) AS position
FROM ({stock}) AS stock
LEFT OUTER JOIN ({available}) AS available
    ON available.variant_id = stock.variant_id
LEFT OUTER JOIN ({on_order}) AS on_order
    ON on_order.variant_id = stock.variant_id
LEFT OUTER JOIN ({backordered}) AS backordered
    ON backordered.variant_id = stock.variant_id
"""

# The rows of POSITIONS_SQL that reorder_suggestions() lists.
DUE_SQL = "position <= reorder_point AND (reorder_point > 0 OR position < 0)"


class _DueStock(NamedTuple):
    stock_id: int
    available: int
    on_order: int
    backordered: int


def _due_stocks() -> list[_DueStock]:
    positions, params = _positions_sql()
    sql = (
        f"SELECT stock_id, available, on_order, backordered FROM ({positions}) "
        f"AS positions WHERE {DUE_SQL} ORDER BY supplier_name NULLS LAST, sku"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_DueStock(*row) for row in cursor.fetchall()]


def _positions_sql() -> tuple[str, list]:
    """Return POSITIONS_SQL filled in, with its parameters."""
    subqueries = {
        "stock": Stock.objects.filter(
            location_id=default_location_id(), variant__is_active=True
        ).values(
            "id",
            "variant_id",
            "reorder_point",
            supplier_name=F("supplier__name"),
            sku=F("variant__sku"),
        ),
        "available": _units_by_variant(
            Stock.objects.all(), F("quantity_on_hand") - F("quantity_allocated")
        ),
        "on_order": _units_by_variant(
            PurchaseOrderLine.objects.filter(
                purchase_order__status__in=PurchaseOrder.OPEN_STATUSES
            ),
            F("quantity_ordered") - F("quantity_received"),
        ),
        "backordered": _units_by_variant(
            OrderLine.objects.filter(
                quantity_backordered__gt=0, order__status__in=WAITING_STATUSES
            ),
            F("quantity_backordered"),
        ),
    }
    # The subqueries appear in POSITIONS_SQL in this dictionary's order, so
    # their parameters are concatenated in the same order.
    compiled = {
        name: queryset.order_by().query.sql_with_params()
        for name, queryset in subqueries.items()
    }
    sql = POSITIONS_SQL.format(**{name: sql for name, (sql, _) in compiled.items()})
    params = [param for _, params in compiled.values() for param in params]
    return sql, params


def _units_by_variant(queryset: QuerySet, units: Combinable) -> QuerySet:
    """Group `queryset` by variant_id, summing `units` into a units column."""
    return queryset.values("variant_id").annotate(units=Sum(units))


def _suggestion(stock: Stock, due: _DueStock) -> ReorderSuggestion:
    variant = stock.variant
    return ReorderSuggestion(
        variant_id=variant.pk,
        sku=variant.sku,
        name=str(variant),
        supplier_id=stock.supplier_id,
        supplier_name=stock.supplier.name if stock.supplier else "",
        available=due.available,
        on_order=due.on_order,
        backordered=due.backordered,
        reorder_point=stock.reorder_point,
        reorder_quantity=stock.reorder_quantity,
        unit_cost=variant.unit_cost if variant.unit_cost is not None else ZERO,
        suggested_quantity=suggested_quantity(
            position=due.available + due.on_order - due.backordered,
            reorder_point=stock.reorder_point,
            reorder_quantity=stock.reorder_quantity,
        ),
    )
