"""Changes to stock on hand, each written with its stock movement.

Every change of a variant's quantity on hand is a StockMovement written in
the same transaction as the quantity, so the stored quantity always equals
the sum of the variant's movements. Stock rows are locked with
select_for_update in variant-id order, so two writers touching the same
variants cannot deadlock each other.

Valuation (moving weighted average cost): each Stock row also carries the
cost value of its units, and each movement the value it added or took.
Opening stock comes in at Variant.unit_cost (0 when unknown), a receipt
at its purchase price and a return at the value its caller gives. The
unit cost is fixed by the last movement in: the stock's value divided by
its quantity right after that movement. A movement out takes the unit
cost times its units, rounded to the cent half up, but never more than
the value left, and the last unit out takes whatever value remains. So
3 units worth $10.00 leave at $3.33, $3.33 and $3.34, and the value on
hand is never negative. Every movement with a value posts to the ledger
(accounting.posting.stock) in the same transaction, so the inventory
account always equals the sum of Stock.value_amount.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounting.posting.stock import post_stock_movement, post_stock_movements
from shop import webhook_events
from shop.models import Variant
from shop.money import ZERO, round_money

from . import valuation
from .models import Stock, StockMovement, default_location_id

logger = logging.getLogger(__name__)

SALE_REASON = "Sale"
OPENING_REASON = "Opening stock"
RECEIPT_REASON = "Received"
RETURN_REASON = "Returned to stock"


class InsufficientStockError(ValueError):
    """A change would take a variant's quantity on hand below zero."""


class OpeningStockAlreadySetError(ValueError):
    """A variant whose stock already has movements got a second opening."""


def set_opening_stock(
    *, variant: Variant, quantity: int, user: User | None = None
) -> StockMovement | None:
    """Record the quantity a variant starts with, as an OPENING movement.

    The units are valued at the variant's unit cost (0 when unknown).
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
        movement = move_stock(
            stock,
            kind=StockMovement.Kind.OPENING,
            quantity=quantity,
            value_amount=valuation.value_at_cost(variant.unit_cost, quantity),
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
    form with the same ledger rule. Each unit is valued at its variant's
    unit cost, and each opening movement with a value posts its own journal
    entry (event key stock:movement:<id>), written in bulk.
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
        variants = Variant.objects.in_bulk(new_ids)
        stocks = Stock.objects.bulk_create(
            [
                Stock(
                    variant=variants[pk],
                    quantity_on_hand=quantities[pk],
                    value_amount=valuation.value_at_cost(
                        variants[pk].unit_cost, quantities[pk]
                    ),
                )
                for pk in new_ids
            ],
            batch_size=1000,
        )
        movements = _bulk_opening_movements(stocks, user)
        post_stock_movements(movements=movements)
        webhook_events.stocks_changed(movements)

    logger.info("Opening stock set in bulk", extra={"stock_rows": len(stocks)})
    return len(stocks)


def adjust_stock(
    *,
    variant: Variant,
    quantity_change: int,
    reason: str,
    user: User | None,
    reference: str = "",
    kind: str = StockMovement.Kind.ADJUSTMENT,
) -> StockMovement:
    """Add or remove units by hand (a count, damage, a found box).

    Locks the variant's Stock row, creating it at zero when missing. Units
    added are valued at the current unit cost (the variant's unit cost when
    the stock has none yet); units removed leave at the current unit cost.
    `kind` is ADJUSTMENT, or STOCKTAKE for a count and IN_STORE_SALE for
    a counter sale; the ledger posts each kind to its own account.
    Raises InsufficientStockError when the change would leave fewer units
    on hand than are allocated to paid orders (so never below zero), and
    ValueError for a change of zero or a blank reason.
    """
    if quantity_change == 0:
        raise ValueError(f"The adjustment of {variant.sku} is 0 units; nothing to do.")
    if not reason.strip():
        raise ValueError(f"Give a reason for adjusting the stock of {variant.sku}.")

    with transaction.atomic():
        stock = _lock_stock(variant.pk)
        problem = removal_problem(stock, quantity_change, sku=variant.sku)
        if problem:
            raise InsufficientStockError(problem)
        movement = move_stock(
            stock,
            kind=kind,
            quantity=quantity_change,
            value_amount=_adjustment_value(stock, variant, quantity_change),
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
    Takes what is available (on hand less allocated), never going below
    zero, and returns the units taken per variant id, 0 for a variant with
    no stock. The units leave at
    the current unit cost and post their cost of goods sold.
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
            # Allocated units belong to paid orders, so only the available
            # ones can be sold.
            units = min(requested[stock.variant_id], stock.quantity_available)
            if units:
                move_stock(
                    stock,
                    kind=StockMovement.Kind.SALE,
                    quantity=-units,
                    value_amount=-valuation.value_out(stock, units),
                    reason=SALE_REASON,
                    reference=reference,
                )
            taken[stock.variant_id] = units

    logger.info("Sale taken from stock", extra={"reference": reference, "units": taken})
    return taken


def receive_stock(
    *,
    variant: Variant,
    quantity: int,
    unit_cost: Decimal,
    reference: str,
    user: User | None = None,
) -> StockMovement:
    """Take delivered units into stock at their purchase price (a RECEIPT).

    `unit_cost` is the price per unit before recoverable tax; the receipt
    is valued at unit_cost x quantity, rounded to the cent, and posts it
    as owed to the supplier until the bill arrives. Locks the variant's
    Stock row. Raises ValueError for a quantity below 1 or a negative cost.
    """
    if quantity < 1:
        raise ValueError(
            f"Received quantity of {variant.sku} is {quantity}; enter 1 or more."
        )
    if unit_cost < 0:
        raise ValueError(f"Unit cost of {variant.sku} is {unit_cost}; enter 0 or more.")

    with transaction.atomic():
        stock = _lock_stock(variant.pk)
        movement = move_stock(
            stock,
            kind=StockMovement.Kind.RECEIPT,
            quantity=quantity,
            value_amount=round_money(unit_cost * quantity),
            reason=RECEIPT_REASON,
            user=user,
            reference=reference,
        )

    logger.info(
        "Stock received",
        extra={"variant_id": variant.pk, "quantity": quantity, "reference": reference},
    )
    return movement


def return_to_stock(
    *,
    variant: Variant,
    quantity: int,
    value_amount: Decimal,
    reference: str,
    user: User | None = None,
) -> StockMovement:
    """Put returned units back on the shelf at the cost given (a RETURN).

    `value_amount` is the cost value of all the units together, usually
    what their sale took out, and goes back from cost of goods sold to
    inventory. Locks the variant's Stock row. Raises ValueError for a
    quantity below 1 or a negative value.
    """
    if quantity < 1:
        raise ValueError(
            f"Returned quantity of {variant.sku} is {quantity}; enter 1 or more."
        )
    if value_amount < 0:
        raise ValueError(
            f"Value of the {variant.sku} returned is {value_amount}; enter 0 or more."
        )

    with transaction.atomic():
        stock = _lock_stock(variant.pk)
        movement = move_stock(
            stock,
            kind=StockMovement.Kind.RETURN,
            quantity=quantity,
            value_amount=round_money(value_amount),
            reason=RETURN_REASON,
            user=user,
            reference=reference,
        )

    logger.info(
        "Stock returned",
        extra={"variant_id": variant.pk, "quantity": quantity, "reference": reference},
    )
    return movement


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


def removal_problem(stock: Stock, quantity_change: int, *, sku: str) -> str:
    """Return why `quantity_change` cannot be applied to `stock`, or "".

    Units allocated to paid orders stay on the shelf for them, so a change
    may remove at most the units available (on hand less allocated).
    """
    if stock.quantity_on_hand + quantity_change >= stock.quantity_allocated:
        return ""
    removable = stock.quantity_available
    if not stock.quantity_allocated:
        return (
            f"{sku} has {stock.quantity_on_hand} on hand, so at most "
            f"{removable} can be removed."
        )
    return (
        f"{sku} has {stock.quantity_on_hand} on hand and "
        f"{stock.quantity_allocated} allocated to paid orders, so at most "
        f"{removable} can be removed."
    )


def lock_stocks(variant_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock the Stock rows of `variant_ids` at the default location.

    Creates a missing row at zero first. Rows are locked in variant-id
    order (select_for_update). The stock writers in this module and in
    inventory.allocation lock in that order, so they cannot deadlock on
    these rows. Call inside a transaction: the locks last until it ends.
    Returns the rows by variant id.
    """
    ids = sorted(set(variant_ids))
    location_id = default_location_id()
    existing = set(
        Stock.objects.filter(variant_id__in=ids, location_id=location_id).values_list(
            "variant_id", flat=True
        )
    )
    for variant_id in ids:
        if variant_id not in existing:
            Stock.objects.get_or_create(variant_id=variant_id, location_id=location_id)
    stocks = (
        Stock.objects.select_for_update()
        .filter(variant_id__in=ids, location_id=location_id)
        .select_related("variant")
        .order_by("variant_id")
    )
    return {stock.variant_id: stock for stock in stocks}


