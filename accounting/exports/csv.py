"""The journal as plain CSV: one row per journal line."""

import csv
from collections.abc import Sequence
from typing import TextIO

from accounting.models import JournalEntry

from .journal import document_references

HEADER = [
    "Date",
    "Entry",
    "Event key",
    "Account code",
    "Account name",
    "Debit",
    "Credit",
    "Memo",
    "Documents",
]


def write_csv(entries: Sequence[JournalEntry], stream: TextIO) -> None:
    """Write every line of the entries, amounts to the cent, dates ISO 8601.

    The memo falls back to the entry's description, and the documents
    column lists the entry's references separated by "; ".
    """
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    for entry in entries:
        documents = "; ".join(document_references(entry))
        for line in entry.lines.all():
            writer.writerow(
                [
                    entry.entry_date.isoformat(),
                    entry.pk,
                    entry.event_key,
                    line.account.code,
                    line.account.name,
                    f"{line.debit:.2f}",
                    f"{line.credit:.2f}",
                    line.memo or entry.description,
                    documents,
                ]
            )
