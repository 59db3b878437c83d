"""Purchase orders: drafting, sending to the supplier, receiving, cancelling.

A purchase order's status changes only here, and only along
ALLOWED_TRANSITIONS: draft -> sent -> partly received -> received, and
draft or sent -> cancelled. Lines can change only while the order is a
draft. Receiving takes the goods into stock at each line's unit cost and,
in the same transaction, gives them to the customers waiting on backorder,
oldest first.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from fulfillment.services import plan_shipments_for_lines
from orders.models import OrderLine
from shipping.dates import add_business_days, shop_today
from shop.queueing import enqueue_on_commit
from shop.sequences import next_number

from . import services
from .allocation import allocate_backorders
from .models import PurchaseOrder, PurchaseOrderLine, StockMovement, Supplier
from .purchasing_tasks import send_purchase_order_email
from .reorder import ReorderSuggestion, reorder_suggestions

__all__ = [
    "ALLOWED_TRANSITIONS",
    "PurchaseOrderError",
    "PurchaseOrderReceipt",
    "ReorderSuggestion",
    "cancel_purchase_order",
    "check_lines_editable",
    "create_draft_purchase_orders",
    "create_purchase_order",
    "receive_purchase_order",
    "reorder_suggestions",
    "send_purchase_order",
]

logger = logging.getLogger(__name__)

Status = PurchaseOrder.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SENT, Status.CANCELLED}),
    Status.SENT: frozenset({Status.PARTLY_RECEIVED, Status.RECEIVED, Status.CANCELLED}),
    Status.PARTLY_RECEIVED: frozenset({Status.PARTLY_RECEIVED, Status.RECEIVED}),
    Status.RECEIVED: frozenset(),
    Status.CANCELLED: frozenset(),
}


class PurchaseOrderError(ValueError):
    """A purchase order change that is not allowed; nothing was written."""


@dataclass(frozen=True)
class PurchaseOrderReceipt:
    """One delivery received: its receipts and the backorder lines filled."""

    movements: list[StockMovement]
    allocated_lines: list[OrderLine]


def create_purchase_order(
    *,
    supplier: Supplier,
    user: User | None,
    expected_date: date | None = None,
    notes: str = "",
) -> PurchaseOrder:
    """Create a draft purchase order, numbered from its own sequence.

    Without an expected date, the goods are expected the supplier's lead
    time in business days from today in the shop's time zone.
    """
    if expected_date is None:
        expected_date = add_business_days(shop_today(), supplier.lead_time_days)
    with transaction.atomic():
        purchase_order = PurchaseOrder.objects.create(
            number=next_number("purchase_order"),
            supplier=supplier,
            expected_date=expected_date,
            notes=notes,
            created_by=user,
        )
    logger.info(
        "Purchase order drafted",
        extra={"purchase_order_id": purchase_order.pk, "number": purchase_order.number},
    )
    return purchase_order


def create_draft_purchase_orders(
    *, suggestions: Iterable[ReorderSuggestion], user: User | None
) -> list[PurchaseOrder]:
    """Create one draft purchase order per supplier for the suggestions given.

    Each line orders the suggested quantity at the variant's unit cost
    ($0.00 when unknown, for staff to correct while the order is a
    draft). Suggestions without a supplier, or suggesting 0 units, are
    skipped. Returns the orders in supplier-name order, in one
    transaction.
    """
    by_supplier: dict[int, list[ReorderSuggestion]] = defaultdict(list)
    for suggestion in suggestions:
        if suggestion.supplier_id is not None and suggestion.suggested_quantity > 0:
            by_supplier[suggestion.supplier_id].append(suggestion)

    suppliers = Supplier.objects.filter(pk__in=by_supplier).order_by("name")
    with transaction.atomic():
        purchase_orders = [
            _draft_for_supplier(supplier, by_supplier[supplier.pk], user)
            for supplier in suppliers
        ]
    return purchase_orders


def check_lines_editable(purchase_order: PurchaseOrder) -> None:
    """Raise PurchaseOrderError unless the order's lines may still change."""
    if purchase_order.status != Status.DRAFT:
        raise PurchaseOrderError(
            f"PO {purchase_order.number} is "
            f"{purchase_order.get_status_display().lower()}, so its lines can "
            "no longer change; cancel it and draft a new purchase order instead."
        )


