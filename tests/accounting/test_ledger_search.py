from decimal import Decimal

import pytest
from django.db import transaction

from accounting.admin.ledger import search_entries
from accounting.ledger import credit, debit, post_entry
from accounting.models import JournalEntry
from tests.factories.orders import OrderFactory

pytestmark = pytest.mark.django_db


def post(event_key: str, *, description: str = "Packing tape", order=None):
    amount = Decimal("25.00")
    with transaction.atomic():
        return post_entry(
            event_key=event_key,
            kind=JournalEntry.Kind.MANUAL,
            description=description,
            postings=[debit("office_supplies", amount), credit("bank", amount)],
            order=order,
        )


def keys(entries) -> list[str]:
    return [entry.event_key for entry in entries]


def test_entry_search_by_order_number():
    post("manual:42", order=OrderFactory(number=100042))
    post("manual:43", description="Refund of 100042 noted by hand")

    found = search_entries(JournalEntry.objects.all(), "100042")

    assert keys(found) == ["manual:42"]


def test_entry_search_by_exact_event_key():
    post("sale:order:42")
    post("sale:order:420")

    found = search_entries(JournalEntry.objects.all(), "sale:order:42")

    assert keys(found) == ["sale:order:42"]


def test_entry_search_by_description_part():
    post("manual:1", description="Packing tape")
    post("manual:2", description="Printer paper")

    found = search_entries(JournalEntry.objects.all(), "TAPE")

    assert keys(found) == ["manual:1"]
