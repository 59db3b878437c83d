from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounting.ledger import (
    UnbalancedEntryError,
    credit,
    debit,
    post_entry,
    reverse_entry,
)
from accounting.models import Account, JournalEntry, JournalLine
from tests.accounting.ledger_setup import entry_lines

ZERO = Decimal("0.00")


def post_supplies(event_key="manual:supplies-1", amount=Decimal("25.00")):
    with transaction.atomic():
        return post_entry(
            event_key=event_key,
            kind=JournalEntry.Kind.MANUAL,
            description="Packing tape and boxes",
            postings=[debit("office_supplies", amount), credit("bank", amount)],
        )


@pytest.mark.django_db
def test_reversal_mirrors_entry():
    entry = post_supplies()

    with transaction.atomic():
        reversal = reverse_entry(entry=entry, reason="Paid by the owner")

    assert entry_lines(reversal) == [
        ("office_supplies", ZERO, Decimal("25.00")),
        ("bank", Decimal("25.00"), ZERO),
    ]
    assert reversal.reverses == entry
    assert reversal.kind == JournalEntry.Kind.REVERSAL
    assert reversal.description == (
        "Reversal of Packing tape and boxes: Paid by the owner"
    )


@pytest.mark.django_db
def test_reversal_leaves_original_as_posted():
    entry = post_supplies()

    with transaction.atomic():
        reverse_entry(entry=entry, reason="Duplicate")

    entry.refresh_from_db()
    assert entry_lines(entry) == [
        ("office_supplies", Decimal("25.00"), ZERO),
        ("bank", ZERO, Decimal("25.00")),
    ]
    assert entry.reversed_by.reverses == entry


@pytest.mark.django_db
def test_unbalanced_entry_rejected_before_writing():
    with (
        pytest.raises(UnbalancedEntryError, match=r"debits 25\.00, credits 24\.99"),
        transaction.atomic(),
    ):
        post_entry(
            event_key="manual:bad",
            kind=JournalEntry.Kind.MANUAL,
            description="Typo",
            postings=[
                debit("office_supplies", Decimal("25.00")),
                credit("bank", Decimal("24.99")),
            ],
        )

    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_unbalanced_entry_rejected_at_commit():
    bank = Account.objects.get(key="bank")

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        entry = JournalEntry.objects.create(
            event_key="manual:raw",
            kind=JournalEntry.Kind.MANUAL,
            description="Written around the ledger",
            entry_date="2026-03-13",
        )
        JournalLine.objects.create(entry=entry, account=bank, debit=5)
        JournalLine.objects.create(entry=entry, account=bank, credit=4)

    assert JournalEntry.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_single_line_entry_rejected_at_commit():
    bank = Account.objects.get(key="bank")

    with (
        pytest.raises(IntegrityError, match="needs at least two"),
        transaction.atomic(),
    ):
        entry = JournalEntry.objects.create(
            event_key="manual:one-line",
            kind=JournalEntry.Kind.MANUAL,
            description="One side only",
            entry_date="2026-03-13",
        )
        JournalLine.objects.create(entry=entry, account=bank, debit=5)

    assert JournalEntry.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_posted_line_update_rejected():
    entry = post_supplies()
    line = entry.lines.get(account__key="bank")

    with (
        pytest.raises(IntegrityError, match="UPDATE of accounting_journalline"),
        transaction.atomic(),
    ):
        JournalLine.objects.filter(pk=line.pk).update(credit=Decimal("30.00"))

    line.refresh_from_db()
    assert line.credit == Decimal("25.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_posted_entry_delete_rejected():
    entry = post_supplies()

    with (
        pytest.raises(IntegrityError, match="DELETE of accounting_journalline"),
        transaction.atomic(),
    ):
        JournalLine.objects.filter(entry=entry).delete()

    assert entry.lines.count() == 2
