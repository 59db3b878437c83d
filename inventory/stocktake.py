"""Stocktakes: shelf counts that correct the quantity on hand.

Each difference between a count and the quantity on hand becomes a
STOCKTAKE movement through inventory.services.adjust_stock, valued at the
current unit cost and posted to inventory shrinkage. A count below what
paid orders hold on the shelf (allocated) is rejected: those units are
promised, and the difference must be resolved on the orders first.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from shop.models import Variant

from . import services
from .models import Stock, StockMovement

logger = logging.getLogger(__name__)


class StocktakeError(ValueError):
    """A stocktake that cannot be recorded; nothing was written."""


@dataclass(frozen=True)
class CountedStock:
    """A variant's counted units beside what the records held before."""

    variant: Variant
    counted: int
    quantity_on_hand: int
    quantity_allocated: int

    @property
    def difference(self) -> int:
        return self.counted - self.quantity_on_hand


def record_stocktake(
    *, counts: Mapping[int, int], reason: str, user: User | None
) -> list[StockMovement]:
    """Set each counted variant's quantity on hand to its count.

    `counts` maps variant id to units counted (0 or more). Runs in one
    transaction and locks the Stock rows in variant-id order. A count equal
    to the records writes nothing. Returns the STOCKTAKE movements written,
    in variant-id order. Raises StocktakeError, with nothing written, for
    a blank reason, a negative count, an unknown variant or a count below
    the units allocated to paid orders. The message names every such SKU.
    """
    if not reason.strip():
        raise StocktakeError("Give a reason for the stocktake, such as 'Year-end'.")

    with transaction.atomic():
        counted = _lock_counts(counts)
        _check_counts(counted)
        movements = [
            services.adjust_stock(
                variant=row.variant,
                quantity_change=row.difference,
                reason=reason.strip(),
                user=user,
                reference="Stocktake",
                kind=StockMovement.Kind.STOCKTAKE,
            )
            for row in counted
            if row.difference
        ]

    logger.info(
        "Stocktake recorded",
        extra={"variants_counted": len(counted), "movements": len(movements)},
    )
    return movements


def _lock_counts(counts: Mapping[int, int]) -> list[CountedStock]:
    variants = Variant.objects.in_bulk(list(counts))
    unknown = sorted(set(counts) - set(variants))
    if unknown:
        raise StocktakeError(
            f"No variant with id {unknown}; reload the stocktake form."
        )
    stocks = {
        stock.variant_id: stock
        for stock in Stock.objects.select_for_update()
        .filter(variant_id__in=list(counts))
        .order_by("variant_id")
    }
    return [
        CountedStock(
            variant=variants[pk],
            counted=counts[pk],
            quantity_on_hand=stocks[pk].quantity_on_hand if pk in stocks else 0,
            quantity_allocated=stocks[pk].quantity_allocated if pk in stocks else 0,
        )
        for pk in sorted(counts)
    ]


def _check_counts(counted: list[CountedStock]) -> None:
    problems = []
    for row in counted:
        sku = row.variant.sku
        if row.counted < 0:
            problems.append(f"{sku} is counted at {row.counted}; enter 0 or more.")
        elif row.counted < row.quantity_allocated:
            problems.append(
                f"{sku} is counted at {row.counted} but {row.quantity_allocated} "
                "are allocated to paid orders; recount, or release or ship those "
                "orders first."
            )
    if problems:
        raise StocktakeError(" ".join(problems))
