import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from shop import job_sweeps
from shop.jobs import run_job, start_job
from shop.models import EmailLog, StaffJob
from shop.roles import FULFILLMENT
from shop.tasks import sweep_staff_jobs

from .jobs_setup import make_staff, queued_job, register_test_kinds, start_and_run

pytestmark = pytest.mark.django_db

Status = StaffJob.Status


@pytest.fixture(autouse=True)
def _test_kinds(monkeypatch):
    register_test_kinds(monkeypatch)


@pytest.fixture
def packer():
    return make_staff("packer", role=FULFILLMENT)


def test_job_runs_to_done_with_file(packer, django_capture_on_commit_callbacks):
    job = start_and_run(packer, django_capture_on_commit_callbacks)

    assert job.status == Status.DONE
    assert job.file.name.startswith("staff-jobs/")
    assert job.file.name.endswith(f"/{job.pk}/count.txt")
    assert job.file.read() == b"1\n2\n3\n"
    assert job.message == "Counted to 3."
    assert job.started_at is not None
    assert job.finished_at >= job.started_at


def test_job_progress_reaches_total(packer, django_capture_on_commit_callbacks):
    job = start_and_run(packer, django_capture_on_commit_callbacks)

    assert job.progress_done == 3
    assert job.progress_total == 3


def test_rolled_back_start_queues_nothing(packer, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError, match="order check failed"),
        transaction.atomic(),
    ):
        start_job(kind="count", title="Count", params={}, user=packer)
        raise RuntimeError("order check failed")

    assert callbacks == []
    assert StaffJob.objects.count() == 0


def test_start_job_rejects_unknown_kind(packer):
    with pytest.raises(ValueError, match="Unknown staff job kind 'labels'"):
        start_job(kind="labels", title="Labels", params={}, user=packer)

    assert StaffJob.objects.count() == 0


def test_start_job_requires_kind_permission():
    clerk = make_staff("clerk")

    with pytest.raises(PermissionDenied, match=r"fulfillment\.view_shipment"):
        start_job(kind="count", title="Count", params={}, user=clerk)

    assert StaffJob.objects.count() == 0


def test_job_error_fails_with_its_message(packer, django_capture_on_commit_callbacks):
    job = start_and_run(packer, django_capture_on_commit_callbacks, kind="reject")

    assert job.status == Status.FAILED
    assert job.message == (
        "Nothing to count: the list is empty. Add items and start again."
    )
    assert job.file.name == ""
    assert job.finished_at is not None


def test_unexpected_error_fails_and_logs(
    packer, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.ERROR, logger="shop.jobs"):
        job = start_and_run(packer, django_capture_on_commit_callbacks, kind="divide")

    assert job.status == Status.FAILED
    assert job.message == (
        "The job stopped on an unexpected error (ZeroDivisionError: division by "
        "zero) and no file was saved. Start it again. If it fails again, report "
        f"staff job {job.pk}: the worker's log has the details."
    )
    [record] = caplog.records
    assert record.getMessage() == f"Staff job {job.pk} failed"
    assert record.staff_job_id == job.pk
    assert record.exc_info[0] is ZeroDivisionError


def test_time_limit_fails_with_message(packer, django_capture_on_commit_callbacks):
    job = start_and_run(packer, django_capture_on_commit_callbacks, kind="timeout")

    assert job.status == Status.FAILED
    assert job.message == (
        "The job was stopped after 59 minutes, the time limit of a staff job, "
        "and no file was saved. Start it again with fewer items."
    )


def test_run_job_twice_runs_once(packer, django_capture_on_commit_callbacks):
    job = start_and_run(packer, django_capture_on_commit_callbacks)
    finished_at = job.finished_at

    second = run_job(job_id=job.pk)

    job.refresh_from_db()
    assert second is None
    assert job.finished_at == finished_at
    assert len(mail.outbox) == 1


