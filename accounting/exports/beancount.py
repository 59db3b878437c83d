"""The journal as a Beancount ledger that bean-check accepts.

Each account is opened on the first day of the export under the root
Beancount requires for its type (Assets, Liabilities, Equity, Income,
Expenses) with a name made of its code and name ("Assets:1010-Stripe-
Clearing"). Each entry becomes a balanced transaction in CAD, with its id,
event key and documents as metadata.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from accounting.models import Account, JournalEntry
from shop.money import CURRENCY

from .journal import document_references

ROOTS = {
    Account.Type.ASSET: "Assets",
    Account.Type.LIABILITY: "Liabilities",
    Account.Type.EQUITY: "Equity",
    Account.Type.REVENUE: "Income",
    Account.Type.EXPENSE: "Expenses",
}


def account_name(account: Account) -> str:
    """Return the Beancount name of an account.

    A name component must start with a capital letter or a digit and hold
    only letters, digits and dashes, so other characters become dashes.
    """
    words = re.findall(r"[A-Za-z0-9]+", account.name)
    title = "-".join(word[:1].upper() + word[1:] for word in words)
    code = re.sub(r"[^A-Za-z0-9]", "", account.code) or str(account.pk)
    component = f"{code}-{title}" if title else code
    return f"{ROOTS[Account.Type(account.type)]}:{component}"


def write_beancount(
    entries: Sequence[JournalEntry], stream: TextIO, *, opened_on: date
) -> None:
    """Write the options, one open directive per account used, and one
    transaction per entry.

    `opened_on` dates the open directives; it must be on or before the
    first entry, so pass the first day of the period.
    """
    stream.write('option "title" "Ledgerfront journal"\n')
    stream.write(f'option "operating_currency" "{CURRENCY}"\n\n')
    accounts = {
        line.account.pk: line.account for entry in entries for line in entry.lines.all()
    }
    for account in sorted(accounts.values(), key=lambda account: account.code):
        stream.write(
            f"{opened_on.isoformat()} open {account_name(account)} {CURRENCY}\n"
        )
    for entry in entries:
        stream.write("\n")
        _write_transaction(entry, stream)


def _write_transaction(entry: JournalEntry, stream: TextIO) -> None:
    stream.write(f"{entry.entry_date.isoformat()} * {_quote(entry.description)}\n")
    stream.write(f"  entry-id: {entry.pk}\n")
    stream.write(f"  event-key: {_quote(entry.event_key)}\n")
    references = document_references(entry)
    if references:
        stream.write(f"  documents: {_quote('; '.join(references))}\n")
    for line in entry.lines.all():
        amount = line.debit - line.credit
        stream.write(f"  {account_name(line.account)}  {amount:.2f} {CURRENCY}\n")
        if line.memo:
            stream.write(f"    memo: {_quote(line.memo)}\n")


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'
