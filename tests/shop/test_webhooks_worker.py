"""A real Celery worker on Redis sends a webhook only after commit.

Eager tasks run inside the caller's transaction and would hide a delivery
queued before commit. The worker, started by tests/test_celery_worker.py's
fixture, is a separate process on the same PostgreSQL test database: a
task it received before commit would find no delivery row and send
nothing.
"""

import time

import pytest
from django.db import transaction

from accounting.services import issue_invoice
from shop.models import WebhookDelivery, WebhookEvent
from tests.accounting.conftest import make_paid_order
from tests.fixtures.webhook_receiver import verify
from tests.test_celery_worker import WORKER_TIMEOUT, Worker
from tests.test_celery_worker import worker as worker  # re-exported fixture

from .webhook_setup import SECRET, make_endpoint

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def wait_until_delivered(worker: Worker, delivery: WebhookDelivery) -> None:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status != WebhookDelivery.Status.PENDING:
            return
        assert worker.process.poll() is None, worker.log_tail()
        time.sleep(0.2)
    pytest.fail(f"delivery still pending after {WORKER_TIMEOUT} s\n{worker.log_tail()}")


def test_worker_sends_webhook_after_commit(worker, webhook_receiver):
    make_endpoint(webhook_receiver.url, WebhookEvent.INVOICE_ISSUED)
    order = make_paid_order(email="committed@example.com")

    with transaction.atomic():
        invoice = issue_invoice(order=order)
        # A task sent before commit would reach the worker now.
        time.sleep(1.5)
        received_before_commit = len(webhook_receiver.requests)

    delivery = WebhookDelivery.objects.get()
    [request] = webhook_receiver.wait_for(1)
    wait_until_delivered(worker, delivery)
    assert received_before_commit == 0
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert verify(request, SECRET)
    assert request.json["data"]["invoice"]["number"] == invoice.number