def send_purchase_order(*, purchase_order: PurchaseOrder, user: User | None) -> None:
    """Mark a draft purchase order sent and email it to the supplier as a PDF.

    The email goes out from a Celery task queued when the transaction
    commits. Raises PurchaseOrderError, with nothing changed, when the
    order is not a draft, has no lines, or its supplier has no email
    address.
    """
    with transaction.atomic():
        locked = _lock(purchase_order)
        _check_transition(locked, Status.SENT)
        supplier = locked.supplier
        if not supplier.email:
            raise PurchaseOrderError(
                f"{supplier} has no email address, so PO {locked.number} cannot "
                "be emailed; add the address on the supplier's page and send "
                "it again."
            )
        if not locked.lines.exists():
            raise PurchaseOrderError(
                f"PO {locked.number} has no lines; add what to order, then send it."
            )
        locked.status = Status.SENT
        locked.sent_at = timezone.now()
        locked.save(update_fields=["status", "sent_at"])

        enqueue_on_commit(send_purchase_order_email, locked.pk)

    _refresh(purchase_order, locked)
    logger.info(
        "Purchase order sent",
        extra={"purchase_order_id": locked.pk, "number": locked.number},
    )


def cancel_purchase_order(*, purchase_order: PurchaseOrder, user: User | None):
    """Cancel a draft or sent purchase order that has received nothing.

    Raises PurchaseOrderError, with nothing changed, for an order already
    (partly) received or cancelled.
    """
    with transaction.atomic():
        locked = _lock(purchase_order)
        if locked.lines.filter(quantity_received__gt=0).exists():
            raise PurchaseOrderError(
                f"PO {locked.number} has goods received against it, so it cannot "
                "be cancelled; receive the rest or ask the supplier to close it."
            )
        _check_transition(locked, Status.CANCELLED)
        locked.status = Status.CANCELLED
        locked.save(update_fields=["status"])

    _refresh(purchase_order, locked)
    logger.info(
        "Purchase order cancelled",
        extra={"purchase_order_id": locked.pk, "number": locked.number},
    )


def receive_purchase_order(
    *,
    purchase_order: PurchaseOrder,
    quantities: Mapping[int, int],
    user: User | None,
) -> PurchaseOrderReceipt:
    """Take delivered units into stock and give them to waiting backorders.

    `quantities` maps purchase order line id to units delivered now; 0 or
    a missing line means none. Each line received writes a RECEIPT at the
    line's unit cost, linked to the line, which posts Dr inventory and Cr
    goods received not billed. Then the units go to the order lines
    waiting for each variant, oldest backorder first. All in one
    transaction, locking the purchase order, its lines and the Stock rows
    in variant-id order. Raises PurchaseOrderError, with nothing received,
    for an order that is not sent or partly received, a line not on the
    order, a negative quantity, nothing to receive, or more units than a
    line still has outstanding.
    """
    with transaction.atomic():
        locked = _lock(purchase_order)
        _check_transition(locked, Status.PARTLY_RECEIVED)
        lines = list(
            locked.lines.select_for_update()
            .select_related("variant")
            .order_by("variant_id")
        )
        deliveries = _deliveries(locked, lines, quantities)
        movements = [
            _receive_line(locked, line, units, user) for line, units in deliveries
        ]
        allocated = _allocate_backorders(deliveries, user)
        plan_shipments_for_lines(allocated)
        _set_received_status(locked, lines)

    _refresh(purchase_order, locked)
    logger.info(
        "Purchase order received",
        extra={
            "purchase_order_id": locked.pk,
            "number": locked.number,
            "status": locked.status,
            "units": sum(units for _line, units in deliveries),
        },
    )
    return PurchaseOrderReceipt(movements=movements, allocated_lines=allocated)


