"""Reads of stock shared by the storefront, the cart and the back office."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Sum

from .models import Stock

IN_STOCK = "in_stock"
LOW = "low"
OUT = "out"


@dataclass(frozen=True)
class Availability:
    """Units a customer can buy now, with the status and label shown for them.

    `status` is one of "in_stock", "low" and "out". `label` is the text the
    storefront prints ("In stock", "Only 3 left", "Out of stock").
    """

    quantity: int
    status: str
    label: str

    @property
    def is_available(self) -> bool:
        return self.quantity > 0


def availability_from_quantity(quantity: int | None) -> Availability:
    """Describe `quantity` units on hand for customers.

    A quantity at or below settings.SHOP_LOW_STOCK_THRESHOLD counts as low.
    None (no Stock row) and negative values count as none on hand.
    """
    quantity = max(quantity or 0, 0)
    if quantity == 0:
        return Availability(quantity=0, status=OUT, label="Out of stock")
    if quantity <= settings.SHOP_LOW_STOCK_THRESHOLD:
        return Availability(
            quantity=quantity, status=LOW, label=f"Only {quantity} left"
        )
    return Availability(quantity=quantity, status=IN_STOCK, label="In stock")


def availability_for(variant_ids: Iterable[int]) -> dict[int, Availability]:
    """Return each variant's availability, keyed by variant id, in one query.

    A variant without a Stock row is out of stock. Availability is the
    quantity on hand less what paid orders hold, summed over locations;
    carts do not reserve stock.
    """
    variant_ids = set(variant_ids)
    if not variant_ids:
        return {}

    available = dict(
        Stock.objects.filter(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(available=Sum(F("quantity_on_hand") - F("quantity_allocated")))
        .values_list("variant_id", "available")
    )
    return {
        variant_id: availability_from_quantity(available.get(variant_id))
        for variant_id in variant_ids
    }