def test_done_job_emails_download_link(
    packer, django_capture_on_commit_callbacks, settings
):
    settings.SHOP_BASE_URL = "https://shop.example.ca"

    job = start_and_run(packer, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["packer@example.com"]
    assert message.subject == "Test count: your file is ready"
    assert (
        f"Download count.txt:\nhttps://shop.example.ca/admin/shop/staffjob/"
        f"{job.pk}/download/\n" in message.body
    )
    assert "Counted to 3." in message.body
    log = EmailLog.objects.get()
    assert log.status == EmailLog.Status.SENT
    assert log.kind == "staff_job"
    assert log.reference == f"staff job {job.pk}"


def test_failed_job_emails_reason(packer, django_capture_on_commit_callbacks):
    start_and_run(packer, django_capture_on_commit_callbacks, kind="reject")

    [message] = mail.outbox
    assert message.subject == "Test reject: failed"
    assert "Nothing to count: the list is empty." in message.body
    assert "/download/" not in message.body


def test_job_without_requester_email_sends_none(django_capture_on_commit_callbacks):
    packer = make_staff("no-email", role=FULFILLMENT)
    packer.email = ""
    packer.save()

    job = start_and_run(packer, django_capture_on_commit_callbacks)

    assert job.status == Status.DONE
    assert mail.outbox == []


def test_mail_error_keeps_job_done(
    packer, django_capture_on_commit_callbacks, smtp_server
):
    smtp_server.reject_with(554)

    job = start_and_run(packer, django_capture_on_commit_callbacks)

    assert job.status == Status.DONE
    assert EmailLog.objects.get().status == EmailLog.Status.FAILED


def test_broker_down_leaves_job_queued(
    packer, django_capture_on_commit_callbacks, celery_broker, closed_port
):
    celery_broker.use(f"redis://127.0.0.1:{closed_port}/15")

    job = start_and_run(packer, django_capture_on_commit_callbacks)

    assert job.status == Status.QUEUED
    assert job.started_at is None


def test_sweep_runs_job_lost_by_broker(
    packer, django_capture_on_commit_callbacks, celery_broker, closed_port
):
    celery_broker.use(f"redis://127.0.0.1:{closed_port}/15")
    job = start_and_run(packer, django_capture_on_commit_callbacks)
    StaffJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    celery_broker.restore()

    result = sweep_staff_jobs.delay().get()

    job.refresh_from_db()
    assert result == {"queued": 1, "failed": 0}
    assert job.status == Status.DONE
    assert job.file.read() == b"1\n2\n3\n"


def test_sweep_leaves_fresh_queued_job(packer):
    job = queued_job(packer)

    result = sweep_staff_jobs.delay().get()

    job.refresh_from_db()
    assert result == {"queued": 0, "failed": 0}
    assert job.status == Status.QUEUED


def test_sweep_fails_abandoned_running_job(packer):
    started_at = timezone.now() - timedelta(minutes=71)
    job = queued_job(packer, status=Status.RUNNING, started_at=started_at)

    result = sweep_staff_jobs.delay().get()

    job.refresh_from_db()
    started = timezone.localtime(started_at)
    assert result == {"queued": 0, "failed": 1}
    assert job.status == Status.FAILED
    assert job.message == (
        f"The worker running this job stopped before it finished: the job "
        f"started at {started:%Y-%m-%d %H:%M} and a staff job is stopped after "
        f"60 minutes. No file was saved. Start the job again."
    )
    [message] = mail.outbox
    assert message.subject == "Test count: failed"


def test_sweep_leaves_job_running_within_limit(packer):
    started_at = timezone.now() - timedelta(minutes=69)
    job = queued_job(packer, status=Status.RUNNING, started_at=started_at)

    failed = job_sweeps.fail_abandoned_jobs()

    job.refresh_from_db()
    assert failed == []
    assert job.status == Status.RUNNING
    assert mail.outbox == []


def test_failed_job_not_run_again(packer):
    job = queued_job(packer, status=Status.FAILED, message="Worker died.")

    assert run_job(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message == "Worker died."


def test_job_failed_by_sweep_finishing_is_done(
    packer, django_capture_on_commit_callbacks
):
    job = start_and_run(packer, django_capture_on_commit_callbacks, kind="late")

    assert job.status == Status.DONE
    assert job.file.read() == b"late\n"


def test_beat_schedules_staff_job_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-staff-jobs"]

    assert entry["task"] == "shop.tasks.sweep_staff_jobs"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == 300.0
