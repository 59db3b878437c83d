"""Sending the nightly reports: once a day, to staff, by task or command."""

import logging
from datetime import UTC, date, datetime

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from inventory import tasks
from inventory.models import ReportRun
from inventory.reports import send_backorder_report, send_reorder_report
from shop.models import EmailLog
from tests.inventory.reports_setup import BUSINESS_DATE, three_waiting_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(settings):
    settings.SHOP_STAFF_EMAILS = ["manager@example.com", "stock@example.com"]


def test_backorder_report_goes_to_each_staff_address(staff):
    three_waiting_lines()

    outcome = send_backorder_report(business_date=BUSINESS_DATE)

    assert outcome.status == "sent"
    assert [message.to for message in mail.outbox] == [
        ["manager@example.com"],
        ["stock@example.com"],
    ]
    assert mail.outbox[0].subject == (
        "Backorder report for 2025-03-14: 7 units on 3 lines"
    )


def test_report_email_attaches_csv_and_html(staff):
    three_waiting_lines()

    send_backorder_report(business_date=BUSINESS_DATE)

    message = mail.outbox[0]
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("backorders-2025-03-14.csv", "text/csv")
    assert content.count("\n") == 4
    assert message.alternatives[0][1] == "text/html"


def test_report_sent_is_logged(staff):
    send_reorder_report(business_date=BUSINESS_DATE)

    logs = EmailLog.objects.filter(kind="reorder_report").order_by("to")
    logs = logs.values_list("to", "kind", "reference", "status")
    assert list(logs) == [
        ("manager@example.com", "reorder_report", "2025-03-14", "sent"),
        ("stock@example.com", "reorder_report", "2025-03-14", "sent"),
    ]


def test_report_sent_once_per_day(staff):
    three_waiting_lines()
    send_backorder_report(business_date=BUSINESS_DATE)

    outcome = send_backorder_report(business_date=BUSINESS_DATE)

    assert outcome.status == "already_sent"
    assert len(mail.outbox) == 2
    assert ReportRun.objects.count() == 1


def test_report_sent_again_next_day(staff):
    send_backorder_report(business_date=BUSINESS_DATE)

    outcome = send_backorder_report(business_date=date(2025, 3, 15))

    assert outcome.status == "sent"
    assert len(mail.outbox) == 4


def test_reports_of_same_day_are_separate(staff):
    send_backorder_report(business_date=BUSINESS_DATE)

    outcome = send_reorder_report(business_date=BUSINESS_DATE)

    assert outcome.status == "sent"
    assert sorted(ReportRun.objects.values_list("report", flat=True)) == [
        "backorders",
        "reorder",
    ]


def test_report_without_staff_sends_nothing(settings, caplog):
    settings.SHOP_STAFF_EMAILS = []

    with caplog.at_level(logging.WARNING, logger="inventory.reports"):
        outcome = send_backorder_report(business_date=BUSINESS_DATE)

    assert outcome.status == "no_recipients"
    assert mail.outbox == []
    assert ReportRun.objects.count() == 0
    assert caplog.messages == [
        "No staff email addresses: backorders report for 2025-03-14 not sent; "
        "set SHOP_STAFF_EMAILS"
    ]


def test_failed_send_leaves_day_unsent(staff, settings):
    settings.EMAIL_BACKEND = "tests.inventory.failing_email.FailingBackend"

    with pytest.raises(OSError):
        send_backorder_report(business_date=BUSINESS_DATE)

    assert ReportRun.objects.count() == 0


def test_report_date_defaults_to_shop_today(staff, monkeypatch):
    # 01:30 UTC on March 15 is 22:30 on March 14 in Halifax.
    moment = datetime(2025, 3, 15, 1, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    outcome = send_reorder_report()

    assert outcome.business_date == date(2025, 3, 14)


def test_task_sends_backorder_report(staff):
    three_waiting_lines()

    status = tasks.send_backorder_report.delay("2025-03-14").get()

    assert status == "sent"
    assert ReportRun.objects.get().business_date == BUSINESS_DATE


def test_task_reports_already_sent(staff):
    tasks.send_reorder_report.delay("2025-03-14")

    status = tasks.send_reorder_report.delay("2025-03-14").get()

    assert status == "already_sent"
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("entry", "task"),
    [
        ("send-backorder-report", tasks.send_backorder_report),
        ("send-reorder-report", tasks.send_reorder_report),
    ],
)
def test_beat_runs_reports_at_two(entry, task):
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]

    assert schedule["task"] == task.name
    assert isinstance(schedule["schedule"], crontab)
    assert schedule["schedule"].hour == {2}
    assert schedule["schedule"].minute == {0}


def test_beat_runs_in_shop_time_zone():
    assert settings.CELERY_TIMEZONE == settings.SHOP_TIME_ZONE


def test_command_sends_report_for_date(staff, capsys):
    call_command("send_backorder_report", "--date", "2025-03-14")

    assert capsys.readouterr().out == (
        "Sent the backorder report for 2025-03-14 to "
        "manager@example.com, stock@example.com.\n"
    )
    assert len(mail.outbox) == 2


def test_command_says_already_sent(staff, capsys):
    call_command("send_reorder_report", "--date", "2025-03-14")

    call_command("send_reorder_report", "--date", "2025-03-14")

    assert capsys.readouterr().out.splitlines()[-1] == (
        "The reorder report for 2025-03-14 was already sent."
    )
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("value", ["2025-13-01", "14/03/2025", "tomorrow"])
def test_command_rejects_bad_date(staff, value):
    with pytest.raises(CommandError) as error:
        call_command("send_backorder_report", "--date", value)

    assert str(error.value) == (
        f"Invalid --date '{value}': use YYYY-MM-DD, for example 2025-03-14."
    )
    assert mail.outbox == []
    assert ReportRun.objects.count() == 0


def test_command_without_staff_fails(settings):
    settings.SHOP_STAFF_EMAILS = []

    with pytest.raises(CommandError) as error:
        call_command("send_reorder_report", "--date", "2025-03-14")

    assert str(error.value) == (
        "No staff email addresses: the reorder report for 2025-03-14 was not "
        "sent. Set SHOP_STAFF_EMAILS to a comma-separated list."
    )
