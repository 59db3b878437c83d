"""Allocation: stock on the shelf promised to paid order lines.

A paid line's units are in one of four places: allocated (on the shelf,
promised to it), backordered (waiting for stock to arrive), shipped, or
oversold. Oversold units found the stock sold out at payment, and the
stock is not backorderable, so staff refund or backorder them.

Every change of an allocation is a stock movement whose
`quantity_allocated_change` is the units promised (positive, ALLOCATION)
or taken back (negative, RELEASE and SHIPMENT). Movements refer
to the order by its number in `reference`, so a line's allocated quantity
equals the sum of its order's movements for its variant.

Locks are always taken in this order: the Order row, then Stock rows in
variant-id order, then OrderLine rows. allocate_backorders, called while
receiving stock, starts at the Stock rows and never locks an Order, so it
cannot deadlock against a payment or a shipment.
"""

import logging
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderLine
from orders.tasks import send_oversold_email
from shop.queueing import enqueue_on_commit

from . import valuation
from .models import Stock, StockMovement
from .services import lock_stocks, move_stock

logger = logging.getLogger(__name__)

ALLOCATION_REASON = "Allocated to a paid order"
BACKORDER_ALLOCATION_REASON = "Allocated to a backorder"
SHIPMENT_REASON = "Shipped"

# Orders whose allocated units may ship.
SHIPPABLE_STATUSES = {Order.Status.PAID, Order.Status.PARTLY_SHIPPED}

# Orders whose backordered lines may take stock as it arrives.
WAITING_STATUSES = SHIPPABLE_STATUSES


class AllocationError(ValueError):
    """A request on allocated, backordered or oversold units is invalid."""


def allocate_order(*, order: Order) -> None:
    """Allocate stock to a paid order's lines, backordering what is short.

    Call inside the transaction that marks the order paid, holding the
    order's row lock. Locks the lines' Stock rows in variant-id order. Each
    line takes what is available (ALLOCATION movements). The rest goes on
    backorder when its stock is backorderable. Otherwise it is marked
    oversold, and the oversold email is queued for after commit.
    Idempotent per order: lines already allocated, backordered, shipped or
    oversold are skipped, and record_payment calls it once, when the order
    becomes paid.
    """
    lines = [line for line in order.lines.all() if _is_unplaced(line)]
    if not lines:
        return
    stocks = lock_stocks(_variant_id(line) for line in lines)

    now = timezone.now()
    oversold = False
    for line in sorted(lines, key=lambda line: (_variant_id(line), line.pk)):
        stock = stocks[_variant_id(line)]
        units = min(line.quantity, stock.quantity_available)
        _allocate(stock, line, units, reference=str(order.number))
        shortfall = line.quantity - units
        if shortfall and stock.backorderable:
            line.quantity_backordered = shortfall
            line.backordered_at = now
        elif shortfall:
            line.quantity_oversold = shortfall
            oversold = True
        line.save(update_fields=_LINE_QUANTITIES)

    if oversold:
        _queue_oversold_email(order)
    logger.info(
        "Order allocated",
        extra={"order_id": order.pk, "order_number": order.number},
    )


def allocate_backorders(
    *, variant_id: int, user: User | None = None
) -> list[OrderLine]:
    """Give a variant's available units to lines waiting for it.

    The oldest backorder (by backordered_at) is served first, and a line
    may be filled in part. Call inside the transaction that brought the
    units in (a receipt, a release): locks the variant's Stock row, then
    the waiting lines. Returns the lines that got units, oldest first.
    """
    stock = lock_stocks([variant_id])[variant_id]
    if stock.quantity_available <= 0:
        return []
    waiting = (
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(
            variant_id=variant_id,
            quantity_backordered__gt=0,
            order__status__in=WAITING_STATUSES,
        )
        .order_by("backordered_at", "pk")
    )

    served = []
    for line in waiting:
        units = min(line.quantity_backordered, stock.quantity_available)
        if units <= 0:
            break
        _allocate(
            stock,
            line,
            units,
            reference=str(line.order.number),
            reason=BACKORDER_ALLOCATION_REASON,
            user=user,
        )
        line.quantity_backordered -= units
        if not line.quantity_backordered:
            line.backordered_at = None
        line.save(update_fields=_LINE_QUANTITIES)
        served.append(line)

    logger.info(
        "Backorders allocated",
        extra={
            "variant_id": variant_id,
            "order_line_ids": [line.pk for line in served],
        },
    )
    return served


