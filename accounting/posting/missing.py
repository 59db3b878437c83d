"""Post the events recorded before the ledger existed, each once.

Paid orders and stock movements from before the posting rules have no
journal entry. This module finds them by their event keys and posts them
with the same rules that post new events. Each posts in its own
transaction, so one that cannot post (an order whose amounts do not add
up) is reported and the others still post. Running it again finds nothing
left to post.

Stock movements with no value (from before unit costs were recorded) post
nothing, as they would today: they are not valued afterwards, because
their cost at the time is unknown. Set Variant.unit_cost and count the
stock with an adjustment to bring such stock into the books.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from accounting.models import JournalEntry
from inventory.models import StockMovement
from orders.models import Order

from .sales import post_online_sale
from .stock import post_stock_movement

logger = logging.getLogger(__name__)


@dataclass
class MissingEntriesResult:
    """Ids that post_missing_entries posted (or would post) and its errors."""

    sales: list[int] = field(default_factory=list)
    stock_movements: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def unposted_sales():
    """Return invoiced orders that have no sale entry, oldest first."""
    return (
        Order.objects.filter(invoice__isnull=False, paid_at__isnull=False)
        .exclude(_has_entry("sale:order:"))
        .select_related("invoice")
        .order_by("pk")
    )


def unposted_stock_movements():
    """Return stock movements with a value and no entry, oldest first."""
    return (
        StockMovement.objects.exclude(value_amount=0)
        .exclude(_has_entry("stock:movement:"))
        .select_related("stock__variant", "created_by")
        .order_by("pk")
    )


def post_missing_entries(*, dry_run: bool = False) -> MissingEntriesResult:
    """Post every paid sale and valued stock movement that has no entry.

    Returns the ids posted (or, for a dry run, that would be posted) and a
    message for each event that failed to post.
    """
    result = MissingEntriesResult()
    for order in unposted_sales():
        if dry_run or _post(result, f"order {order.number}", order=order):
            result.sales.append(order.pk)
    for movement in unposted_stock_movements():
        if dry_run or _post(result, f"stock movement {movement.pk}", movement=movement):
            result.stock_movements.append(movement.pk)
    return result


def _has_entry(prefix: str) -> Exists:
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))
    return Exists(JournalEntry.objects.filter(event_key=key))


def _post(result: MissingEntriesResult, label: str, *, order=None, movement=None):
    try:
        with transaction.atomic():
            if order is not None:
                post_online_sale(order=order, invoice=order.invoice)
            else:
                post_stock_movement(movement=movement)
    except (ValueError, ObjectDoesNotExist) as error:
        logger.error(
            "Missing journal entry failed to post",
            extra={"event": label, "error": str(error)},
        )
        result.errors.append(f"{label}: {error}")
        return False
    return True
