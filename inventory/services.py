"""Changes to stock on hand, each written with its stock movement.

Every change of a variant's quantity on hand is a StockMovement written in
the same transaction as the quantity, so the stored quantity always equals
the sum of the variant's movements. Stock rows are locked with
select_for_update in variant-id order, so two writers touching the same
variants cannot deadlock each other.
"""

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop.models import Variant
from shop.money import round_money

from .models import Stock, StockMovement

logger = logging.getLogger(__name__)

SALE_REASON = "Sale"
OPENING_REASON = "Opening stock"


class InsufficientStockError(ValueError):
    """A change would take a variant's quantity on hand below zero."""


class OpeningStockAlreadySetError(ValueError):
    """A variant whose stock already has movements got a second opening."""


def set_opening_stock(
    *, variant: Variant, quantity: int, user: User | None = None
) -> StockMovement | None:
    """Record the quantity a variant starts with, as an OPENING movement.

    Locks the variant's Stock row, creating it at zero when missing. Returns
    None for a quantity of 0: the row is created but no movement is written,
    because a movement of zero units records nothing. Raises
    OpeningStockAlreadySetError when the stock already has units or
    movements (adjust_stock corrects it) and ValueError for a negative
    quantity.
    """
    if quantity < 0:
        raise ValueError(
            f"Opening stock for {variant.sku} is {quantity}; enter 0 or more units."
        )

    with transaction.atomic():
        stock = _lock_stock(variant.pk)
        if stock.quantity_on_hand or stock.movements.exists():
            raise OpeningStockAlreadySetError(
                f"{variant.sku} already has stock movements; "
                "correct its quantity with an adjustment instead."
            )
        if quantity == 0:
            return None
        movement = _move_stock(
            stock,
            kind=StockMovement.Kind.OPENING,
            quantity=quantity,
            reason=OPENING_REASON,
            user=user,
        )

    logger.info(
        "Opening stock set", extra={"variant_id": variant.pk, "quantity": quantity}
    )
    return movement


def set_opening_stock_many(
    *, quantities: Mapping[int, int], user: User | None = None
) -> int:
    """Record opening stock for many variants that have no Stock row yet.

    `quantities` maps variant id to units (0 or more). Variants that already
    have a Stock row are skipped, so running it again changes nothing.
    Returns how many Stock rows were created. Writes in bulk (a few queries
    in all), for loading a new catalog; set_opening_stock is the per-variant
    form with the same ledger rule.
    """
    negative = {pk: units for pk, units in quantities.items() if units < 0}
    if negative:
        raise ValueError(
            f"Opening stock must be 0 or more units; got {negative} "
            "(variant id: units)."
        )

    with transaction.atomic():
        existing = set(
            Stock.objects.filter(variant_id__in=quantities).values_list(
                "variant_id", flat=True
            )
        )
        new_ids = sorted(set(quantities) - existing)
        stocks = Stock.objects.bulk_create(
            [Stock(variant_id=pk, quantity_on_hand=quantities[pk]) for pk in new_ids],
            batch_size=1000,
        )
        _bulk_opening_movements(stocks, user)

    logger.info("Opening stock set in bulk", extra={"stock_rows": len(stocks)})
    return len(stocks)


def adjust_stock(
    *,
    variant: Variant,
    quantity_change: int,
    reason: str,
    user: User | None,
    reference: str = "",
) -> StockMovement:
    """Add or remove units by hand (a count, damage, a found box).

    Locks the variant's Stock row, creating it at zero when missing. Raises
    InsufficientStockError when the change would leave fewer than zero
    units, and ValueError for a change of zero or a blank reason.
    """
    if quantity_change == 0:
        raise ValueError(f"The adjustment of {variant.sku} is 0 units; nothing to do.")
    if not reason.strip():
        raise ValueError(f"Give a reason for adjusting the stock of {variant.sku}.")

    with transaction.atomic():
        stock = _lock_stock(variant.pk)
        if stock.quantity_on_hand + quantity_change < 0:
            raise InsufficientStockError(
                f"{variant.sku} has {stock.quantity_on_hand} on hand, so it "
                f"cannot go down by {-quantity_change}; count the shelf and "
                "adjust by at most what is there."
            )
        movement = _move_stock(
            stock,
            kind=StockMovement.Kind.ADJUSTMENT,
            quantity=quantity_change,
            reason=reason.strip(),
            user=user,
            reference=reference,
        )

    logger.info(
        "Stock adjusted",
        extra={"variant_id": variant.pk, "quantity_change": quantity_change},
    )
    return movement