def release_allocation(
    *, line: OrderLine, quantity: int, reason: str, user: User | None
) -> StockMovement:
    """Take back units allocated to a line, leaving them on the shelf.

    For a cancelled or refunded line: the units leave the line's allocated
    count and become available, then go to the oldest backorders of the
    variant (allocate_backorders). Locks the order, the Stock row and the
    line. Raises AllocationError for fewer than 1 unit, more than the line
    has allocated or a blank reason.
    """
    if not reason.strip():
        raise AllocationError(f"Give a reason for releasing the {line.sku} units.")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=line.order_id)
        variant_id = _variant_id(line)
        stock = lock_stocks([variant_id])[variant_id]
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        if not 1 <= quantity <= line.quantity_allocated:
            raise AllocationError(
                f"{line.sku} on order {order.number} has {line.quantity_allocated} "
                f"allocated, so {quantity} cannot be released; enter 1 to "
                f"{line.quantity_allocated}."
            )
        movement = move_stock(
            stock,
            kind=StockMovement.Kind.RELEASE,
            quantity_allocated_change=-quantity,
            reason=reason.strip(),
            user=user,
            reference=str(order.number),
        )
        line.quantity_allocated -= quantity
        line.save(update_fields=["quantity_allocated"])
        allocate_backorders(variant_id=variant_id, user=user)

    logger.info(
        "Allocation released",
        extra={"order_line_id": line.pk, "quantity": quantity},
    )
    return movement


def ship_lines(
    *, order: Order, quantities: Mapping[int, int] | None, user: User | None
) -> list[StockMovement]:
    """Take shipped units off the shelf and out of their allocation.

    `quantities` maps order line id to units shipped; None ships every
    allocated unit of the order. Each line gets a SHIPMENT movement: on
    hand and allocated both go down, and the value leaves at the current
    unit cost, posting cost of goods sold. The order becomes SHIPPED when
    no line has units allocated, backordered or oversold left, else
    PARTLY_SHIPPED. Locks the order, its Stock rows and its lines. Raises
    AllocationError, changing nothing, for an order that cannot ship,
    nothing to ship, or more units than a line has allocated.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        lines = {line.pk: line for line in order.lines.all()}
        to_ship = _units_to_ship(order, lines, quantities)
        stocks = lock_stocks(_variant_id(lines[pk]) for pk in to_ship)
        locked = OrderLine.objects.select_for_update().filter(pk__in=to_ship)
        lines.update({line.pk: line for line in locked})
        _check_allocated(order, lines, to_ship)

        movements = [
            _ship(stocks[_variant_id(lines[pk])], lines[pk], units, order, user)
            for pk, units in sorted(
                to_ship.items(), key=lambda item: (_variant_id(lines[item[0]]), item[0])
            )
        ]
        order.status = _shipping_status(lines.values())
        order.save(update_fields=["status", "updated_at"])

    logger.info(
        "Order shipped",
        extra={
            "order_id": order.pk,
            "order_number": order.number,
            "status": order.status,
        },
    )
    return movements


def backorder_oversold_line(*, line: OrderLine, user: User | None) -> OrderLine:
    """Put a line's oversold units on backorder at the staff's request.

    For a customer who will wait. Units available now are allocated at
    once; the rest wait like any backorder, dated now. Locks the order,
    the Stock row and the line. Raises AllocationError when the line has
    no oversold units.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=line.order_id)
        variant_id = _variant_id(line)
        stock = lock_stocks([variant_id])[variant_id]
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        _check_oversold(order, line)

        units = min(line.quantity_oversold, stock.quantity_available)
        _allocate(stock, line, units, reference=str(order.number), user=user)
        line.quantity_backordered += line.quantity_oversold - units
        if line.quantity_backordered and line.backordered_at is None:
            line.backordered_at = timezone.now()
        line.quantity_oversold = 0
        line.save(update_fields=_LINE_QUANTITIES)

    logger.info(
        "Oversold units backordered",
        extra={"order_line_id": line.pk, "order_number": order.number},
    )
    return line


