from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from accounting.export_jobs import (
    export_journal_file,
    month_periods,
    runs_as_job,
    start_journal_export,
)
from accounting.exports import FORMATS, export_journal
from accounting.reports import Period
from shop.jobs import JobError, Progress
from shop.models import StaffJob
from shop.roles import ACCOUNTING
from tests.accounting.reports_setup import (
    make_invoice,
    make_order,
    make_supplier_bill,
    post_owner_investment,
    post_sale,
    post_supplier_bill,
)
from tests.shop.jobs_setup import make_staff, record_progress

pytestmark = pytest.mark.django_db

Status = StaffJob.Status
YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
YEAR_QUERY = {"start": "2025-01-01", "end": "2025-12-31"}
EXPORT = reverse("admin:accounting_reports_export")


@pytest.fixture
def bookkeeper():
    return make_staff("bookkeeper", role=ACCOUNTING)


@pytest.fixture
def year_of_books():
    """Sales in four months of 2025, posted out of date order, a bill, and
    one sale on each side of the year that the export must leave out."""
    for number, day in enumerate(
        [date(2025, 12, 31), date(2025, 1, 15), date(2025, 7, 1), date(2025, 3, 31)],
        start=1,
    ):
        paid_at = datetime(day.year, day.month, day.day, 14, tzinfo=UTC)
        order = make_order("QC", "50.00", "10.00", [("GST", "0.05")], paid_at=paid_at)
        post_sale(order, day=day, invoice=make_invoice(order, number))
    post_owner_investment(day=date(2025, 1, 1))
    post_supplier_bill(
        make_supplier_bill("MP-7", "60.00", "8.40", bill_date=date(2025, 7, 1))
    )
    for day in (date(2024, 12, 31), date(2026, 1, 1)):
        paid_at = datetime(day.year, day.month, day.day, 14, tzinfo=UTC)
        order = make_order("NS", "20.00", "0.00", [("HST", "0.14")], paid_at=paid_at)
        post_sale(order, day=day)


@pytest.fixture
def run_export(bookkeeper, django_capture_on_commit_callbacks):
    def start_and_run(format_code, period=YEAR):
        with django_capture_on_commit_callbacks(execute=True):
            job = start_journal_export(
                period=period, format_code=format_code, user=bookkeeper
            )
        job.refresh_from_db()
        return job

    return start_and_run


@pytest.mark.parametrize("format_code", ["csv", "qbo", "xero", "beancount"])
def test_export_job_file_matches_direct_export(year_of_books, run_export, format_code):
    direct = export_journal(period=YEAR, format_code=format_code)

    job = run_export(format_code)

    assert job.status == Status.DONE
    assert job.file.read() == direct.content.encode("utf-8")
    assert job.file.name.endswith(f"/{job.pk}/{direct.filename}")


def test_export_job_summary_counts_entries(year_of_books, run_export):
    job = run_export("csv")

    assert job.message == "6 entries, 21 lines, 2025-01-01 to 2025-12-31."
    assert job.title == "Journal export, CSV journal lines, 2025-01-01 to 2025-12-31"


def test_export_job_warns_over_xero_line_limit(year_of_books, run_export, monkeypatch):
    monkeypatch.setitem(FORMATS, "xero", replace(FORMATS["xero"], max_lines=10))

    job = run_export("xero")

    assert job.message == (
        "6 entries, 21 lines, 2025-01-01 to 2025-12-31. Xero manual journal "
        "import takes at most 10 lines per file: export shorter periods for "
        "the import."
    )


def test_export_job_progress_counts_months(year_of_books, run_export, monkeypatch):
    reports = record_progress(monkeypatch)

    job = run_export("csv")

    assert len(reports) == 13
    assert reports[0] == (0, 12, "Starting")
    assert reports[1] == (1, 12, "Read January 2025: 2 entries")
    assert reports[3] == (3, 12, "Read March 2025: 3 entries")
    assert reports[12] == (12, 12, "Read December 2025: 6 entries")
    assert [done for done, _, _ in reports] == list(range(13))
    assert (job.progress_done, job.progress_total) == (12, 12)


