"""Payments recorded at the same moment, on PostgreSQL's row locks.

Each thread has its own database connection, so these tests commit for
real (transaction=True) and are skipped on SQLite, which has no row locks.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounting.models import Invoice
from inventory.models import StockMovement
from inventory.services import set_opening_stock
from orders import payments, stripe_gateway
from orders.models import Order, Payment
from orders.services import record_payment
from shop.models import NumberSequence
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_SUCCEEDS
from tests.orders.test_webhook import event_payload, sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL_PAYMENTS = 20


def run_together(*actions):
    """Run each action in its own thread, released at once by a barrier.

    Returns the exceptions raised, so the test can show them.
    """
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=30)
            action()
        except Exception as error:  # Reported by the test's assertion.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def order_in_stock():
    # A variant per order, so the orders do not queue on one Stock row
    # lock before reaching the invoice number counter.
    variant = VariantFactory(price=Decimal("52.00"))
    set_opening_stock(variant=variant, quantity=5)
    return order_with_lines(lines=[(variant, 1)])


def succeeded_intent(order, index):
    return {
        "id": f"pi_parallel_{index}",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": stripe_gateway.to_minor_units(order.total_amount),
        "metadata": {"order_number": str(order.number)},
    }


def test_parallel_payments_get_gapless_invoice_numbers(localstripe):
    # localstripe answers the fee task each commit queues; it knows none of
    # these intents, so every fee is recorded as 0.
    NumberSequence.objects.create(name="invoice", last_value=1000)
    orders = [order_in_stock() for _ in range(PARALLEL_PAYMENTS)]
    actions = [
        lambda order=order, index=index: record_payment(
            order_id=order.pk, payment_intent=succeeded_intent(order, index)
        )
        for index, order in enumerate(orders)
    ]

    errors = run_together(*actions)

    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1001, 1001 + PARALLEL_PAYMENTS))
    assert Order.objects.filter(status=Order.Status.PAID).count() == PARALLEL_PAYMENTS
    assert NumberSequence.objects.get(name="invoice").last_value == 1020


def test_webhook_and_return_page_racing_pay_once(localstripe):
    order = order_in_stock()
    payment = payments.prepare_payment(order)
    intent = stripe_gateway.confirm_with_card(
        payment.stripe_payment_intent_id, localstripe.card_id(CARD_SUCCEEDS)
    )
    payload = event_payload("evt_race", "payment_intent.succeeded", intent)
    signature = sign(payload)
    responses = {}

    def deliver_webhook():
        responses["webhook"] = Client().post(
            "/stripe/webhook/",
            payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )

    def open_return_page():
        url = reverse("orders:payment-return", args=[order.access_token])
        responses["return"] = Client().get(url)

    errors = run_together(deliver_webhook, open_return_page)

    assert errors == []
    assert responses["webhook"].status_code == 200
    assert responses["return"].status_code == 302
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION).count() == 1
