"""Sending deliveries to a real receiver: retries, failure, sweep, resend.

Each test records an event with emit() in a block run as a committed
transaction (the `committed` fixture), so its delivery task runs eagerly
at the end of the block. A failed attempt also queues its retry eagerly,
and that run sends nothing because the delivery is not due yet. So these
tests make a later attempt by calling deliver() at the due time.
"""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shop import webhook_delivery
from shop.models import WebhookDelivery, WebhookEvent
from shop.webhook_delivery import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    Outcome,
    deliver,
    retry_delay,
    sign,
)
from shop.webhook_tasks import deliver_webhook, queue_due_webhook_deliveries
from shop.webhooks import WebhookError, emit, resend_delivery
from tests.fixtures.webhook_receiver import verify

from .webhook_setup import SECRET, make_endpoint

pytestmark = pytest.mark.django_db

DATA = {"order": {"number": 100042, "total_amount": "77.52"}}
# The worked example of docs/webhooks.md, "Verifying a signature".
DOCS_BODY = (
    b'{"id":"5f0c8c38-8a5e-4b43-9d0e-3f4b8f5c2a11","type":"stock.changed",'
    b'"created":"2026-03-14T02:30:00Z","data":{"stock":{"sku":"MUG-BLUE",'
    b'"location":"shop","quantity_on_hand":10,"quantity_allocated":3,'
    b'"quantity_available":7,"movement_id":5120}}}'
)
DOCS_SIGNATURE = "08af53ed75aada4cd6c911b2d69093852275e28a4201b42915aafd089160776d"


@pytest.fixture
def endpoint(webhook_receiver):
    return make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID)


def emit_order_paid(committed) -> WebhookDelivery:
    with committed():
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 5), (3, 30), (4, 120), (5, 300), (6, 480), (7, 480)],
)
def test_retry_delay_follows_schedule(attempts, minutes):
    assert retry_delay(attempts, jitter=lambda: 0) == timedelta(minutes=minutes)
    assert retry_delay(attempts, jitter=lambda: 1) == timedelta(minutes=minutes * 1.1)


def test_retry_delay_none_after_last_attempt():
    assert MAX_ATTEMPTS == 8
    assert retry_delay(8) is None


def test_sign_matches_documented_example():
    signature = sign("whsec_docs-example-secret", 1773455400, DOCS_BODY)

    assert signature == DOCS_SIGNATURE


