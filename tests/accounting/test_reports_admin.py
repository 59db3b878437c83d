from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.accounting.reports_setup import make_order, post_owner_investment, post_sale

pytestmark = pytest.mark.django_db

PAID_AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def books():
    post_owner_investment(day=date(2026, 3, 1))
    order = make_order("NS", "100.00", "10.00", [("HST", "0.14")], paid_at=PAID_AT)
    post_sale(order, day=date(2026, 3, 10))
    return order


def test_admin_index_links_reports(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert reverse("admin:accounting_reports") in response.content.decode()
    assert "Reports and exports" in response.content.decode()


def test_trial_balance_page_totals(admin_client, books):
    url = reverse("admin:accounting_reports_trial_balance")

    response = admin_client.get(url, MARCH)

    report = response.context["report"]
    assert report.total_debit == report.total_credit
    assert str(report.total_debit) == "5125.40"
    assert "5125.40" in response.content.decode()


def test_sales_tax_page_return_lines(admin_client, books):
    url = reverse("admin:accounting_reports_sales_tax")

    response = admin_client.get(url, MARCH)

    content = response.content.decode()
    assert '101 Sales and other revenue</td><td class="amount">110.00' in content
    assert '109 Net tax</th><th class="amount">15.40' in content


def test_report_page_rejects_reversed_period(admin_client, books):
    url = reverse("admin:accounting_reports_income_statement")

    response = admin_client.get(url, {"start": "2026-03-31", "end": "2026-03-01"})

    assert "report" not in response.context
    assert (
        "starts on 2026-03-31 after it ends on 2026-03-01" in response.content.decode()
    )


def test_export_download_csv(admin_client, books):
    url = reverse("admin:accounting_reports_export")

    response = admin_client.get(url, {"format": "csv", **MARCH})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="journal-csv-2026-03-01-2026-03-31.csv"'
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "Date,Entry,Event key,Account code,Account name,Debit,Credit,Memo,Documents"
    )
    assert len(lines) == 1 + 2 + 4


def test_export_download_unknown_format(admin_client, books):
    url = reverse("admin:accounting_reports_export")

    response = admin_client.get(url, {"format": "sage", **MARCH})

    assert response.status_code == 400
    assert "Unknown export format &#x27;sage&#x27;" in response.content.decode()


def test_reports_need_ledger_permission(client):
    staff = User.objects.create_user("clerk", password="pw-not-used", is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("admin:accounting_reports_trial_balance"), MARCH)

    assert response.status_code == 403
