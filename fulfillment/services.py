"""State changes of shipments: planned from allocations, packed, shipped.

A shipment carries units allocated to its order's lines. A line's units
are in at most one open shipment (READY, PACKED or LABELLED); shipping
takes them out of stock through inventory.allocation.ship_lines, so
shipped units leave the line's allocated count. Statuses change only
here, along ALLOWED_TRANSITIONS.

Locks follow inventory.allocation's order: the Order row first, then the
Shipment rows, then (inside ship_lines) Stock and OrderLine rows.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from inventory.allocation import (
    SHIPPABLE_STATUSES,
    cancel_unshipped_units,
    ship_lines,
)
from orders.models import Order, OrderLine
from shop import webhook_events
from shop.queueing import enqueue_on_commit

from . import tasks
from .models import Shipment, ShipmentLine

logger = logging.getLogger(__name__)

Status = Shipment.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.READY: frozenset(
        {Status.PACKED, Status.LABELLED, Status.SHIPPED, Status.CANCELLED}
    ),
    Status.PACKED: frozenset(
        {Status.READY, Status.LABELLED, Status.SHIPPED, Status.CANCELLED}
    ),
    Status.LABELLED: frozenset({Status.SHIPPED}),
    Status.SHIPPED: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Shipments whose units are still on the shelf, promised to the parcel.
OPEN_STATUSES = frozenset({Status.READY, Status.PACKED, Status.LABELLED})

# Shipments whose contents staff may still change by splitting or merging.
EDITABLE_STATUSES = frozenset({Status.READY, Status.PACKED})

# The time field each status sets when a shipment reaches it.
STATUS_TIMES: dict[str, str] = {
    Status.PACKED: "packed_at",
    Status.LABELLED: "labelled_at",
    Status.SHIPPED: "shipped_at",
    Status.DELIVERED: "delivered_at",
    Status.CANCELLED: "cancelled_at",
}


class ShipmentError(ValueError):
    """A request to change a shipment is invalid; nothing was changed."""


def plan_shipments(*, order: Order) -> list[Shipment]:
    """Put an order's allocated units that are in no open shipment into one.

    A "ship what is in stock" order gets a shipment of whatever is
    allocated now, so each receipt that fills a backorder adds another.
    A "ship together" order gets nothing until no line has units
    backordered or oversold. Call inside the transaction that allocated
    the units (record_payment, a purchase receipt). Idempotent: planned
    units are not planned again. Queues each new shipment's packing slip
    for after commit. Returns the new shipments (none or one).
    """
    if order.status not in SHIPPABLE_STATUSES:
        return []
    lines = list(order.lines.all())
    waiting = any(line.quantity_backordered or line.quantity_oversold for line in lines)
    if order.shipping_preference == Order.ShippingPreference.SHIP_TOGETHER and waiting:
        return []
    unplanned = _unplanned_units(lines)
    if not unplanned:
        return []

    shipment = Shipment.objects.create(order=order, number=_next_shipment_number(order))
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=units)
        for line_id, units in unplanned.items()
    )

    enqueue_on_commit(tasks.render_packing_slip, shipment.pk)
    logger.info(
        "Shipment planned",
        extra={"shipment_id": shipment.pk, "order_number": order.number},
    )
    return [shipment]


def plan_shipments_for_lines(lines: Iterable[OrderLine]) -> list[Shipment]:
    """Plan shipments for the orders of lines that just got allocations.

    For a purchase receipt or a release whose units went to waiting
    backorders. Each order is planned once, in order-id order.
    """
    order_ids = sorted({line.order_id for line in lines})
    shipments: list[Shipment] = []
    for order in Order.objects.filter(pk__in=order_ids).order_by("pk"):
        shipments += plan_shipments(order=order)
    return shipments


def mark_packed(*, shipment: Shipment, user: User | None) -> Shipment:
    """Record that a shipment is boxed and waiting for its label or carrier.

    A label may be printed before packing: a LABELLED shipment not packed
    yet gets packed_at and stays LABELLED, because its label is still the
    one to ship with. Raises ShipmentError, changing nothing, for a
    shipment already packed, shipped or cancelled.
    """
    with transaction.atomic():
        shipment = _lock(shipment)
        if shipment.status == Status.LABELLED:
            _pack_labelled(shipment)
        else:
            _transition(shipment, Status.PACKED)
        shipment.save(update_fields=["status", "packed_at"])

    _log("Shipment packed", shipment, user)
    return shipment


def mark_labelled(*, shipment: Shipment) -> Shipment:
    """Record that a label was bought; the label fields are saved by labels."""
    with transaction.atomic():
        shipment = _lock(shipment)
        _transition(shipment, Status.LABELLED)
        shipment.save(update_fields=["status", "labelled_at"])

    _log("Shipment labelled", shipment, None)
    return shipment


def mark_shipped(
    *,
    shipment: Shipment,
    carrier: str,
    service_code: str,
    service_name: str,
    tracking_number: str,
    user: User | None,
) -> Shipment:
    """Hand a shipment to its carrier: take its units out of stock.

    Blank carrier or service values keep those a bought label stored. The
    shipment's lines ship through inventory.allocation.ship_lines (SHIPMENT
    movements posting cost of goods sold), which sets the order PARTLY_
    SHIPPED or SHIPPED. Queues the tracking email for after commit. Raises
    ShipmentError, changing nothing, for a shipment that cannot ship or a
    missing tracking number; ship_lines' AllocationError passes through.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=shipment.order_id)
        shipment = _lock(shipment)
        _transition(shipment, Status.SHIPPED)
        _set_carrier(shipment, carrier, service_code, service_name, tracking_number)
        lines = shipment.lines.all()
        quantities = {line.order_line_id: line.quantity for line in lines}
        ship_lines(order=order, quantities=quantities, user=user)
        shipment.save()
        webhook_events.order_shipped(shipment)
        enqueue_on_commit(tasks.send_tracking_email, shipment.pk)

    _log("Shipment shipped", shipment, user)
    return shipment