def record_sale(*, items: Sequence[tuple[int, int]], reference: str) -> dict[int, int]:
    """Take sold units out of stock with SALE movements.

    `items` are (variant id, quantity) pairs; a variant listed twice counts
    once with the quantities added. Call inside the caller's transaction:
    the Stock rows stay locked (in variant-id order) until it commits.
    Takes what is on hand, never going below zero, and returns the units
    taken per variant id, 0 for a variant with no stock.
    """
    requested: Counter[int] = Counter()
    for variant_id, quantity in items:
        if quantity <= 0:
            raise ValueError(
                f"Sold quantity for variant {variant_id} is {quantity}; "
                "it must be 1 or more."
            )
        requested[variant_id] += quantity

    taken = {variant_id: 0 for variant_id in sorted(requested)}
    with transaction.atomic():
        stocks = (
            Stock.objects.select_for_update()
            .filter(variant_id__in=requested)
            .order_by("variant_id")
        )
        for stock in stocks:
            # TODO: backorders will cover the units that stock cannot.
            units = min(requested[stock.variant_id], stock.quantity_on_hand)
            if units:
                _move_stock(
                    stock,
                    kind=StockMovement.Kind.SALE,
                    quantity=-units,
                    reason=SALE_REASON,
                    reference=reference,
                )
            taken[stock.variant_id] = units

    logger.info("Sale taken from stock", extra={"reference": reference, "units": taken})
    return taken


def revalue_stock(
    *, variant: Variant, value_change: Decimal, units: int, reference: str
) -> Decimal:
    """Spread a cost correction over the units of a receipt still on hand.

    A supplier bill may charge more or less than the value a receipt of
    `units` units came in at. The units on hand, counted up to `units`,
    are taken to be from that receipt and take their share of
    `value_change` in proportion, rounded half up. The share never takes
    the stock's value below zero. Locks the variant's Stock row, so call
    it inside the transaction that posts the correction. Returns the
    amount added to Stock.value_amount (negative when taken off). The
    caller posts it to the inventory account, the rest to cost of goods
    sold, and keeps the record: no units move, so no movement is written.
    """
    if units <= 0:
        raise ValueError(f"Revaluing {variant.sku} needs 1 or more units, not {units}.")

    with transaction.atomic():
        stock = _lock_stock(variant.pk)
        units_on_hand = min(stock.quantity_on_hand, units)
        share = round_money(value_change * units_on_hand / units)
        share = max(share, -stock.value_amount)
        if share:
            Stock.objects.filter(pk=stock.pk).update(
                value_amount=F("value_amount") + share, updated_at=timezone.now()
            )

    logger.info(
        "Stock revalued",
        extra={"variant_id": variant.pk, "value_change": share, "reference": reference},
    )
    return share


def _lock_stock(variant_id: int) -> Stock:
    Stock.objects.get_or_create(variant_id=variant_id)
    return Stock.objects.select_for_update().get(variant_id=variant_id)


def _move_stock(
    stock: Stock,
    *,
    kind: str,
    quantity: int,
    reason: str,
    user: User | None = None,
    reference: str = "",
) -> StockMovement:
    Stock.objects.filter(pk=stock.pk).update(
        quantity_on_hand=F("quantity_on_hand") + quantity, updated_at=timezone.now()
    )
    stock.quantity_on_hand += quantity
    return StockMovement.objects.create(
        stock=stock,
        kind=kind,
        quantity=quantity,
        reason=reason,
        reference=reference,
        created_by=user,
    )


def _bulk_opening_movements(stocks: Sequence[Stock], user: User | None) -> None:
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                stock=stock,
                kind=StockMovement.Kind.OPENING,
                quantity=stock.quantity_on_hand,
                reason=OPENING_REASON,
                created_by=user,
            )
            for stock in stocks
            if stock.quantity_on_hand
        ],
        batch_size=1000,
    )
