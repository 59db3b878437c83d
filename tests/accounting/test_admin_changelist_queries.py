from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounting.ledger import credit, debit, post_entry, reverse_entry
from accounting.models import JournalEntry
from tests.changelist_queries import PAGE_SIZES, set_page_size
from tests.factories.orders import OrderFactory

URL = reverse("admin:accounting_journalentry_changelist")


def create_entries(count: int) -> None:
    """Post `count` entries against orders, every third one reversed."""
    order = OrderFactory(number=100042)
    with transaction.atomic():
        for index in range(count):
            entry = post_entry(
                event_key=f"manual:tape-{index}",
                kind=JournalEntry.Kind.MANUAL,
                description=f"Packing tape {index}",
                postings=[
                    debit("office_supplies", Decimal("25.00")),
                    credit("bank", Decimal("25.00")),
                ],
                order=order,
            )
            if index % 3 == 0:
                reverse_entry(entry=entry, reason="Entered twice")


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "per_page"), PAGE_SIZES)
@pytest.mark.parametrize("query", ["", "?q=100042", "?kind__exact=manual"])
def test_journal_changelist_queries_fixed(
    admin_client, django_assert_num_queries, monkeypatch, rows, per_page, query
):
    create_entries(rows)
    set_page_size(monkeypatch, JournalEntry, per_page)

    with django_assert_num_queries(6):
        response = admin_client.get(URL + query)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == per_page
    amounts = {entry.amount for entry in response.context["cl"].result_list}
    assert amounts == {Decimal("25.00")}
