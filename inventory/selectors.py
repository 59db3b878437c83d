"""Reads of stock shared by the storefront, the cart and the back office."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.utils.dateformat import format as format_date

from shipping.dates import add_business_days, shop_today

from .models import PurchaseOrder, PurchaseOrderLine, Stock

IN_STOCK = "in_stock"
LOW = "low"
BACKORDER = "backorder"
SOLD_OUT = "sold_out"

# "Friday 18 December": the day name helps customers plan around weekends.
SHIP_DATE_FORMAT = "l j F"


@dataclass(frozen=True)
class Availability:
    """Units a customer can buy now, with the status and label shown for them.

    `status` is one of "in_stock", "low", "backorder" (none available but
    more can be ordered) and "sold_out" (none available and no more will
    be ordered). `label` is the text the storefront prints, such as
    "Only 3 left" or "On backorder: expected to ship around Friday 18
    December". `expected_ship_date` is when units beyond `quantity` are
    expected to ship, or None when the variant is not backorderable.
    """

    quantity: int
    status: str
    label: str
    backorderable: bool = False
    expected_ship_date: date | None = None

    @property
    def is_available(self) -> bool:
        return self.quantity > 0

    @property
    def is_orderable(self) -> bool:
        """Whether a customer may add the variant to a cart."""
        return self.is_available or self.backorderable

    def backordered_units(self, quantity: int) -> int:
        """Count the units of `quantity` that would go on backorder."""
        return max(quantity - self.quantity, 0) if self.backorderable else 0

    def shortfall(self, quantity: int) -> int:
        """Count the units of `quantity` that cannot be sold at all."""
        return 0 if self.backorderable else max(quantity - self.quantity, 0)


def format_ship_date(day: date) -> str:
    """Format a ship date for customers: "Friday 18 December"."""
    return format_date(day, SHIP_DATE_FORMAT)


def availability_from_quantity(
    quantity: int | None,
    *,
    backorderable: bool = False,
    expected_ship_date: date | None = None,
) -> Availability:
    """Describe `quantity` available units for customers.

    A quantity at or below settings.SHOP_LOW_STOCK_THRESHOLD counts as low.
    None (no Stock row) and negative values count as none available. With
    none available, a backorderable variant is on backorder, labelled with
    `expected_ship_date` when one is given, and any other is sold out.
    """
    quantity = max(quantity or 0, 0)
    if quantity == 0 and backorderable:
        label = "On backorder"
        if expected_ship_date is not None:
            label += f": expected to ship around {format_ship_date(expected_ship_date)}"
        return Availability(
            quantity=0,
            status=BACKORDER,
            label=label,
            backorderable=True,
            expected_ship_date=expected_ship_date,
        )
    if quantity == 0:
        return Availability(quantity=0, status=SOLD_OUT, label="Sold out")

    status, label = IN_STOCK, "In stock"
    if quantity <= settings.SHOP_LOW_STOCK_THRESHOLD:
        status, label = LOW, f"Only {quantity} left"
    return Availability(
        quantity=quantity,
        status=status,
        label=label,
        backorderable=backorderable,
        expected_ship_date=expected_ship_date if backorderable else None,
    )


def availability_for(
    variant_ids: Iterable[int], *, today: date | None = None
) -> dict[int, Availability]:
    """Return each variant's availability, keyed by variant id, in one query.

    A variant without a Stock row is sold out. Availability is the quantity
    on hand less what paid orders hold, summed over locations. Carts do not
    reserve stock. Backorderable variants carry their expected ship date
    (see expected_ship_date), counted from `today`, which defaults to
    today in the shop's time zone.
    """
    variant_ids = set(variant_ids)
    if not variant_ids:
        return {}

    today = today or shop_today()
    rows = {row["variant_id"]: row for row in _stock_rows(variant_ids)}
    availability = {}
    for variant_id in variant_ids:
        row = rows.get(variant_id)
        if row is None:
            availability[variant_id] = availability_from_quantity(0)
            continue
        backorderable = row["backorderable_rows"] > 0
        availability[variant_id] = availability_from_quantity(
            row["available"],
            backorderable=backorderable,
            expected_ship_date=_ship_date(row, today) if backorderable else None,
        )
    return availability


def expected_ship_date(*, variant_id: int, today: date | None = None) -> date | None:
    """Estimate when units of a variant not yet in stock will ship.

    The earliest expected date of an open purchase order with units still
    to receive wins. Otherwise the estimate is `today` (default: today in
    the shop's time zone) plus the supplier's lead time in business days,
    or plus settings.SHOP_DEFAULT_LEAD_TIME_DAYS when the stock has no
    supplier. Returns None when the variant is not backorderable or has no
    Stock row, because none will be ordered for customers. Runs one query.
    """
    rows = list(_stock_rows({variant_id}))
    if not rows or rows[0]["backorderable_rows"] == 0:
        return None
    return _ship_date(rows[0], today or shop_today())


def _stock_rows(variant_ids: set[int]):
    """Select one row per stocked variant with what its ship date needs."""
    # Only lines with units still to receive count: a purchase order that
    # brought in everything already for this variant brings no more.
    open_order_date = (
        PurchaseOrderLine.objects.filter(
            variant_id=OuterRef("variant_id"),
            purchase_order__status__in=PurchaseOrder.OPEN_STATUSES,
            purchase_order__expected_date__isnull=False,
            quantity_received__lt=F("quantity_ordered"),
        )
        .order_by("purchase_order__expected_date")
        .values("purchase_order__expected_date")[:1]
    )
    return (
        Stock.objects.filter(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(
            available=Sum(F("quantity_on_hand") - F("quantity_allocated")),
            backorderable_rows=Count("pk", filter=Q(backorderable=True)),
            lead_time_days=Max("supplier__lead_time_days"),
            purchase_order_date=Subquery(open_order_date),
        )
        .order_by()
    )


def _ship_date(row: dict, today: date) -> date:
    # TODO: a purchase order whose units are all promised to earlier
    # backorders still sets the date; count units already promised too.
    purchase_order_date = row["purchase_order_date"]
    if purchase_order_date is not None:
        # A late delivery is still expected any day, and a weekend arrival
        # ships on the Monday.
        earliest = add_business_days(today, 1)
        return max(add_business_days(purchase_order_date, 0), earliest)

    lead_time_days = row["lead_time_days"]
    if lead_time_days is None:
        lead_time_days = settings.SHOP_DEFAULT_LEAD_TIME_DAYS
    return add_business_days(today, lead_time_days)


def bin_locations(variant_ids: Iterable[int]) -> dict[int, str]:
    """Return the bin of each variant at the default location, by variant id.

    Variants without a Stock row there or without a bin are left out. Runs
    one query.
    """
    rows = Stock.objects.filter(
        variant_id__in=set(variant_ids), location__is_default=True
    ).exclude(bin_location="")
    return dict(rows.values_list("variant_id", "bin_location"))
