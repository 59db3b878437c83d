"""Returning refunded units to stock at the cost they left it.

A returned unit goes back at the cost it was sold at: the value of the
order's SHIPMENT (or, for orders paid before allocation, SALE) movements
for that variant divided by their units. The value of
the k-th unit back is the difference of that share rounded to the cent for
k and for k - 1 units, so returning every unit sold, in any number of
refunds, puts back exactly the value the sale took out. Units that never
left stock (sold while the shelf was empty) come back at the variant's unit
cost, or at zero when it is unknown.
"""

from django.db.models import Sum

from accounting.models import CreditNote
from inventory import allocation
from inventory import services as inventory_services
from inventory.models import StockMovement
from shop.money import ZERO, round_money


def return_units(*, credit_note: CreditNote, restock: bool, user=None) -> None:
    """Take a credit note's units off their lines, and restock shipped ones.

    Refunded units that have not shipped are cancelled on their line
    (inventory.allocation.cancel_unshipped_units), so allocated ones go
    back to available stock. The rest shipped; with `restock` they go
    back on the shelf at the cost they left it. Call inside the
    transaction that issues the credit note; each return posts itself
    (Dr inventory, Cr cost of goods sold).
    """
    reference = str(credit_note.order.number)
    lines = credit_note.lines.select_related("order_line__variant").order_by(
        "order_line__variant_id"
    )
    for line in lines:
        variant = line.order_line.variant
        if not line.quantity or variant is None:
            continue
        cancelled = allocation.cancel_unshipped_units(
            line=line.order_line,
            quantity=line.quantity,
            reason=f"Refunded, credit note {credit_note.number}",
            user=user,
        )
        shipped = line.quantity - cancelled
        if not restock or not shipped:
            continue
        inventory_services.return_to_stock(
            variant=variant,
            quantity=shipped,
            value_amount=returned_value(
                variant=variant, quantity=shipped, reference=reference
            ),
            reference=reference,
            user=user,
        )


def returned_value(*, variant, quantity: int, reference: str):
    """Return the cost value of `quantity` more units returned on an order.

    `reference` is the order number, as on its SHIPMENT movements.
    """
    sold_units, sold_value = _movement_totals(
        variant, reference, (StockMovement.Kind.SALE, StockMovement.Kind.SHIPMENT)
    )
    returned_units, _ = _movement_totals(
        variant, reference, (StockMovement.Kind.RETURN,)
    )
    sold_units, sold_value = -sold_units, -sold_value
    returned_units = min(returned_units, sold_units)

    covered = max(0, min(quantity, sold_units - returned_units))
    value = ZERO
    if covered:
        before = round_money(sold_value * returned_units / sold_units)
        after = round_money(sold_value * (returned_units + covered) / sold_units)
        value = after - before
    unit_cost = variant.unit_cost or ZERO
    return value + round_money(unit_cost * (quantity - covered))


def _movement_totals(variant, reference: str, kinds: tuple[str, ...]):
    totals = StockMovement.objects.filter(
        stock__variant=variant, reference=reference, kind__in=kinds
    ).aggregate(units=Sum("quantity"), value=Sum("value_amount"))
    return totals["units"] or 0, totals["value"] or ZERO
