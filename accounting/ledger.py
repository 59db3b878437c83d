"""Posting balanced journal entries, once per business event.

Every posting rule in accounting.posting ends here. An entry that does not
balance to the cent is rejected before anything is written, and on
PostgreSQL a deferred trigger checks it again at commit.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shop.money import ZERO, round_money

from .models import Account, JournalEntry, JournalLine

logger = logging.getLogger(__name__)


class UnbalancedEntryError(ValueError):
    """The debits of an entry differ from its credits."""


@dataclass(frozen=True)
class Posting:
    """One side of an entry: an amount debited or credited to an account.

    `account` is the account's key in the chart ("stripe_clearing") or, for
    accounts staff added without a key, the Account itself. A negative
    amount flips the side, so rules can pass signed differences.
    """

    account: "str | Account"
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    memo: str = ""
    tax_code: str = ""
    province: str = ""


def debit(
    account: "str | Account",
    amount: Decimal,
    *,
    memo: str = "",
    tax_code: str = "",
    province: str = "",
) -> Posting:
    return Posting(
        account, debit=amount, memo=memo, tax_code=tax_code, province=province
    )


def credit(
    account: "str | Account",
    amount: Decimal,
    *,
    memo: str = "",
    tax_code: str = "",
    province: str = "",
) -> Posting:
    return Posting(
        account, credit=amount, memo=memo, tax_code=tax_code, province=province
    )


def post_entry(
    *,
    event_key: str,
    kind: str,
    description: str,
    postings: Sequence[Posting],
    entry_date: date | None = None,
    user=None,
    **references,
) -> JournalEntry:
    """Write the journal entry for one event, or return the one already there.

    `event_key` names the event ("sale:payment:42"); a second call with the
    same key changes nothing and returns the first entry. Postings of zero
    are dropped and debits and credits on one account are kept as given.
    `references` are the entry's document links (order=, invoice=, ...).
    Raises UnbalancedEntryError when debits and credits differ. Must run
    inside the transaction that records the event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry() must be called inside transaction.atomic")
    existing = JournalEntry.objects.filter(event_key=event_key).first()
    if existing is not None:
        return existing

    lines = _normalise(postings)
    _check_balance(event_key, lines)
    if not lines:
        raise UnbalancedEntryError(f"Entry {event_key!r} has no amounts to post.")

    entry = JournalEntry.objects.create(
        event_key=event_key,
        kind=kind,
        description=description[:255],
        entry_date=entry_date or timezone.localdate(),
        posted_by=user,
        **references,
    )
    accounts = _accounts_by_key(
        {line.account for line in lines if isinstance(line.account, str)}
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry,
            account=(
                accounts[line.account]
                if isinstance(line.account, str)
                else line.account
            ),
            debit=line.debit,
            credit=line.credit,
            memo=line.memo[:255],
            tax_code=line.tax_code,
            province=line.province,
        )
        for line in lines
    )
    logger.info(
        "Journal entry posted",
        extra={"journal_entry_id": entry.pk, "event_key": event_key},
    )
    return entry


def reverse_entry(*, entry: JournalEntry, reason: str, user=None) -> JournalEntry:
    """Post the mirror image of an entry, cancelling it in the books.

    The original stays as it was; the reversal points at it and is dated
    today. Reversing the same entry twice returns the first reversal.
    """
    postings = [
        Posting(
            account=line.account,
            debit=line.credit,
            credit=line.debit,
            memo=line.memo,
            tax_code=line.tax_code,
            province=line.province,
        )
        for line in entry.lines.select_related("account")
    ]
    return post_entry(
        event_key=f"reversal:{entry.pk}",
        kind=JournalEntry.Kind.REVERSAL,
        description=f"Reversal of {entry.description}: {reason}",
        postings=postings,
        user=user,
        reverses=entry,
    )


def _normalise(postings: Sequence[Posting]) -> list[Posting]:
    lines = []
    for posting in postings:
        amount = round_money(posting.debit - posting.credit)
        if amount == 0:
            continue
        side = {"debit": amount} if amount > 0 else {"credit": -amount}
        lines.append(
            Posting(
                account=posting.account,
                memo=posting.memo,
                tax_code=posting.tax_code,
                province=posting.province,
                **side,
            )
        )
    return lines


def _check_balance(event_key: str, lines: Sequence[Posting]) -> None:
    debits = sum((line.debit for line in lines), ZERO)
    credits = sum((line.credit for line in lines), ZERO)
    if debits != credits:
        raise UnbalancedEntryError(
            f"Entry {event_key!r} does not balance: debits {debits}, credits {credits}."
        )


def _accounts_by_key(keys: set[str]) -> dict[str, Account]:
    accounts = Account.objects.in_bulk(keys, field_name="key")
    missing = keys - set(accounts)
    if missing:
        raise Account.DoesNotExist(
            f"No account with key {sorted(missing)} in the chart of accounts; "
            "restore it in the admin or run the accounting migrations."
        )
    return accounts
