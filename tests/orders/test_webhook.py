"""The Stripe webhook: signature check, events handled once."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.models import Invoice
from inventory.models import StockMovement
from inventory.services import set_opening_stock
from orders import payments, stripe_gateway
from orders.models import Order, Payment, StripeEvent
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_SUCCEEDS, WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/stripe/webhook/"


def order_in_stock():
    variant = VariantFactory(price=Decimal("52.00"))
    set_opening_stock(variant=variant, quantity=10)
    return order_with_lines(lines=[(variant, 2)])


@pytest.fixture
def order():
    return order_in_stock()


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET) -> str:
    """Build a Stripe-Signature header: v1 is HMAC-SHA256 of "t.payload"."""
    timestamp = int(time.time())
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(event_id: str, event_type: str, intent: dict) -> bytes:
    event = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "data": {"object": intent},
    }
    return json.dumps(event).encode()


def deliver(client, payload: bytes, signature: str | None):
    headers = {} if signature is None else {"Stripe-Signature": signature}
    return client.post(
        WEBHOOK_URL, payload, content_type="application/json", headers=headers
    )


def paid_intent(localstripe, order) -> dict:
    """Pay the order's intent at localstripe without telling the shop."""
    payment = payments.prepare_payment(order)
    return stripe_gateway.confirm_with_card(
        payment.stripe_payment_intent_id, localstripe.card_id(CARD_SUCCEEDS)
    )


def test_webhook_url_is_named():
    assert reverse("orders:stripe-webhook") == WEBHOOK_URL


def test_signed_succeeded_event_pays_order(client, localstripe, order):
    payload = event_payload(
        "evt_paid", "payment_intent.succeeded", paid_intent(localstripe, order)
    )

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.get().status == Payment.Status.SUCCEEDED
    assert Invoice.objects.filter(order=order).count() == 1
    assert StripeEvent.objects.get().event_id == "evt_paid"


def test_bad_signature_is_rejected(client, localstripe, order):
    payload = event_payload(
        "evt_paid", "payment_intent.succeeded", paid_intent(localstripe, order)
    )

    response = deliver(client, payload, sign(payload, secret="whsec_wrong"))

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert StripeEvent.objects.count() == 0
    assert Invoice.objects.count() == 0


def test_missing_signature_is_rejected(client, localstripe, order):
    payload = event_payload(
        "evt_paid", "payment_intent.succeeded", paid_intent(localstripe, order)
    )

    response = deliver(client, payload, None)

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert StripeEvent.objects.count() == 0


def test_tampered_payload_is_rejected(client, localstripe, order):
    payload = event_payload(
        "evt_paid", "payment_intent.succeeded", paid_intent(localstripe, order)
    )
    signature = sign(payload)

    response = deliver(client, payload.replace(b"evt_paid", b"evt_other"), signature)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_webhook_rejects_get(client):
    response = client.get(WEBHOOK_URL)

    assert response.status_code == 405


def test_failed_event_records_message(client, localstripe, order):
    payment = payments.prepare_payment(order)
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "metadata": {"order_number": str(order.number)},
        "last_payment_error": {"message": "Your card has insufficient funds."},
    }
    payload = event_payload("evt_failed", "payment_intent.payment_failed", intent)

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == "Your card has insufficient funds."
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_replayed_event_changes_nothing(client, localstripe, order):
    payment = payments.prepare_payment(order)
    intent = {
        "id": payment.stripe_payment_intent_id,
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card was declined."},
    }
    payload = event_payload("evt_failed", "payment_intent.payment_failed", intent)
    deliver(client, payload, sign(payload))
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.PENDING, failure_message=""
    )

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert payment.failure_message == ""
    assert StripeEvent.objects.count() == 1


def test_replayed_succeeded_event_pays_once(client, localstripe, order):
    payload = event_payload(
        "evt_paid", "payment_intent.succeeded", paid_intent(localstripe, order)
    )
    deliver(client, payload, sign(payload))

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    assert Invoice.objects.filter(order=order).count() == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION).count() == 1


def test_event_for_unknown_intent_is_ignored(client, localstripe, order):
    intent = {"id": "pi_unknown", "status": "succeeded", "metadata": {}}
    payload = event_payload("evt_unknown", "payment_intent.succeeded", intent)

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert StripeEvent.objects.get().event_id == "evt_unknown"


def test_webhook_then_return_page_pay_once(client, localstripe, order):
    intent = paid_intent(localstripe, order)
    payload = event_payload("evt_paid", "payment_intent.succeeded", intent)
    deliver(client, payload, sign(payload))

    response = client.get(reverse("orders:payment-return", args=[order.access_token]))

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.access_token}/confirmation/"
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION).count() == 1


def test_return_page_then_webhook_pay_once(client, localstripe, order):
    intent = paid_intent(localstripe, order)
    client.get(reverse("orders:payment-return", args=[order.access_token]))
    payload = event_payload("evt_paid", "payment_intent.succeeded", intent)

    response = deliver(client, payload, sign(payload))

    assert response.status_code == 200
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION).count() == 1


def test_declined_webhook_after_success_keeps_payment(client, localstripe, order):
    intent = paid_intent(localstripe, order)
    payments.refresh_payment(order)
    failed = {**intent, "last_payment_error": {"message": "Your card was declined."}}
    payload = event_payload("evt_late", "payment_intent.payment_failed", failed)

    deliver(client, payload, sign(payload))

    payment = order.payments.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.failure_message == ""


@pytest.fixture
def webhook_to_live_server(live_server, localstripe_server):
    # Only the events the shop handles, as configured at Stripe, so no
    # delivery arrives after the test has ended.
    localstripe_server.register_webhook(
        url=f"{live_server.url}{WEBHOOK_URL}",
        secret=WEBHOOK_SECRET,
        events=sorted(payments.WEBHOOK_HANDLERS),
    )
    yield
    localstripe_server.clear_webhooks()


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivery_pays_order(webhook_to_live_server, localstripe):
    order = order_in_stock()

    paid_intent(localstripe, order)

    # localstripe waits one second before each delivery.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not Invoice.objects.filter(order=order):
        time.sleep(0.2)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert Invoice.objects.filter(order=order).count() == 1
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()
