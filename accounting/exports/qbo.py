"""The journal in QuickBooks Online's journal entry import layout.

Intuit's help article "Import journal entries" (QuickBooks Online) lists
the columns Journal No., Journal Date, Account Name, Description, Debits,
Credits, and Name, which QuickBooks requires when an account is Accounts
Payable or Accounts Receivable. Rows sharing a journal number form one
entry, whose debits must equal its credits, and the other amount cell of
each row stays empty. Accounts are matched by name, so account numbers
must be turned off in QuickBooks during the import and the Ledgerfront
account names must exist in its chart of accounts.
"""

import csv
from collections.abc import Sequence
from typing import TextIO

from accounting.models import JournalEntry

from .journal import counterparty_name

HEADER = [
    "Journal No.",
    "Journal Date",
    "Account Name",
    "Debits",
    "Credits",
    "Description",
    "Name",
]
# QuickBooks prompts for the file's date format on its mapping screen; pick
# MM/dd/yyyy there.
DATE_FORMAT = "%m/%d/%Y"
# The accounts QuickBooks needs a customer or supplier name on.
NAMED_ACCOUNT_KEYS = frozenset({"accounts_payable", "accounts_receivable"})


def write_qbo(entries: Sequence[JournalEntry], stream: TextIO) -> None:
    """Write each entry as one QuickBooks journal numbered "LF-<entry id>"."""
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    for entry in entries:
        name = counterparty_name(entry)
        for line in entry.lines.all():
            writer.writerow(
                [
                    f"LF-{entry.pk}",
                    entry.entry_date.strftime(DATE_FORMAT),
                    line.account.name,
                    f"{line.debit:.2f}" if line.debit else "",
                    f"{line.credit:.2f}" if line.credit else "",
                    line.memo or entry.description,
                    name if line.account.key in NAMED_ACCOUNT_KEYS else "",
                ]
            )