def test_server_error_schedules_retry(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(500)
    before = timezone.now()

    delivery = emit_order_paid(committed)

    after = timezone.now()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.response_status == 500
    assert delivery.response_body == "status 500"
    assert delivery.error == "The receiver answered HTTP 500, not 2xx."
    assert before + timedelta(minutes=1) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= after + timedelta(minutes=1.1)
    assert len(webhook_receiver.requests) == 1


def test_retry_not_sent_before_due(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(500)
    delivery = emit_order_paid(committed)

    attempted = deliver(
        delivery_id=delivery.pk, now=delivery.next_attempt_at - timedelta(seconds=1)
    )

    assert attempted is None
    assert len(webhook_receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_retry_at_due_time_delivers(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(500)
    delivery = emit_order_paid(committed)

    deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    first, second = webhook_receiver.requests
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert delivery.response_status == 204
    assert delivery.error == ""
    assert delivery.next_attempt_at is None
    assert delivery.delivered_at is not None
    assert second.body == first.body
    assert verify(second, SECRET)


def test_delivery_failed_after_max_attempts(
    endpoint, committed, webhook_receiver, caplog
):
    webhook_receiver.answer_all(500)
    delivery = emit_order_paid(committed)
    waits = []

    while delivery.status == WebhookDelivery.Status.PENDING:
        attempted_at = timezone.now()
        deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - attempted_at)

    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 8
    assert delivery.next_attempt_at is None
    assert len(webhook_receiver.requests) == 8
    assert len(waits) == 6
    for wait, delay in zip(waits, RETRY_DELAYS[1:], strict=False):
        assert delay <= wait <= delay * 1.1 + timedelta(seconds=5)
    [failure] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failure.getMessage() == (
        f"Webhook delivery {delivery.pk} to endpoint Warehouse ERP failed after 8 "
        "attempts: The receiver answered HTTP 500, not 2xx."
    )
    assert failure.delivery_id == delivery.pk
    assert failure.endpoint_id == endpoint.pk


def test_unreachable_receiver_schedules_retry(committed, closed_port, caplog):
    endpoint = make_endpoint(
        f"http://127.0.0.1:{closed_port}/hooks", WebhookEvent.ORDER_PAID
    )

    delivery = emit_order_paid(committed)

    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.response_status is None
    assert delivery.error.startswith("ConnectionError: ")
    [warning] = [r for r in caplog.records if r.name == "shop.webhook_delivery"]
    assert warning.levelno == logging.WARNING
    assert warning.delivery_id == delivery.pk
    assert warning.endpoint_id == endpoint.pk
    assert f"Webhook delivery {delivery.pk} to endpoint Warehouse ERP failed, " in (
        warning.getMessage()
    )


def test_redirect_not_followed(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(302)

    delivery = emit_order_paid(committed)

    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.response_status == 302
    assert delivery.error.startswith("The receiver answered HTTP 302, a redirect")
    assert len(webhook_receiver.requests) == 1


def test_response_body_trimmed(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(500)
    webhook_receiver.response_body = b"x" * 10_000

    delivery = emit_order_paid(committed)

    assert delivery.response_body == "x" * 2000


def test_inactive_endpoint_fails_unsent(
    endpoint, django_capture_on_commit_callbacks, webhook_receiver
):
    with django_capture_on_commit_callbacks(execute=False):
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)
    endpoint.is_active = False
    endpoint.save()

    status = deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 0
    assert delivery.error == (
        "Endpoint Warehouse ERP is inactive; activate it and resend the delivery."
    )
    assert webhook_receiver.requests == []


def test_delivered_delivery_not_sent_again(endpoint, committed, webhook_receiver):
    delivery = emit_order_paid(committed)

    status = deliver_webhook(delivery.pk)

    assert status == "skipped"
    assert len(webhook_receiver.requests) == 1


def test_sweep_sends_delivery_missed_at_commit(
    endpoint, committed, webhook_receiver, celery_broker, closed_port
):
    celery_broker.use(f"redis://127.0.0.1:{closed_port}/15")
    delivery = emit_order_paid(committed)
    celery_broker.restore()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert webhook_receiver.requests == []
    # Three minutes later the delivery is overdue by more than the grace.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=3)
    )

    queued = queue_due_webhook_deliveries()

    delivery.refresh_from_db()
    assert queued == 1
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(webhook_receiver.requests) == 1


def test_sweep_leaves_delivery_within_grace(
    endpoint, django_capture_on_commit_callbacks, webhook_receiver
):
    with django_capture_on_commit_callbacks(execute=False):
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)

    queued = queue_due_webhook_deliveries()

    delivery.refresh_from_db()
    assert queued == 0
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert webhook_receiver.requests == []


def test_send_due_webhooks_retries_due_delivery(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(503)
    delivery = emit_order_paid(committed)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    output = StringIO()

    call_command("send_due_webhooks", stdout=output)

    delivery.refresh_from_db()
    assert output.getvalue() == (
        "Attempted 1 due webhook delivery: 1 delivered, 0 to retry later, 0 failed.\n"
    )
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert len(webhook_receiver.requests) == 2


def test_send_due_webhooks_counts_retries(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_all(503)
    deliveries = [emit_order_paid(committed) for _ in range(2)]
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    output = StringIO()

    call_command("send_due_webhooks", stdout=output)

    assert output.getvalue() == (
        "Attempted 2 due webhook deliveries: 0 delivered, 2 to retry later, 0 failed.\n"
    )
    assert len(webhook_receiver.requests) == 4


def test_send_due_webhooks_skips_future_retry(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(503)
    delivery = emit_order_paid(committed)
    output = StringIO()

    call_command("send_due_webhooks", stdout=output)

    delivery.refresh_from_db()
    assert output.getvalue() == "No webhook delivery is due.\n"
    assert delivery.attempts == 1
    assert len(webhook_receiver.requests) == 1


def test_resend_keeps_event_id(endpoint, committed, webhook_receiver):
    delivery = emit_order_paid(committed)

    with committed():
        resent = resend_delivery(delivery=delivery)

    resent.refresh_from_db()
    first, second = webhook_receiver.requests
    assert resent.pk != delivery.pk
    assert resent.resend_of == delivery
    assert resent.event_id == delivery.event_id
    assert resent.payload == delivery.payload
    assert resent.status == WebhookDelivery.Status.DELIVERED
    assert second.headers["Ledgerfront-Event-Id"] == str(delivery.event_id)
    assert second.headers["Ledgerfront-Delivery-Id"] == str(resent.pk)
    assert second.body == first.body


def test_resend_of_pending_stops_its_retries(endpoint, committed, webhook_receiver):
    webhook_receiver.answer_next(500)
    delivery = emit_order_paid(committed)

    with committed():
        resent = resend_delivery(delivery=delivery)
    later = deliver(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=2))

    delivery.refresh_from_db()
    resent.refresh_from_db()
    assert later is None
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.error.startswith(f"Replaced by delivery {resent.pk}, a resend")
    assert resent.status == WebhookDelivery.Status.DELIVERED
    assert len(webhook_receiver.requests) == 2


def test_resend_during_attempt_keeps_failed(endpoint, committed, monkeypatch):
    def resend_while_posting(attempted):
        if attempted.resend_of_id is None:
            resend_delivery(delivery=attempted)
        return Outcome(status_code=503, body="busy", error="HTTP 503")

    with committed():
        [delivery] = emit(WebhookEvent.ORDER_PAID, DATA)
        monkeypatch.setattr(webhook_delivery, "_post", resend_while_posting)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.error.startswith("Replaced by delivery ")
    assert delivery.response_status == 503
    assert delivery.response_body == "busy"


def test_resend_to_inactive_endpoint_rejected(endpoint, committed):
    delivery = emit_order_paid(committed)
    endpoint.is_active = False
    endpoint.save()

    with pytest.raises(WebhookError, match="activate the endpoint first"):
        resend_delivery(delivery=delivery)

    assert WebhookDelivery.objects.count() == 1