def test_export_job_rejects_invalid_params(bookkeeper):
    job = StaffJob.objects.create(
        kind="journal_export",
        title="Journal export",
        params={"start": "2025-13-01", "end": "2025-12-31", "format": "csv"},
        requested_by=bookkeeper,
    )

    with pytest.raises(JobError) as raised:
        export_journal_file(job, Progress(job.pk))

    assert str(raised.value).startswith(
        "The export's parameters {'start': '2025-13-01', 'end': '2025-12-31', "
        "'format': 'csv'} are invalid (Invalid start date '2025-13-01'"
    )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 1, 1), date(2025, 1, 31), [("2025-01-01", "2025-01-31")]),
        (date(2025, 1, 10), date(2025, 1, 20), [("2025-01-10", "2025-01-20")]),
        (
            date(2024, 12, 15),
            date(2025, 2, 3),
            [
                ("2024-12-15", "2024-12-31"),
                ("2025-01-01", "2025-01-31"),
                ("2025-02-01", "2025-02-03"),
            ],
        ),
        (
            date(2024, 2, 28),
            date(2024, 3, 1),
            [("2024-02-28", "2024-02-29"), ("2024-03-01", "2024-03-01")],
        ),
    ],
)
def test_month_periods_split_at_months(start, end, months):
    periods = month_periods(Period(start, end))

    assert [(str(p.start), str(p.end)) for p in periods] == months


@pytest.mark.parametrize(
    ("end", "expected"),
    [(date(2025, 4, 2), False), (date(2025, 4, 3), True)],
)
def test_runs_as_job_after_92_days(end, expected):
    # January 1 to April 2, 2025 is 92 days, and to April 3 is 93.
    assert runs_as_job(Period(date(2025, 1, 1), end)) is expected


def test_long_export_link_asks_to_confirm(client, bookkeeper, year_of_books):
    client.force_login(bookkeeper)

    response = client.get(EXPORT, {"format": "csv", **YEAR_QUERY})

    content = response.content.decode()
    assert response.status_code == 200
    assert "The period covers 365 days." in " ".join(content.split())
    assert '<form method="post" action="?' in content
    assert StaffJob.objects.count() == 0


def test_long_export_post_starts_job(
    client, bookkeeper, year_of_books, django_capture_on_commit_callbacks
):
    client.force_login(bookkeeper)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{EXPORT}?format=qbo&start=2025-01-01&end=2025-12-31")

    job = StaffJob.objects.get()
    jobs_page = reverse("admin:shop_staffjob_changelist")
    [message] = list(get_messages(response.wsgi_request))
    assert response.status_code == 302
    assert response["Location"] == jobs_page
    assert message.message == (
        "Journal export, QuickBooks Online journal import, 2025-01-01 to "
        f'2025-12-31 started. Follow it on <a href="{jobs_page}">Files and long '
        "actions</a>. You also get an email with the file's link when it is done."
    )
    assert job.requested_by == bookkeeper
    assert job.params == {"start": "2025-01-01", "end": "2025-12-31", "format": "qbo"}
    assert job.status == Status.DONE
    assert job.file.read() == (
        export_journal(period=YEAR, format_code="qbo").content.encode("utf-8")
    )


def test_short_export_downloads_directly(client, bookkeeper, year_of_books):
    client.force_login(bookkeeper)

    response = client.get(
        EXPORT, {"format": "csv", "start": "2025-01-01", "end": "2025-03-31"}
    )

    assert response["Content-Disposition"] == (
        'attachment; filename="journal-csv-2025-01-01-2025-03-31.csv"'
    )
    assert StaffJob.objects.count() == 0


def test_export_job_needs_ledger_permission(client):
    clerk = User.objects.create_user("clerk", password="pw-not-used", is_staff=True)
    client.force_login(clerk)

    response = client.post(f"{EXPORT}?format=csv&start=2025-01-01&end=2025-12-31")

    assert response.status_code == 403
    assert StaffJob.objects.count() == 0