def mark_delivered(*, shipment: Shipment, delivered_at=None) -> Shipment:
    """Record a delivery; the order is DELIVERED once every parcel arrived.

    `delivered_at` is the carrier's time of delivery, now when omitted.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=shipment.order_id)
        shipment = _lock(shipment)
        _transition(shipment, Status.DELIVERED, at=delivered_at)
        shipment.save(update_fields=["status", "delivered_at"])
        statuses = set(
            Shipment.objects.filter(order=order).values_list("status", flat=True)
        )
        if order.status == Order.Status.SHIPPED and statuses <= {
            Status.DELIVERED,
            Status.CANCELLED,
        }:
            order.status = Order.Status.DELIVERED
            order.save(update_fields=["status", "updated_at"])

    _log("Shipment delivered", shipment, None)
    return shipment


def split_shipment(
    *, shipment: Shipment, quantities: Mapping[int, int], user: User | None
) -> Shipment:
    """Move some of a shipment's units into a new shipment of the order.

    `quantities` maps order line id to units moved. Both shipments go back
    to READY, to be packed again, and their packing slips are rendered
    again after commit. Raises ShipmentError, changing nothing, for a
    shipment already labelled or shipped, a line not in it, more units
    than it carries, or a split that moves none or all of its units.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=shipment.order_id)
        shipment = _lock_editable(shipment)
        lines = {line.order_line_id: line for line in shipment.lines.all()}
        moves = _checked_moves(shipment, lines, quantities)
        new_shipment = Shipment.objects.create(
            order=order, number=_next_shipment_number(order)
        )
        for order_line_id, units in moves.items():
            _move_units(lines[order_line_id], units, new_shipment)
        _reopen(shipment)

    for affected in (shipment, new_shipment):
        enqueue_on_commit(tasks.render_packing_slip, affected.pk)
    _log("Shipment split", new_shipment, user)
    return new_shipment