def _draft_for_supplier(supplier, suggestions, user) -> PurchaseOrder:
    purchase_order = create_purchase_order(supplier=supplier, user=user)
    PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(
            purchase_order=purchase_order,
            variant_id=suggestion.variant_id,
            quantity_ordered=suggestion.suggested_quantity,
            unit_cost=suggestion.unit_cost,
        )
        for suggestion in sorted(suggestions, key=lambda item: item.sku)
    )
    return purchase_order


def _lock(purchase_order: PurchaseOrder) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update()
        .select_related("supplier")
        .get(pk=purchase_order.pk)
    )


def _refresh(purchase_order: PurchaseOrder, locked: PurchaseOrder) -> None:
    purchase_order.status = locked.status
    purchase_order.sent_at = locked.sent_at


def _check_transition(purchase_order: PurchaseOrder, new_status: str) -> None:
    if new_status in ALLOWED_TRANSITIONS[purchase_order.status]:
        return
    actions: dict[str, str] = {
        Status.SENT: "sent",
        Status.PARTLY_RECEIVED: "received",
        Status.RECEIVED: "received",
        Status.CANCELLED: "cancelled",
    }
    hints: dict[str, str] = {
        Status.DRAFT: "send it to the supplier first",
        Status.RECEIVED: "every line is received already",
        Status.CANCELLED: "draft a new purchase order instead",
    }
    hint = hints.get(purchase_order.status)
    if hint is None:
        sent_on = timezone.localdate(purchase_order.sent_at)
        hint = f"it went to the supplier on {sent_on:%B} {sent_on.day}, {sent_on.year}"
    raise PurchaseOrderError(
        f"PO {purchase_order.number} is "
        f"{purchase_order.get_status_display().lower()}, so it cannot be "
        f"{actions[new_status]}; {hint}."
    )


def _deliveries(purchase_order, lines, quantities) -> list[tuple]:
    by_id = {line.pk: line for line in lines}
    unknown = sorted(set(quantities) - set(by_id))
    if unknown:
        raise PurchaseOrderError(
            f"Line {unknown[0]} is not on PO {purchase_order.number}; "
            "reload the receiving form and enter the quantities again."
        )
    deliveries = []
    for line in lines:
        units = quantities.get(line.pk, 0)
        _check_units(purchase_order, line, units)
        if units:
            deliveries.append((line, units))
    if not deliveries:
        raise PurchaseOrderError(
            f"No units entered for PO {purchase_order.number}; enter the units "
            "delivered on at least one line."
        )
    return deliveries


def _check_units(purchase_order, line: PurchaseOrderLine, units: int) -> None:
    if units < 0:
        raise PurchaseOrderError(
            f"{line.variant.sku} on PO {purchase_order.number}: {units} units "
            "received; enter 0 or more."
        )
    if units > line.quantity_outstanding:
        raise PurchaseOrderError(
            f"{line.variant.sku} on PO {purchase_order.number}: {units} units "
            f"received but only {line.quantity_outstanding} outstanding; "
            f"enter at most {line.quantity_outstanding}, and take up the "
            "extra units with the supplier."
        )


def _receive_line(purchase_order, line, units: int, user) -> StockMovement:
    movement = services.receive_stock(
        variant=line.variant,
        quantity=units,
        unit_cost=line.unit_cost,
        reference=f"PO {purchase_order.number}",
        user=user,
    )
    # TODO: pass the line to receive_stock once it takes one, so the
    # movement is written complete instead of linked right after.
    StockMovement.objects.filter(pk=movement.pk).update(purchase_order_line=line)
    movement.purchase_order_line = line

    line.quantity_received += units
    line.save(update_fields=["quantity_received"])
    return movement


def _allocate_backorders(deliveries, user) -> list[OrderLine]:
    allocated: list[OrderLine] = []
    variant_ids = sorted({line.variant_id for line, _units in deliveries})
    for variant_id in variant_ids:
        allocated += allocate_backorders(variant_id=variant_id, user=user)
    return allocated


def _set_received_status(purchase_order, lines) -> None:
    complete = all(line.quantity_outstanding == 0 for line in lines)
    purchase_order.status = Status.RECEIVED if complete else Status.PARTLY_RECEIVED
    purchase_order.save(update_fields=["status"])
