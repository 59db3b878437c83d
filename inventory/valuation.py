"""Cost values of stock movements, by moving weighted average cost.

inventory.services explains the rule; these helpers compute the value a
movement adds or takes, for a Stock row the caller has locked.
"""

from decimal import Decimal

from django.db.models import Subquery, Sum

from shop.money import ZERO, round_money

from .models import Stock


def value_at_cost(unit_cost: Decimal | None, quantity: int) -> Decimal:
    """Return `quantity` units at `unit_cost`, 0 when the cost is unknown."""
    if unit_cost is None:
        return ZERO
    return round_money(unit_cost * quantity)


def current_unit_cost(stock: Stock) -> Decimal | None:
    """Return the stock's unit cost as the last movement in left it.

    That is value / quantity right after the newest movement that added
    units, unrounded, so units going out do not move it. Returns None for
    stock that has never had units in. One query.
    """
    last_in = stock.movements.filter(quantity__gt=0).order_by("-pk").values("pk")[:1]
    totals = stock.movements.filter(pk__lte=Subquery(last_in)).aggregate(
        quantity=Sum("quantity"), value=Sum("value_amount")
    )
    if not totals["quantity"]:
        return None
    return totals["value"] / totals["quantity"]


def value_out(stock: Stock, units: int) -> Decimal:
    """Return the value `units` units take out of `stock` (a positive amount).

    The last units out take all the value left. Other units leave at the
    current unit cost, rounded half up, capped at the value on hand so
    that it never goes negative.
    """
    if units >= stock.quantity_on_hand:
        return stock.value_amount
    unit_cost = current_unit_cost(stock)
    return min(value_at_cost(unit_cost, units), stock.value_amount)


def value_in(stock: Stock, units: int, *, fallback_unit_cost: Decimal | None):
    """Return the value of `units` found or counted into `stock`.

    They come in at the current unit cost, or at `fallback_unit_cost`
    (the variant's unit cost) when the stock has never had units in.
    """
    unit_cost = current_unit_cost(stock)
    if unit_cost is None:
        unit_cost = fallback_unit_cost
    return value_at_cost(unit_cost, units)
