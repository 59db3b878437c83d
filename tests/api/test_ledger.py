import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from accounting.ledger import credit, debit, post_entry
from accounting.models import Account, JournalEntry
from shop.roles import ACCOUNTING

ENTRIES = "/api/journal-entries/"
ACCOUNTS = "/api/accounts/"


@pytest.fixture
def accountant(api_client_for):
    return api_client_for(ACCOUNTING)


@pytest.fixture
def chart():
    return {
        "bank": Account.objects.create(
            code="9100", name="Test bank", type=Account.Type.ASSET
        ),
        "sales": Account.objects.create(
            code="9400", name="Test sales", type=Account.Type.REVENUE
        ),
        "rent": Account.objects.create(
            code="9600", name="Test rent", type=Account.Type.EXPENSE
        ),
    }


def post(key: str, debit_account, credit_account, amount: str, day: int):
    with transaction.atomic():
        return post_entry(
            event_key=key,
            kind=JournalEntry.Kind.MANUAL,
            description=f"Entry {key}",
            entry_date=datetime.date(2026, 4, day),
            postings=[
                debit(debit_account, Decimal(amount)),
                credit(credit_account, Decimal(amount)),
            ],
        )


@pytest.mark.django_db
def test_journal_entry_lists_lines_with_accounts(accountant, chart):
    entry = post("manual:1", chart["bank"], chart["sales"], "125.40", 1)

    body = accountant.get(f"{ENTRIES}{entry.pk}/").json()

    assert body["event_key"] == "manual:1"
    assert body["entry_date"] == "2026-04-01"
    lines = [
        (line["account_code"], line["debit"], line["credit"]) for line in body["lines"]
    ]
    assert lines == [("9100", "125.40", "0.00"), ("9400", "0.00", "125.40")]


@pytest.mark.django_db
def test_journal_filter_by_account_and_dates(accountant, chart):
    post("manual:1", chart["bank"], chart["sales"], "10.00", 1)
    post("manual:2", chart["rent"], chart["bank"], "20.00", 2)
    post("manual:3", chart["rent"], chart["bank"], "30.00", 3)

    response = accountant.get(
        ENTRIES,
        {"account": "9600", "date_from": "2026-04-01", "date_to": "2026-04-02"},
    )

    assert [row["event_key"] for row in response.json()["results"]] == ["manual:2"]


@pytest.mark.django_db
def test_accounts_list_by_code(accountant, chart):
    response = accountant.get(ACCOUNTS, {"type": "expense"})

    rows = response.json()["results"]
    assert [(row["code"], row["name"]) for row in rows if row["code"] >= "9"] == [
        ("9600", "Test rent")
    ]
    assert {row["type"] for row in rows} == {"expense"}


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 3])
def test_journal_page_query_count_is_fixed(
    accountant, chart, django_assert_num_queries, page_size
):
    for number in range(3):
        post(f"manual:{number}", chart["bank"], chart["sales"], "1.00", number + 1)

    # Token, permissions (2), count, entries, lines with their accounts.
    with django_assert_num_queries(6):
        response = accountant.get(ENTRIES, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
