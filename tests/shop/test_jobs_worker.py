"""Staff jobs on a real Celery worker: progress commits while the job runs.

The worker and the database are the ones tests/test_celery_worker.py
starts and shares: `celery -A config worker` on a queue of its own, on the
PostgreSQL test database.
"""

import time

import psycopg
import pytest
from django.db import transaction

from fulfillment.label_batch import start_label_batch
from fulfillment.models import Shipment
from shop.models import EmailLog, StaffJob
from tests.fulfillment.label_setup import make_box, make_shipment
from tests.fulfillment.pdf_tools import page_count
from tests.test_celery_worker import (
    WORKER_TIMEOUT,
    Worker,
    database_url,
    wait_for_email_log,
    worker,  # noqa: F401  (the fixture)
)

from .jobs_setup import make_staff

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = StaffJob.Status


def wait_for_job(running: Worker, job: StaffJob, until) -> list[tuple[str, int, int]]:
    """Poll the job's row until `until(job)` and return each state seen."""
    seen: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        state = (job.status, job.progress_done, job.progress_total)
        if not seen or seen[-1] != state:
            seen.append(state)
        if until(job):
            return seen
        assert running.process.poll() is None, running.log_tail()
        time.sleep(0.05)
    pytest.fail(f"job state {seen[-1]} after {WORKER_TIMEOUT} s\n{running.log_tail()}")


def staff_jobs_received(running: Worker) -> int:
    lines = running.log_path.read_text(errors="replace").splitlines()
    return sum(
        "Task shop.tasks.run_staff_job[" in line and line.endswith("] received")
        for line in lines
    )


@pytest.fixture
def packer():
    # The flush after each test of a transactional database deletes the
    # role groups that migrations created, so the permission is the user's.
    return make_staff("packer", permissions=("fulfillment.change_shipment",))


@pytest.fixture
def shipments():
    make_box()
    return [make_shipment() for _ in range(4)]


def test_worker_commits_progress_then_file(worker, packer, shipments):  # noqa: F811
    # A second connection locks the third shipment's row, so the job stops
    # at that label's purchase (buy_label locks the row) and the test can
    # read its progress mid-run.
    with psycopg.connect(database_url()) as blocker:
        blocker.execute(
            "SELECT id FROM fulfillment_shipment WHERE id = %s FOR UPDATE",
            [shipments[2].pk],
        )
        job = start_label_batch(
            shipment_ids=[shipment.pk for shipment in shipments], user=packer
        )
        midway = wait_for_job(worker, job, lambda job: job.progress_done == 2)
        assert midway[-1] == (Status.RUNNING, 2, 4)
        assert job.message == f"Shipment {shipments[1].number}"
        assert job.file.name == ""
        blocker.rollback()

    seen = wait_for_job(worker, job, lambda job: job.status != Status.RUNNING)

    done_values = [done for _, done, _ in midway + seen]
    assert done_values == sorted(done_values)
    assert seen[-1] == (Status.DONE, 4, 4)
    assert page_count(job.file.read()) == 4
    assert Shipment.objects.filter(status=Shipment.Status.LABELLED).count() == 4


def test_worker_emails_requester_link(worker, packer, shipments):  # noqa: F811
    job = start_label_batch(shipment_ids=[shipments[0].pk], user=packer)

    # The email follows the job's DONE status.
    log = wait_for_email_log(worker, reference=f"staff job {job.pk}")

    job.refresh_from_db()
    assert job.status == Status.DONE
    assert log.to == "packer@example.com"
    assert log.status == EmailLog.Status.SENT
    assert log.subject == "Labels for 1 shipment: your file is ready"


def test_worker_rolled_back_start_runs_nothing(
    worker,  # noqa: F811
    packer,
    shipments,
):
    with (
        pytest.raises(RuntimeError, match="selection changed"),
        transaction.atomic(),
    ):
        start_label_batch(shipment_ids=[shipments[0].pk], user=packer)
        raise RuntimeError("selection changed")
    committed = start_label_batch(shipment_ids=[shipments[1].pk], user=packer)

    # The worker takes tasks in order, so once the committed job is done, a
    # task queued by the rolled-back start would have been received.
    wait_for_job(worker, committed, lambda job: job.status == Status.DONE)
    assert list(StaffJob.objects.values_list("pk", flat=True)) == [committed.pk]
    assert staff_jobs_received(worker) == 1
    shipments[0].refresh_from_db()
    assert shipments[0].status == Shipment.Status.READY