def merge_shipments(*, shipments: Iterable[Shipment], user: User | None) -> Shipment:
    """Put the units of several shipments of one order into the oldest one.

    The others are cancelled, keeping their numbers. The merged shipment
    goes back to READY and its packing slip is rendered again after
    commit. Raises ShipmentError, changing nothing, for fewer than two
    shipments, shipments of different orders, or one already labelled or
    shipped.
    """
    shipment_ids = sorted({shipment.pk for shipment in shipments})
    if len(shipment_ids) < 2:
        raise ShipmentError("Select two or more shipments of one order to merge.")
    with transaction.atomic():
        locked = _lock_for_merge(shipment_ids)
        target, others = locked[0], locked[1:]
        lines = {line.order_line_id: line for line in target.lines.all()}
        for other in others:
            for line in other.lines.all():
                _merge_line(line, lines, target)
            _transition(other, Status.CANCELLED)
            other.save(update_fields=["status", "cancelled_at"])
        _reopen(target)

    enqueue_on_commit(tasks.render_packing_slip, target.pk)
    _log("Shipments merged", target, user)
    return target


def cancel_rest_of_order(*, order: Order, reason: str, user: User | None) -> int:
    """Drop what a partly shipped order has not shipped, releasing its stock.

    Open shipments are cancelled; each line's unshipped units leave the
    order (allocated units are released and go to waiting backorders of
    other orders, which get shipments planned). The order becomes
    SHIPPED. Refunding the customer is separate. Returns the units
    dropped. Raises ShipmentError, changing nothing, for an order that is
    not partly shipped, a labelled shipment or a blank reason.
    """
    if not reason.strip():
        raise ShipmentError(f"Give a reason for cancelling the rest of {order}.")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        open_shipments = _cancellable_shipments(order)
        for shipment in open_shipments:
            _transition(shipment, Status.CANCELLED)
            shipment.save(update_fields=["status", "cancelled_at"])
        dropped = _drop_unshipped_units(order, reason.strip(), user)
        order.status = Order.Status.SHIPPED
        order.save(update_fields=["status", "updated_at"])

    logger.info(
        "Rest of order cancelled",
        extra={
            "order_number": order.number,
            "units": dropped,
            "user_id": user.pk if user else None,
        },
    )
    return dropped


def _unplanned_units(lines: list[OrderLine]) -> dict[int, int]:
    planned = Counter[int]()
    for line_id, units in ShipmentLine.objects.filter(
        order_line__in=lines, shipment__status__in=OPEN_STATUSES
    ).values_list("order_line_id", "quantity"):
        planned[line_id] += units
    unplanned = {line.pk: line.quantity_allocated - planned[line.pk] for line in lines}
    return {line_id: units for line_id, units in unplanned.items() if units > 0}


def _next_shipment_number(order: Order) -> str:
    # NOTE: two transactions planning the same order at once would pick the
    # same number; the unique constraint on number then rolls one back
    # rather than planning its units twice.
    return Shipment.new_number(order, Shipment.objects.filter(order=order).count() + 1)