def move_stock(
    stock: Stock,
    *,
    kind: str,
    quantity: int = 0,
    quantity_allocated_change: int = 0,
    value_amount: Decimal = ZERO,
    reason: str,
    user: User | None = None,
    reference: str = "",
) -> StockMovement:
    """Write a movement, apply it to the locked Stock row and post its value.

    `stock` must be locked by the caller (lock_stocks). The database's
    checks reject a movement that would leave on hand or allocated below
    zero or allocated above on hand.
    """
    # The new value is computed here, not with F(): SQLite adds decimals as
    # floats, and a stock emptied cent by cent could end a hair below zero.
    stock.value_amount += value_amount
    Stock.objects.filter(pk=stock.pk).update(
        quantity_on_hand=F("quantity_on_hand") + quantity,
        quantity_allocated=F("quantity_allocated") + quantity_allocated_change,
        value_amount=stock.value_amount,
        updated_at=timezone.now(),
    )
    stock.quantity_on_hand += quantity
    stock.quantity_allocated += quantity_allocated_change
    movement = StockMovement.objects.create(
        stock=stock,
        kind=kind,
        quantity=quantity,
        quantity_allocated_change=quantity_allocated_change,
        value_amount=value_amount,
        reason=reason,
        reference=reference,
        created_by=user,
    )
    post_stock_movement(movement=movement)
    webhook_events.stock_changed(movement)
    return movement


def _lock_stock(variant_id: int) -> Stock:
    return lock_stocks([variant_id])[variant_id]


def _adjustment_value(stock: Stock, variant: Variant, quantity_change: int):
    if quantity_change < 0:
        return -valuation.value_out(stock, -quantity_change)
    return valuation.value_in(
        stock, quantity_change, fallback_unit_cost=variant.unit_cost
    )


def _bulk_opening_movements(
    stocks: Sequence[Stock], user: User | None
) -> list[StockMovement]:
    return StockMovement.objects.bulk_create(
        [
            StockMovement(
                stock=stock,
                kind=StockMovement.Kind.OPENING,
                quantity=stock.quantity_on_hand,
                value_amount=stock.value_amount,
                reason=OPENING_REASON,
                created_by=user,
            )
            for stock in stocks
            if stock.quantity_on_hand
        ],
        batch_size=1000,
    )
