"""Posting rule for stock movements: inventory at cost against its source.

Every movement with a value moves that value in or out of the inventory
account, and the other side depends on why the goods moved:

- opening stock is the owner's contribution (owner's equity);
- a sale takes the goods' cost to cost of goods sold, whether the goods
  leave as a shipment of a paid online order, across the shop counter or
  (before allocation existed) at payment;
- an adjustment or a stocktake (a count, damage, a found box) goes to
  inventory shrinkage, in either direction;
- a return to stock gives the cost back from cost of goods sold;
- a receipt is owed to the supplier until the bill arrives (goods
  received not billed).

Allocations and releases only promise units on the shelf to an order or
take the promise back: they carry no value and post nothing.

The movement's value is signed (positive in, negative out) and the rule
debits inventory with it, so a negative value credits inventory and debits
the other account.
"""

from collections.abc import Sequence

from django.db import transaction

from accounting.ledger import Posting, credit, debit, post_entry
from accounting.models import Account, JournalEntry, JournalLine
from inventory.models import StockMovement
from shop.money import ZERO

from .dates import shop_date

INVENTORY_ACCOUNT = "inventory"

# The account on the other side of inventory, by movement kind.
COUNTER_ACCOUNTS = {
    StockMovement.Kind.OPENING: "owners_equity",
    StockMovement.Kind.SALE: "cost_of_goods_sold",
    StockMovement.Kind.SHIPMENT: "cost_of_goods_sold",
    StockMovement.Kind.IN_STORE_SALE: "cost_of_goods_sold",
    StockMovement.Kind.ADJUSTMENT: "inventory_shrinkage",
    StockMovement.Kind.STOCKTAKE: "inventory_shrinkage",
    StockMovement.Kind.RETURN: "cost_of_goods_sold",
    StockMovement.Kind.RECEIPT: "goods_received_not_billed",
}

BULK_BATCH_SIZE = 500


def stock_event_key(movement: StockMovement) -> str:
    """Return the ledger event key of a stock movement."""
    return f"stock:movement:{movement.pk}"


def stock_postings(movement: StockMovement, *, sku: str) -> list[Posting]:
    """Return the debit and credit a movement's value posts."""
    memo = f"{sku} {movement.quantity:+d} units"
    counter = COUNTER_ACCOUNTS[StockMovement.Kind(movement.kind)]
    return [
        debit(INVENTORY_ACCOUNT, movement.value_amount, memo=memo),
        credit(counter, movement.value_amount, memo=memo),
    ]


def post_stock_movement(*, movement: StockMovement) -> JournalEntry | None:
    """Post a stock movement's value to the ledger, once.

    Call inside the transaction that writes the movement. A movement with
    no value posts nothing and returns None. Posting the same movement
    again returns its first entry (event key stock:movement:<id>).
    """
    if not movement.value_amount:
        return None
    sku = movement.stock.variant.sku
    return post_entry(
        event_key=stock_event_key(movement),
        kind=JournalEntry.Kind.STOCK,
        description=_description(movement, sku),
        postings=stock_postings(movement, sku=sku),
        entry_date=shop_date(movement.created_at),
        user=movement.created_by,
        stock_movement=movement,
    )


def post_stock_movements(*, movements: Sequence[StockMovement]) -> int:
    """Post many movements in a few queries, one entry per movement.

    For loading a catalog's opening stock: writes the same entries as
    post_stock_movement (same event keys and lines) with bulk inserts.
    `movements` need their stock and variant loaded. Movements without a
    value or already posted are skipped. Returns how many entries were
    posted. Call inside the transaction that writes the movements.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_stock_movements() must be called inside a transaction")
    valued = {stock_event_key(m): m for m in movements if m.value_amount}
    posted = set(
        JournalEntry.objects.filter(event_key__in=list(valued)).values_list(
            "event_key", flat=True
        )
    )
    todo = [movement for key, movement in valued.items() if key not in posted]
    if not todo:
        return 0

    entries = JournalEntry.objects.bulk_create(
        [_bulk_entry(movement) for movement in todo], batch_size=BULK_BATCH_SIZE
    )
    accounts = _chart_accounts()
    JournalLine.objects.bulk_create(
        [
            _bulk_line(entry, posting, accounts)
            for entry, movement in zip(entries, todo, strict=True)
            for posting in stock_postings(movement, sku=movement.stock.variant.sku)
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    return len(entries)


def _description(movement: StockMovement, sku: str) -> str:
    text = f"{movement.get_kind_display()} {movement.quantity:+d} {sku}"
    if movement.reference:
        text += f" ({movement.reference})"
    return text


def _bulk_entry(movement: StockMovement) -> JournalEntry:
    return JournalEntry(
        event_key=stock_event_key(movement),
        kind=JournalEntry.Kind.STOCK,
        description=_description(movement, movement.stock.variant.sku),
        entry_date=shop_date(movement.created_at),
        posted_by_id=movement.created_by_id,
        stock_movement=movement,
    )


def _bulk_line(
    entry: JournalEntry, posting: Posting, accounts: dict[str, Account]
) -> JournalLine:
    # Stock postings carry the same value on both sides, so each pair
    # balances; a negative value moves both postings to the other side.
    assert isinstance(posting.account, str)
    amount = posting.debit - posting.credit
    return JournalLine(
        entry=entry,
        account=accounts[posting.account],
        debit=max(amount, ZERO),
        credit=max(-amount, ZERO),
        memo=posting.memo,
    )


def _chart_accounts() -> dict[str, Account]:
    keys = {INVENTORY_ACCOUNT, *COUNTER_ACCOUNTS.values()}
    accounts = Account.objects.in_bulk(keys, field_name="key")
    missing = keys - set(accounts)
    if missing:
        raise Account.DoesNotExist(
            f"No account with key {sorted(missing)} in the chart of accounts; "
            "restore it in the admin or run the accounting migrations."
        )
    return accounts
