"""A real Celery worker on Redis sends the invoice email only after commit.

Eager tasks run inside the caller's process and transaction, so they would
hide a task queued before commit or one queued by a rolled-back payment.
These tests start `celery -A config worker` as a subprocess on a queue of
their own, pointed at the same test database through DATABASE_URL.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from accounting.services import issue_invoice
from shop.models import EmailLog
from tests.accounting.conftest import make_paid_order

# The worker and postgres markers skip these tests (or fail them under CI)
# unless CELERY_BROKER_URL names a reachable Redis and DATABASE_URL names
# PostgreSQL, which a second process can share; SQLite's test database
# lives in memory.
pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

WORKER_TIMEOUT = 30


def database_url() -> str:
    """Return a DATABASE_URL naming the test database this process uses."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}{db['HOST']}:{port}/{db['NAME']}"


class Worker:
    """A `celery worker` subprocess consuming one queue."""

    def __init__(self, queue: str, log_path: Path) -> None:
        self.queue = queue
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool=solo", "--queues", self.queue,
            "--hostname", f"{self.queue}@%h", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + WORKER_TIMEOUT
        while "ready." not in self.log_path.read_text(errors="replace"):
            assert self.process.poll() is None, self.log_tail()
            assert time.monotonic() < deadline, self.log_tail()
            time.sleep(0.2)

    def tasks_received(self) -> int:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return sum(
            "Task accounting.tasks.send_invoice_email[" in line
            and line.endswith("] received")
            for line in lines
        )

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


@pytest.fixture
def worker(transactional_db, celery_broker, tmp_path):
    """Start a worker on its own queue; stop it before the database flush."""
    queue = f"test-invoices-{uuid.uuid4().hex[:12]}"
    celery_broker.use(settings.CELERY_BROKER_URL, queue=queue)
    worker = Worker(queue, tmp_path / "worker.log")
    worker.start()
    worker.wait_until_ready()
    yield worker
    worker.stop()
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def wait_for_email_log(worker: Worker, **filters) -> EmailLog:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        log = EmailLog.objects.filter(**filters).first()
        if log is not None:
            return log
        assert worker.process.poll() is None, worker.log_tail()
        time.sleep(0.2)
    pytest.fail(f"no email logged within {WORKER_TIMEOUT} s\n{worker.log_tail()}")


def test_worker_emails_invoice_after_commit(worker):
    order = make_paid_order(email="committed@example.com")

    with transaction.atomic():
        invoice = issue_invoice(order=order)
        # A task sent before commit would reach the worker now, find no
        # invoice row yet and send nothing.
        time.sleep(1.5)

    log = wait_for_email_log(worker, to="committed@example.com")
    invoice.refresh_from_db()
    assert log.status == EmailLog.Status.SENT
    assert log.reference == str(invoice.number)
    assert invoice.emailed_at is not None
    assert invoice.pdf.name.endswith(f"invoice-{invoice.number}.pdf")


def test_worker_rolled_back_invoice_sends_nothing(worker):
    rolled_back = make_paid_order(email="rolled-back@example.com")
    committed = make_paid_order(email="committed@example.com")

    with (
        pytest.raises(RuntimeError, match="stock check failed"),
        transaction.atomic(),
    ):
        issue_invoice(order=rolled_back)
        raise RuntimeError("stock check failed")
    with transaction.atomic():
        issue_invoice(order=committed)

    # The worker takes tasks in order, so once the committed invoice is
    # emailed, a task queued by the rolled-back one would have been received.
    wait_for_email_log(worker, to="committed@example.com")
    assert list(EmailLog.objects.values_list("to", flat=True)) == [
        "committed@example.com"
    ]
    assert worker.tasks_received() == 1