def _lock(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().get(pk=shipment.pk)


def _lock_editable(shipment: Shipment) -> Shipment:
    shipment = _lock(shipment)
    if shipment.status not in EDITABLE_STATUSES:
        raise ShipmentError(
            f"Shipment {shipment.number} is {shipment.get_status_display().lower()}"
            ", so its contents cannot change; only a ready or packed shipment can."
        )
    return shipment


def _lock_for_merge(shipment_ids: list[int]) -> list[Shipment]:
    order_ids = set(
        Shipment.objects.filter(pk__in=shipment_ids).values_list("order_id", flat=True)
    )
    if len(order_ids) != 1:
        raise ShipmentError(
            "The selected shipments belong to different orders; merge only "
            "shipments of one order."
        )
    Order.objects.select_for_update().get(pk=order_ids.pop())
    return [_lock_editable(Shipment(pk=pk)) for pk in shipment_ids]


def _checked_moves(
    shipment: Shipment, lines: Mapping[int, ShipmentLine], quantities: Mapping[int, int]
) -> dict[int, int]:
    for order_line_id, units in quantities.items():
        if order_line_id not in lines:
            raise ShipmentError(
                f"Order line {order_line_id} is not in shipment {shipment.number}."
            )
        line = lines[order_line_id]
        if not 0 <= units <= line.quantity:
            raise ShipmentError(
                f"{line.order_line.sku}: {units} units is invalid; shipment "
                f"{shipment.number} carries {line.quantity}, so enter 0 to "
                f"{line.quantity}."
            )
    moves = {pk: units for pk, units in quantities.items() if units}
    if not moves or moves == {pk: line.quantity for pk, line in lines.items()}:
        raise ShipmentError(
            f"Move at least one unit of shipment {shipment.number} and leave at "
            "least one unit in it."
        )
    return moves


def _move_units(line: ShipmentLine, units: int, target: Shipment) -> None:
    ShipmentLine.objects.create(
        shipment=target, order_line_id=line.order_line_id, quantity=units
    )
    line.quantity -= units
    if line.quantity:
        line.save(update_fields=["quantity"])
    else:
        line.delete()


def _merge_line(
    line: ShipmentLine, target_lines: dict[int, ShipmentLine], target: Shipment
) -> None:
    existing = target_lines.get(line.order_line_id)
    if existing is None:
        line.shipment = target
        line.save(update_fields=["shipment"])
        target_lines[line.order_line_id] = line
        return
    existing.quantity += line.quantity
    existing.save(update_fields=["quantity"])
    line.delete()


def _reopen(shipment: Shipment) -> None:
    # Changed contents mean a new box, weight and packing slip.
    shipment.status = Status.READY
    shipment.packed_at = None
    shipment.save(update_fields=["status", "packed_at"])


def _cancellable_shipments(order: Order) -> list[Shipment]:
    if order.status != Order.Status.PARTLY_SHIPPED:
        raise ShipmentError(
            f"Order {order.number} is {order.get_status_display().lower()}; only "
            "a partly shipped order can have the rest cancelled."
        )
    shipments = list(
        Shipment.objects.select_for_update().filter(
            order=order, status__in=OPEN_STATUSES
        )
    )
    labelled = [s.number for s in shipments if s.status == Status.LABELLED]
    if labelled:
        raise ShipmentError(
            f"Shipment {', '.join(labelled)} has a label; void the label or "
            "ship the parcel before cancelling the rest of the order."
        )
    return shipments


def _drop_unshipped_units(order: Order, reason: str, user: User | None) -> int:
    dropped = 0
    variant_ids = set()
    for line in order.lines.order_by("variant_id", "pk"):
        unshipped = line.quantity - line.quantity_shipped
        if unshipped > 0:
            dropped += cancel_unshipped_units(
                line=line, quantity=unshipped, reason=reason, user=user
            )
            variant_ids.add(line.variant_id)
    # Released units went to other orders' backorders: plan those parcels.
    served = OrderLine.objects.filter(
        variant_id__in=variant_ids,
        quantity_allocated__gt=0,
        order__status__in=SHIPPABLE_STATUSES,
    ).exclude(order=order)
    plan_shipments_for_lines(served)
    return dropped


def _pack_labelled(shipment: Shipment) -> None:
    if shipment.packed_at is not None:
        packed = timezone.localtime(shipment.packed_at)
        raise ShipmentError(
            f"Shipment {shipment.number} is labelled and was packed at "
            f"{packed:%Y-%m-%d %H:%M}, so there is nothing left to pack; ship it."
        )
    shipment.packed_at = timezone.now()


def _transition(shipment: Shipment, status: str, *, at=None) -> None:
    if status not in ALLOWED_TRANSITIONS[shipment.status]:
        raise ShipmentError(
            f"Shipment {shipment.number} is {shipment.get_status_display().lower()}"
            f", so it cannot become {Status(status).label.lower()}."
        )
    shipment.status = status
    if status in STATUS_TIMES:
        setattr(shipment, STATUS_TIMES[status], at or timezone.now())


def _set_carrier(
    shipment: Shipment,
    carrier: str,
    service_code: str,
    service_name: str,
    tracking_number: str,
) -> None:
    values = {
        "carrier": carrier.strip(),
        "service_code": service_code.strip(),
        "service_name": service_name.strip(),
        "tracking_number": tracking_number.strip().replace(" ", ""),
    }
    for field, value in values.items():
        if value:
            setattr(shipment, field, value)
    if not shipment.tracking_number:
        raise ShipmentError(
            f"Shipment {shipment.number} has no tracking number; enter the one "
            "on its label."
        )


def _log(message: str, shipment: Shipment, user: User | None) -> None:
    logger.info(
        message,
        extra={
            "shipment_id": shipment.pk,
            "shipment_number": shipment.number,
            "user_id": user.pk if user else None,
        },
    )
