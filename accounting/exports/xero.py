"""The journal in Xero's manual journal import layout.

Xero Central's "Add or post multiple manual journals" describes the CSV
template: Narration (required; rows with the same narration and date
become one journal), Date (required, dd/mm/yyyy or "dd mmm yyyy"),
Description (optional, per line), AccountCode (required, the code alone),
TaxRate (required, a tax rate's full name from the organisation's tax
settings), Amount (required; positive is a debit, negative a credit), then
optional tracking columns. One file holds at most 300 lines.
"""

import csv
from collections.abc import Sequence
from typing import TextIO

from accounting.models import JournalEntry

HEADER = [
    "Narration",
    "Date",
    "Description",
    "AccountCode",
    "TaxRate",
    "Amount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
]
DATE_FORMAT = "%d/%m/%Y"
# Ledgerfront posts every tax on its own line, so Xero must add none.
# NOTE: "Tax Exempt" is the name of Xero's zero rate in a Canadian
# organisation as set up by default; rename it here if the shop's Xero
# calls it otherwise.
TAX_RATE = "Tax Exempt"
MAX_LINES_PER_FILE = 300


def write_xero(entries: Sequence[JournalEntry], stream: TextIO) -> None:
    """Write each entry as one Xero journal with signed line amounts.

    The narration starts with the entry id, so two entries with the same
    description on one day stay separate journals.
    """
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    for entry in entries:
        narration = f"LF-{entry.pk} {entry.description}"
        for line in entry.lines.all():
            writer.writerow(
                [
                    narration,
                    entry.entry_date.strftime(DATE_FORMAT),
                    line.memo,
                    line.account.code,
                    TAX_RATE,
                    f"{line.debit - line.credit:.2f}",
                    "",
                    "",
                    "",
                    "",
                ]
            )