def cancel_oversold_line(*, line: OrderLine, user: User | None) -> OrderLine:
    """Drop a line's oversold units from what the order still has to ship.

    Refunding the customer is separate (the refund form on the order's
    admin page). When nothing else is left to ship, an order already
    partly shipped becomes SHIPPED. Raises AllocationError when the line
    has no oversold units.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=line.order_id)
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        _check_oversold(order, line)
        cancelled = line.quantity_oversold
        line.quantity_oversold = 0
        line.save(update_fields=["quantity_oversold"])
        if order.status == Order.Status.PARTLY_SHIPPED:
            order.status = _shipping_status(order.lines.all())
            order.save(update_fields=["status", "updated_at"])

    logger.info(
        "Oversold units cancelled",
        extra={
            "order_line_id": line.pk,
            "order_number": order.number,
            "quantity": cancelled,
            "user_id": user.pk if user else None,
        },
    )
    return line


def cancel_unshipped_units(
    *, line: OrderLine, quantity: int, reason: str, user: User | None
) -> int:
    """Take up to `quantity` refunded units off a line before they ship.

    Oversold units go first, then backordered ones, then allocated ones,
    which are released (a RELEASE movement) and given to waiting
    backorders. Call inside the refund's transaction, holding the order's
    lock: locks the Stock row and the line. Returns the units taken off,
    so the caller puts only the rest, units that shipped, back in stock.
    A line whose variant is gone keeps its units and returns 0.
    """
    if line.variant_id is None or quantity <= 0:
        return 0
    with transaction.atomic():
        stock = lock_stocks([line.variant_id])[line.variant_id]
        line = (
            OrderLine.objects.select_related("order")
            .select_for_update(of=("self",))
            .get(pk=line.pk)
        )
        oversold = min(quantity, line.quantity_oversold)
        backordered = min(quantity - oversold, line.quantity_backordered)
        released = min(quantity - oversold - backordered, line.quantity_allocated)
        if released:
            move_stock(
                stock,
                kind=StockMovement.Kind.RELEASE,
                quantity_allocated_change=-released,
                reason=reason,
                user=user,
                reference=str(line.order.number),
            )
        line.quantity_oversold -= oversold
        line.quantity_backordered -= backordered
        line.quantity_allocated -= released
        if not line.quantity_backordered:
            line.backordered_at = None
        line.save(update_fields=_LINE_QUANTITIES)
        if released:
            allocate_backorders(variant_id=line.variant_id, user=user)

    return oversold + backordered + released


_LINE_QUANTITIES = [
    "quantity_allocated",
    "quantity_backordered",
    "quantity_oversold",
    "backordered_at",
]


def _variant_id(line: OrderLine) -> int:
    if line.variant_id is None:
        raise AllocationError(
            f"{line.sku} is no longer in the catalog, so its stock cannot "
            "change; settle the line by hand."
        )
    return line.variant_id


def _is_unplaced(line: OrderLine) -> bool:
    placed = (
        line.quantity_allocated
        + line.quantity_backordered
        + line.quantity_shipped
        + line.quantity_oversold
    )
    if line.variant_id is None:
        logger.warning(
            "Paid line has no variant to allocate", extra={"order_line_id": line.pk}
        )
        return False
    return placed == 0


def _allocate(
    stock: Stock,
    line: OrderLine,
    units: int,
    *,
    reference: str,
    reason: str = ALLOCATION_REASON,
    user: User | None = None,
) -> None:
    if units <= 0:
        return
    move_stock(
        stock,
        kind=StockMovement.Kind.ALLOCATION,
        quantity_allocated_change=units,
        reason=reason,
        reference=reference,
        user=user,
    )
    line.quantity_allocated += units


def _units_to_ship(
    order: Order, lines: Mapping[int, OrderLine], quantities: Mapping[int, int] | None
) -> dict[int, int]:
    if order.status not in SHIPPABLE_STATUSES:
        raise AllocationError(
            f"Order {order.number} is {order.get_status_display().lower()}; only "
            "a paid or partly shipped order can ship."
        )
    if quantities is None:
        quantities = {pk: line.quantity_allocated for pk, line in lines.items()}
    for pk, units in quantities.items():
        if pk not in lines:
            raise AllocationError(f"Order line {pk} is not on order {order.number}.")
        if units < 0:
            raise AllocationError(
                f"{lines[pk].sku}: {units} units is invalid; enter 0 or more."
            )
    to_ship = {pk: units for pk, units in quantities.items() if units}
    if not to_ship:
        raise AllocationError(
            f"Order {order.number} has no allocated units to ship; receive "
            "stock for its backorders first."
        )
    return to_ship


def _check_allocated(
    order: Order, lines: Mapping[int, OrderLine], to_ship: Mapping[int, int]
) -> None:
    for pk, units in to_ship.items():
        line = lines[pk]
        if units > line.quantity_allocated:
            raise AllocationError(
                f"{line.sku} on order {order.number} has {line.quantity_allocated} "
                f"allocated, so {units} cannot ship; enter "
                f"{line.quantity_allocated} or fewer."
            )


def _ship(
    stock: Stock, line: OrderLine, units: int, order: Order, user: User | None
) -> StockMovement:
    movement = move_stock(
        stock,
        kind=StockMovement.Kind.SHIPMENT,
        quantity=-units,
        quantity_allocated_change=-units,
        value_amount=-valuation.value_out(stock, units),
        reason=SHIPMENT_REASON,
        reference=str(order.number),
        user=user,
    )
    line.quantity_allocated -= units
    line.quantity_shipped += units
    line.save(update_fields=["quantity_allocated", "quantity_shipped"])
    return movement


def _shipping_status(lines: Iterable[OrderLine]) -> str:
    outstanding = sum(
        line.quantity_allocated + line.quantity_backordered + line.quantity_oversold
        for line in lines
    )
    return Order.Status.PARTLY_SHIPPED if outstanding else Order.Status.SHIPPED


def _check_oversold(order: Order, line: OrderLine) -> None:
    if not line.quantity_oversold:
        raise AllocationError(
            f"{line.sku} on order {order.number} has no oversold units; "
            "nothing to change."
        )


def _queue_oversold_email(order: Order) -> None:
    enqueue_on_commit(send_oversold_email, order.pk)
