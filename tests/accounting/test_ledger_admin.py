from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.admin.ledger import JournalEntryAdmin, JournalLineAdmin
from accounting.ledger import credit, debit, post_entry, reverse_entry
from accounting.models import Account, JournalEntry
from tests.accounting.ledger_setup import entry_lines

ZERO = Decimal("0.00")
ENTRIES_URL = reverse("admin:accounting_journalentry_changelist")
LINES_URL = reverse("admin:accounting_journalline_changelist")


def post_supplies(number, amount=Decimal("25.00")):
    with transaction.atomic():
        return post_entry(
            event_key=f"manual:supplies-{number}",
            kind=JournalEntry.Kind.MANUAL,
            description=f"Packing tape {number}",
            postings=[debit("office_supplies", amount), credit("bank", amount)],
        )


def reverse_action(client, entries, **extra):
    return client.post(
        ENTRIES_URL,
        {
            "action": "reverse_entries",
            ACTION_CHECKBOX_NAME: [entry.pk for entry in entries],
            **extra,
        },
    )


@pytest.mark.django_db
def test_account_list_shows_balance_on_normal_side(admin_client):
    post_supplies(1)

    response = admin_client.get(reverse("admin:accounting_account_changelist"))

    rows = {row.key: row for row in response.context["cl"].result_list}
    admin_class = response.context["cl"].model_admin
    assert admin_class.balance(rows["office_supplies"]) == Decimal("25.00")
    assert admin_class.balance(rows["bank"]) == Decimal("-25.00")


@pytest.mark.django_db
def test_account_key_and_type_read_only(admin_client):
    bank = Account.objects.get(key="bank")

    admin_client.post(
        reverse("admin:accounting_account_change", args=[bank.pk]),
        {
            "code": "1001",
            "name": "Chequing, Harbour Credit Union",
            "key": "cash",
            "type": "expense",
            "description": "Main account",
            "is_active": "on",
        },
    )

    bank.refresh_from_db()
    assert (bank.code, bank.name) == ("1001", "Chequing, Harbour Credit Union")
    assert (bank.key, bank.type) == ("bank", "asset")


@pytest.mark.django_db
def test_reverse_action_asks_for_reason(admin_client):
    entry = post_supplies(1)

    response = reverse_action(admin_client, [entry])

    assert response.status_code == 200
    assert "Packing tape 1" in response.content.decode()
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_reverse_action_posts_reversal(admin_client, admin_user):
    entry = post_supplies(1)

    response = reverse_action(
        admin_client, [entry], apply="Reverse", reason="Paid by the owner"
    )

    assert response.status_code == 302
    reversal = JournalEntry.objects.get(reverses=entry)
    assert reversal.posted_by == admin_user
    assert reversal.description == "Reversal of Packing tape 1: Paid by the owner"
    assert entry_lines(reversal) == [
        ("office_supplies", ZERO, Decimal("25.00")),
        ("bank", Decimal("25.00"), ZERO),
    ]


@pytest.mark.django_db
def test_reverse_action_without_reason_posts_nothing(admin_client):
    entry = post_supplies(1)

    response = reverse_action(admin_client, [entry], apply="Reverse", reason=" ")

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_reverse_action_skips_reversed_entries(admin_client):
    done = post_supplies(1)
    reverse_action(admin_client, [done], apply="Reverse", reason="Duplicate")
    fresh = post_supplies(2)

    reverse_action(admin_client, [done, fresh], apply="Reverse", reason="Typo")

    assert JournalEntry.objects.filter(reverses=done).count() == 1
    assert JournalEntry.objects.get(reverses=fresh).description.endswith(": Typo")


@pytest.mark.django_db
def test_entry_search_by_key_and_text(admin_client):
    post_supplies(1)
    post_supplies(2)

    by_key = admin_client.get(ENTRIES_URL, {"q": "manual:supplies-2"})
    by_text = admin_client.get(ENTRIES_URL, {"q": "tape"})

    assert [e.description for e in by_key.context["cl"].result_list] == [
        "Packing tape 2"
    ]
    assert by_text.context["cl"].result_count == 2


def changelist_queries(client, url, monkeypatch, admin_class, per_page):
    monkeypatch.setattr(admin_class, "list_per_page", per_page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == per_page
    return len(queries)


@pytest.mark.django_db
def test_entry_changelist_queries_fixed(admin_client, monkeypatch):
    for number in range(20):
        entry = post_supplies(number)
        if number % 3 == 0:
            with transaction.atomic():
                reverse_entry(entry=entry, reason="Duplicate")
    args = (admin_client, ENTRIES_URL, monkeypatch, JournalEntryAdmin)

    assert changelist_queries(*args, 5) == changelist_queries(*args, 20)


@pytest.mark.django_db
def test_line_changelist_queries_fixed(admin_client, monkeypatch):
    for number in range(20):
        post_supplies(number)
    args = (admin_client, LINES_URL, monkeypatch, JournalLineAdmin)

    assert changelist_queries(*args, 5) == changelist_queries(*args, 40)
