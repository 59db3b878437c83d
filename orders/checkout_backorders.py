"""Backorders at checkout: which cart lines would wait for stock, and when.

When some units of a cart are not in stock but their stock takes
backorders, the customer chooses how the order ships (see
Order.ShippingPreference). Either what is in stock ships now and the rest
as it arrives, or everything ships together once the last backordered unit
arrives. Shipping is charged once at checkout either way.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from inventory.selectors import Availability, availability_for
from shipping.dates import add_business_days, shop_today
from shop.cart import item_name
from shop.models import CartLine

from .models import Order


class ShippingPreferenceRequired(ValueError):
    """Error raised when units would be backordered and no valid shipping
    preference was chosen."""


@dataclass(frozen=True)
class BackorderedLine:
    """A cart line with units beyond what is available now."""

    name: str
    quantity: int
    quantity_backordered: int
    expected_ship_date: date | None


@dataclass(frozen=True)
class BackorderPlan:
    """Expected ship dates for a cart with backordered units.

    `in_stock_ship_date` is when the units available now ship, or None when
    no unit of the cart is available now. `backorder_ship_date` is the
    latest expected ship date of the backordered units, which is also when
    everything ships together. It is None when no supplier date is known
    for any of them. `today` is the date the plan was made on.
    """

    today: date
    lines: tuple[BackorderedLine, ...]
    in_stock_ship_date: date | None
    backorder_ship_date: date | None


def plan_backorders(
    lines: Sequence[CartLine],
    *,
    availability: dict[int, Availability] | None = None,
    today: date | None = None,
) -> BackorderPlan | None:
    """Describe the backordered units of cart `lines`, or None for none.

    `availability` is availability_for() of the lines' variants, and is
    looked up (one query) when not given. `today` defaults to today in the
    shop's time zone. Units available now ship on `today`, or on the next
    business day when `today` is a weekend.
    """
    if availability is None:
        availability = availability_for(
            (line.variant_id for line in lines), today=today
        )
    backordered = [
        _backordered_line(line, availability[line.variant_id])
        for line in lines
        if availability[line.variant_id].backordered_units(line.quantity)
    ]
    if not backordered:
        return None

    today = today or shop_today()
    in_stock = any(availability[line.variant_id].is_available for line in lines)
    dates = [line.expected_ship_date for line in backordered if line.expected_ship_date]
    return BackorderPlan(
        today=today,
        lines=tuple(backordered),
        in_stock_ship_date=add_business_days(today, 0) if in_stock else None,
        backorder_ship_date=max(dates, default=None),
    )


def _backordered_line(line: CartLine, availability: Availability) -> BackorderedLine:
    return BackorderedLine(
        name=item_name(line.variant),
        quantity=line.quantity,
        quantity_backordered=availability.backordered_units(line.quantity),
        expected_ship_date=availability.expected_ship_date,
    )


def shipping_preference_for(
    lines: Sequence[CartLine], *, availability: dict[int, Availability], chosen: str
) -> str:
    """Return the shipping preference to store on the order for `lines`.

    Raises ShippingPreferenceRequired when units would be backordered and
    `chosen` is not an Order.ShippingPreference value.
    """
    if plan_backorders(lines, availability=availability) is None:
        # Nothing waits for stock, so the order ships at once either way.
        return Order.ShippingPreference.SHIP_AVAILABLE
    if chosen not in Order.ShippingPreference.values:
        raise ShippingPreferenceRequired(
            f"Shipping preference {chosen!r} is not valid. Some items are on "
            "backorder: choose to ship what is in stock now or to ship "
            "everything together."
        )
    return chosen
