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
from typing import Any

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

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
    name, then SKU; a handful of queries whatever the catalog's size.
    """
    position = F("available") + F("on_order") - F("backordered")
    stocks = (
        _stock_with_position()
        .annotate(position=position)
        .filter(position__lte=F("reorder_point"))
        .filter(Q(reorder_point__gt=0) | Q(position__lt=0))
        .order_by(F("supplier__name").asc(nulls_last=True), "variant__sku")
    )
    return [_suggestion(stock) for stock in stocks]


def _stock_with_position():
    return (
        Stock.objects.filter(location_id=default_location_id(), variant__is_active=True)
        .select_related("variant__product", "supplier")
        .annotate(
            available=_sum_for_variant(
                Stock.objects, F("quantity_on_hand") - F("quantity_allocated")
            ),
            on_order=_sum_for_variant(
                PurchaseOrderLine.objects.filter(
                    purchase_order__status__in=PurchaseOrder.OPEN_STATUSES
                ),
                F("quantity_ordered") - F("quantity_received"),
            ),
            backordered=_sum_for_variant(
                OrderLine.objects.filter(
                    quantity_backordered__gt=0, order__status__in=WAITING_STATUSES
                ),
                F("quantity_backordered"),
            ),
        )
    )


def _sum_for_variant(queryset, expression):
    """Return a subquery summing `expression` over the rows of the variant."""
    total = (
        queryset.filter(variant_id=OuterRef("variant_id"))
        .order_by()
        .values("variant_id")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _suggestion(stock: Any) -> ReorderSuggestion:
    # `stock` is a Stock annotated with available, on_order and backordered.
    variant = stock.variant
    position = stock.available + stock.on_order - stock.backordered
    return ReorderSuggestion(
        variant_id=variant.pk,
        sku=variant.sku,
        name=str(variant),
        supplier_id=stock.supplier_id,
        supplier_name=stock.supplier.name if stock.supplier else "",
        available=stock.available,
        on_order=stock.on_order,
        backordered=stock.backordered,
        reorder_point=stock.reorder_point,
        reorder_quantity=stock.reorder_quantity,
        unit_cost=variant.unit_cost if variant.unit_cost is not None else ZERO,
        suggested_quantity=suggested_quantity(
            position=position,
            reorder_point=stock.reorder_point,
            reorder_quantity=stock.reorder_quantity,
        ),
    )
